// Settings (settings.go): show only the fields that apply (the Back-office sharing toggle, an
// attribute's options for its data type), copy buttons, and the focus on a refused field.
"use strict";
(function () {
  // Fields in a hidden container are disabled too, so that they are not sent.
  function show(el, on) {
    el.hidden = !on;
    el.querySelectorAll("input, select, textarea").forEach(function (c) { c.disabled = !on; });
  }

  function sharing(form) {
    var category = form.querySelector("[data-settings-category]");
    var toggle = form.querySelector("[data-settings-sharing]");
    if (!category || !toggle) return;
    var update = function () { show(toggle, category.value === "Back-office"); };
    category.addEventListener("change", update);
    update();
  }

  function dataType(form) {
    var select = form.querySelector("[data-settings-data-type]");
    if (!select) return;
    var update = function () {
      form.querySelectorAll("[data-settings-for]").forEach(function (el) {
        show(el, el.getAttribute("data-settings-for").split(" ").indexOf(select.value) >= 0);
      });
    };
    select.addEventListener("change", update);
    update();
  }

  function copy(button) {
    var el = document.getElementById(button.getAttribute("data-settings-copy"));
    if (!el) return;
    var text = el.value !== undefined ? el.value : el.textContent;
    var done = function () {
      var was = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = was; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { select(el); });
    } else {
      select(el);
      button.textContent = "Press Ctrl+C";
    }
  }

  function select(el) {
    if (el.select) { el.focus(); el.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function init(root) {
    if (!root.querySelector || !root.querySelector(".settings")) return;
    root.querySelectorAll("form").forEach(function (f) { sharing(f); dataType(f); });
    var invalid = root.querySelector(".settings [aria-invalid='true']");
    if (invalid) {
      var details = invalid.closest("details");
      if (details) details.open = true;
      invalid.focus();
    }
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-settings-copy]");
    if (b) copy(b);
    var s = e.target.closest && e.target.closest("[data-settings-select]");
    if (s) s.select();
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
