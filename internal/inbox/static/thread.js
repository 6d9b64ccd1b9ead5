// thread.js: a conversation's page and a ticket's page (thread.go). In-place editing of a
// ticket's title and description (a small rich text editor), the composer's keyboard shortcuts
// (Ctrl/⌘ + Shift + Enter cross-posts a Back-office ticket's note: SPEC BO3), refusals shown in
// place (422) and the Links preview. (live.js refreshes the live regions, never under the focus.)
"use strict";
(function () {
  // A refusal (422) comes with the page and the rule's message: show it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr && e.detail.xhr.status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // A change made elsewhere on the page answers with the whole page: the composer keeps what
  // the teammate was writing (its own answer empties it).
  var draft = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    if (!d.target || d.target.id !== "main" || !d.shouldSwap) return;
    var from = d.requestConfig && d.requestConfig.elt;
    if (from && from.closest && from.closest("[data-thread-composer]")) return;
    var ta = document.getElementById("thread-composer-body");
    draft = ta && ta.value ? { path: location.pathname, value: ta.value } : null;
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!draft || !e.detail.target || e.detail.target.id !== "main") return;
    var ta = document.getElementById("thread-composer-body");
    if (ta && !ta.value && location.pathname === draft.path) ta.value = draft.value;
    draft = null;
  });

  // A live refresh (IN5) does not close an editor or a menu left open: it waits until it is
  // closed. (live.js already waits while the focus is inside.)
  function open(region) {
    return !!region.querySelector("[data-thread-editor]:not([hidden]), details.thread-menu[open]");
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    var cause = d.requestConfig && d.requestConfig.triggeringEvent;
    if (!cause || cause.type !== "live" || !d.target || !d.target.closest || !d.target.closest(".thread")) return;
    if (open(d.target)) {
      d.shouldSwap = false;
      d.target.setAttribute("data-thread-stale", "");
    }
  });
  function refreshStale() {
    document.querySelectorAll("[data-thread-stale]").forEach(function (region) {
      if (open(region)) return;
      region.removeAttribute("data-thread-stale");
      htmx.trigger(region, "live");
    });
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.thread-menu") && !e.target.open) refreshStale();
  }, true);

  // After a refusal, the focus goes to the field it is about (or its message is shown).
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.xhr || e.detail.xhr.status !== 422) return;
    var main = document.getElementById("main");
    var field = main && main.querySelector('[aria-invalid="true"]');
    if (field && !field.closest("[hidden]")) {
      field.focus();
      return;
    }
    var alert = main && main.querySelector(".thread-error");
    if (alert) alert.scrollIntoView({ block: "center" });
  });

  // The composer: Ctrl/⌘ + Shift + Enter cross-posts (BO3); Ctrl/⌘ + Enter sends as the first
  // button says (Reply, or Add note).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    var form = e.target.closest && e.target.closest("form[data-thread-composer]");
    if (!form) return;
    var button = e.shiftKey ? form.querySelector("[data-thread-crosspost]") : form.querySelector("[data-thread-default]");
    if (!button) return;
    e.preventDefault();
    button.click(); // a click, so that htmx sends the button's name and value (cross_post=1)
  });

  // In-place editors: a click on the title or the description opens its form.
  function editorOf(name, root) {
    return (root || document).querySelector('[data-thread-editor="' + name + '"]');
  }
  function openEditor(name) {
    var form = editorOf(name);
    if (!form) return;
    document.querySelectorAll('[data-thread-display="' + name + '"], [data-thread-edit="' + name + '"]').forEach(function (el) {
      el.hidden = true;
    });
    form.hidden = false;
    var field = form.querySelector("[data-thread-rich], input:not([type=hidden])");
    if (!field) return;
    field.focus();
    if (field.setSelectionRange) field.setSelectionRange(field.value.length, field.value.length); // the caret at the end
  }
  function closeEditor(form) {
    var name = form.getAttribute("data-thread-editor");
    form.hidden = true;
    form.reset();
    var rich = form.querySelector("[data-thread-rich]");
    var value = form.querySelector("[data-thread-rich-value]");
    if (rich && value) rich.innerHTML = value.defaultValue;
    document.querySelectorAll('[data-thread-display="' + name + '"], [data-thread-edit="' + name + '"]').forEach(function (el) {
      el.hidden = false;
    });
    var edit = document.querySelector('[data-thread-edit="' + name + '"]');
    if (edit) edit.focus();
    refreshStale();
  }
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t.closest) return;
    var edit = t.closest("[data-thread-edit]");
    if (edit) {
      openEditor(edit.getAttribute("data-thread-edit"));
      return;
    }
    var area = t.closest("[data-thread-edit-area]");
    if (area && !t.closest("a")) {
      openEditor(area.getAttribute("data-thread-edit-area"));
      return;
    }
    var cancel = t.closest("[data-thread-cancel]");
    if (cancel) {
      closeEditor(cancel.closest("[data-thread-editor]"));
      return;
    }
    var close = t.closest("[data-thread-preview-close]");
    if (close) {
      var preview = document.getElementById("thread-preview");
      if (preview) preview.innerHTML = "";
      return;
    }
    var cmd = t.closest("[data-thread-cmd]");
    if (cmd) format(cmd);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var form = e.target.closest && e.target.closest("[data-thread-editor]");
    if (form) {
      e.preventDefault();
      closeEditor(form);
      return;
    }
    var menu = e.target.closest && e.target.closest("details.thread-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  // The description's editor: a contenteditable whose HTML goes in a hidden field (the server
  // stores it sanitised: TT3).
  function sync(form) {
    var rich = form.querySelector("[data-thread-rich]");
    var value = form.querySelector("[data-thread-rich-value]");
    if (rich && value) value.value = rich.innerHTML;
  }
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("[data-thread-editor]");
    if (form && e.target.hasAttribute("data-thread-rich")) sync(form);
  });
  document.addEventListener("focusin", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-thread-rich")) {
      document.execCommand("defaultParagraphSeparator", false, "p");
    }
  });
  document.addEventListener("submit", function (e) {
    if (e.target.matches && e.target.matches("[data-thread-editor]")) sync(e.target);
  }, true);
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt;
    if (!form.matches || !form.matches("[data-thread-editor]")) return;
    var rich = form.querySelector("[data-thread-rich]");
    if (rich) e.detail.parameters.description = rich.innerHTML;
  });

  // The toolbar's buttons leave the focus, and the selection, in the editor.
  document.addEventListener("mousedown", function (e) {
    var cmd = e.target.closest && e.target.closest("[data-thread-cmd]");
    if (cmd && cmd.getAttribute("data-thread-cmd") !== "applyLink") e.preventDefault();
  });

  var savedRange = null;
  function format(button) {
    var form = button.closest("[data-thread-editor]");
    var rich = form.querySelector("[data-thread-rich]");
    var name = button.getAttribute("data-thread-cmd");
    var box = form.querySelector("[data-thread-link-box]");
    if (name === "link") {
      var sel = window.getSelection();
      savedRange = sel.rangeCount ? sel.getRangeAt(0).cloneRange() : null;
      box.hidden = false;
      box.querySelector("[data-thread-link-url]").focus();
      return;
    }
    rich.focus();
    if (name === "applyLink") {
      var url = box.querySelector("[data-thread-link-url]").value.trim();
      if (savedRange) {
        var s = window.getSelection();
        s.removeAllRanges();
        s.addRange(savedRange);
      }
      if (/^(https?:|mailto:)/i.test(url)) {
        if (window.getSelection().isCollapsed) document.execCommand("insertText", false, url);
        if (window.getSelection().isCollapsed) {
          // The address typed as text: select it to make it the link.
          var r = window.getSelection().getRangeAt(0);
          r.setStart(r.endContainer, Math.max(0, r.endOffset - url.length));
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(r);
        }
        document.execCommand("createLink", false, url);
      }
      box.hidden = true;
      box.querySelector("[data-thread-link-url]").value = "";
    } else if (name === "pre" || name === "blockquote") {
      document.execCommand("formatBlock", false, name);
    } else {
      document.execCommand(name, false, null);
    }
    sync(form);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.hasAttribute && e.target.hasAttribute("data-thread-link-url")) {
      e.preventDefault();
      var apply = e.target.closest("[data-thread-link-box]").querySelector('[data-thread-cmd="applyLink"]');
      if (apply) apply.click();
    }
  });

  // The snooze form says the teammate's time zone, for "until" in their own time.
  function zones(root) {
    root.querySelectorAll("[data-thread-tz]").forEach(function (el) {
      el.value = String(-new Date().getTimezoneOffset());
    });
  }
  document.addEventListener("DOMContentLoaded", function () { zones(document); });
  document.addEventListener("htmx:load", function (e) { zones(e.detail.elt); });
})();
