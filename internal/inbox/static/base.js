// The Inbox's shared JavaScript. Each feature has its own script, static/FEATURE.js.
"use strict";
(function () {
  // The focus after htmx swaps a region: a form's answer replaces the page's main (Add tag, a
  // state change, an assignment, an attribute saved...), and the control the teammate used is
  // gone with it. Rather than falling to <body> (where a keyboard or screen reader user starts
  // again from the top), the focus goes back to the element with the same id, if the new content
  // has one; else to the heading of the region the teammate acted in; else to the page's heading.

  // The region el is in, as ids to find after the swap: the heading an aria-labelledby on the
  // way up names, or the nearest ancestor with an id (whose heading, or else first field, gets
  // the focus: a form such as the composer has no heading of its own).
  function regionOf(el) {
    for (var n = el; n && n.nodeType === 1 && n.id !== "main"; n = n.parentElement) {
      var by = n.getAttribute("aria-labelledby");
      if (by) return { heading: by.split(/\s+/)[0] };
      if (n.id && n !== el) return { region: n.id };
    }
    return {};
  }

  // The id to come back to: the element's own, or, for a choice in a menu (a <details> whose
  // <summary> has an id, like the state button), the menu's button.
  function idOf(el) {
    if (el.id) return el.id;
    var menu = el.closest && el.closest("details");
    var summary = menu && menu.querySelector("summary");
    return summary && summary.id ? summary.id : "";
  }

  function visible(el) {
    return !!el && el.isConnected && !el.closest("[hidden]") && el.getClientRects().length > 0;
  }

  function focusOn(el, heading) {
    if (!visible(el)) return false;
    if (heading && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    return document.activeElement === el;
  }

  function lost() {
    var a = document.activeElement;
    return !a || a === document.body || a === document.documentElement || !a.isConnected;
  }

  var before = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    before = null;
    if (!d.target) return; // (shouldSwap is not known yet: a feature may swap a refusal, 422)
    // What the teammate acted on: the focused element, or the element that sent the request
    // if the teammate sent it (a click does not focus a button in every browser; a refresh of
    // live content moves no focus).
    var el = document.activeElement;
    if (!el || el === document.body || !d.target.contains(el)) {
      var cause = d.requestConfig && d.requestConfig.triggeringEvent;
      el = cause && /^(click|submit|change|keydown|keyup)$/.test(cause.type) ? d.requestConfig.elt : null;
    }
    if (!el || el.nodeType !== 1 || !d.target.contains(el)) return; // the focus stays where it is
    var r = regionOf(el);
    before = { id: idOf(el), heading: r.heading || "", region: r.region || "" };
  });

  document.addEventListener("htmx:afterSettle", function () {
    var b = before;
    before = null;
    if (!b || !lost()) return; // a script placed the focus already (a refused field, an editor)
    if (b.id && focusOn(document.getElementById(b.id), false)) return;
    if (b.heading && focusOn(document.getElementById(b.heading), true)) return;
    var region = b.region && document.getElementById(b.region);
    if (region && focusOn(region.querySelector("h1, h2, h3, h4, h5, h6"), true)) return;
    if (region && focusOn(region.querySelector("textarea, select, input:not([type=hidden])"), false)) return;
    focusOn(document.querySelector("#main h1"), true);
  });
})();
