// A conversation's ticket actions and the tracker (actions.go).
"use strict";
(function () {
  // A refused form puts the focus on its first field with a problem; a type just chosen, on the
  // first field after it.
  function focusOnLoad() {
    var main = document.querySelector("#main .action-page");
    if (!main) return; // another feature's page
    var bad = main.querySelector("[aria-invalid=true]");
    if (bad) { bad.focus(); return; }
    var alert = main.querySelector(".action-error, .action-refusal");
    if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); return; }
    if (new URLSearchParams(location.search).get("choose") === "1") {
      var next = document.getElementById("action-title");
      if (next) next.focus();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusOnLoad);
  else focusOnLoad();

  // After htmx swaps a part of the tracker that the teammate asked for (not a live refresh), the
  // focus goes to what it says (done, refused, the preview) or back to its field, so that a
  // keyboard or screen reader user hears the outcome and carries on.
  document.addEventListener("htmx:afterSettle", function (ev) {
    var el = ev.target;
    if (!(el instanceof Element) || !el.matches(".tracker, .tracker-linkbox, .tracker-broadcast")) return;
    var target = el.querySelector("[data-action-focus]") || el.querySelector(".tracker-broadcast textarea, input[type=search]");
    if (target) target.focus();
  });
})();
