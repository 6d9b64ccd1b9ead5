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
    return !!region.querySelector("[data-thread-editor]:not([hidden]), details.thread-menu[open], details.thread-unlink[open]");
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
    if (e.target.matches && e.target.matches("details.thread-menu, details.thread-unlink") && !e.target.open) refreshStale();
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
    // The focus goes into the editor (the rich text one first: the toolbar's link field comes
    // before it, hidden).
    var field = form.querySelector("[data-thread-rich]") || form.querySelector("input:not([type=hidden])");
    if (!field) return;
    field.focus();
    if (field.setSelectionRange) {
      field.setSelectionRange(field.value.length, field.value.length); // the caret at the end
    } else if (field.hasAttribute("data-thread-rich")) {
      caretAtEnd(field);
    }
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
    if (t.closest("[data-thread-preview-close]")) {
      closePreview();
      return;
    }
    var cmd = t.closest("[data-thread-cmd]");
    if (cmd) format(cmd);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var preview = document.getElementById("thread-preview");
    if (preview && preview.firstElementChild && (preview.contains(e.target) || e.target === previewOpener)) {
      e.preventDefault();
      closePreview();
      return;
    }
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

  // The Links' preview (BO12): shown in view with the focus on its heading; Escape or its ×
  // closes it, and the focus goes back to the Open button that opened it.
  var previewOpener = null;
  document.addEventListener("htmx:afterSettle", function (e) {
    var preview = e.target;
    if (!preview || preview.id !== "thread-preview" || !preview.firstElementChild) return;
    previewOpener = e.detail.requestConfig ? e.detail.requestConfig.elt : e.detail.elt;
    preview.scrollIntoView({ block: "nearest" });
    var heading = preview.querySelector("#thread-preview-h");
    if (heading) heading.focus({ preventScroll: true });
  });
  function closePreview() {
    var preview = document.getElementById("thread-preview");
    if (!preview) return;
    var opener = previewOpener;
    previewOpener = null;
    var wasIn = preview.contains(document.activeElement);
    preview.innerHTML = "";
    if (opener && !opener.isConnected) {
      // The sidebar was refreshed meanwhile: the same button in the new one.
      opener = document.querySelector('.thread-links [hx-get="' + opener.getAttribute("hx-get") + '"]');
    }
    if (opener && (wasIn || document.activeElement === document.body)) opener.focus();
  }

  // The description's editor: a contenteditable whose HTML goes in a hidden field (the server
  // stores it sanitised: TT3). Chromium's editing commands are kept to what a description is:
  // paragraphs; bold and italic as <b> and <i>, never style attributes (the page's
  // Content-Security-Policy refuses them); lists as blocks of their own, never inside a <p>; code
  // blocks and quotes that the same button turns off, and that Enter twice at their end leaves.
  var BLOCK = /^(P|UL|OL|LI|PRE|BLOCKQUOTE|DIV|H[1-6])$/;

  function richOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el && el.closest ? el.closest("[data-thread-rich]") : null;
  }

  // The selection inside rich, as its boundaries, to put back after nodes moved; null if it is
  // elsewhere.
  function selectionIn(rich) {
    var s = window.getSelection();
    if (!s.rangeCount) return null;
    var r = s.getRangeAt(0);
    if (!rich.contains(r.startContainer) || !rich.contains(r.endContainer)) return null;
    return { sc: r.startContainer, so: r.startOffset, ec: r.endContainer, eo: r.endOffset };
  }
  function length(node) {
    return node.nodeType === 3 ? node.data.length : node.childNodes.length;
  }
  function select(rich, saved) {
    if (!saved || !rich.contains(saved.sc) || !rich.contains(saved.ec)) return false;
    var r = document.createRange();
    r.setStart(saved.sc, Math.min(saved.so, length(saved.sc)));
    r.setEnd(saved.ec, Math.min(saved.eo, length(saved.ec)));
    var s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
    return true;
  }
  function caretIn(node, atEnd) {
    // The deepest first (or last) place for text in node: before a trailing <br>.
    while (node.nodeType === 1) {
      var child = atEnd ? node.lastChild : node.firstChild;
      if (!child || child.nodeName === "BR") break;
      node = child;
    }
    var r = document.createRange();
    if (node.nodeType === 3) {
      r.setStart(node, atEnd ? node.data.length : 0);
    } else if (atEnd && node.lastChild && node.lastChild.nodeName === "BR") {
      r.setStartBefore(node.lastChild);
    } else {
      r.setStart(node, atEnd ? node.childNodes.length : 0);
    }
    r.collapse(true);
    var s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
  }
  function caretAtEnd(rich) {
    normalise(rich);
    caretIn(rich, true);
  }

  function blank(el) {
    return el.textContent.replace(/[\s\u00a0\u200b]/g, "") === "" && !el.querySelector("img, li");
  }
  function paragraph() {
    var p = document.createElement("p");
    p.appendChild(document.createElement("br"));
    return p;
  }

  // normalise keeps root (the editor, or a copy of it) in the shape a description has: text in
  // paragraphs, lists out of paragraphs, no style attributes, no empty spans. It tells whether
  // it changed anything.
  function normalise(root) {
    var changed = false;
    // Text typed straight into the editor, or left there by a command, goes into paragraphs.
    var line = null;
    Array.prototype.slice.call(root.childNodes).forEach(function (n) {
      if (n.nodeType === 1 && BLOCK.test(n.nodeName)) {
        line = null;
        return;
      }
      if (n.nodeType === 3 && n.data.trim() === "" && !line) {
        if (n.data === "") root.removeChild(n);
        return; // whitespace between blocks
      }
      if (n.nodeType !== 1 && n.nodeType !== 3) return;
      if (!line) {
        line = document.createElement("p");
        root.insertBefore(line, n);
      }
      line.appendChild(n);
      changed = true;
      if (n.nodeName === "BR") {
        // A line break ends the paragraph; alone, it holds an empty one open.
        if (line.childNodes.length > 1) line.removeChild(n);
        line = null;
      }
    });
    // Chromium puts a list made from a paragraph's line inside the <p>: the list goes after it,
    // with what followed it in a paragraph of its own.
    Array.prototype.slice.call(root.querySelectorAll("p > ul, p > ol")).forEach(function (list) {
      var p = list.parentNode;
      var rest = document.createElement("p");
      while (list.nextSibling) rest.appendChild(list.nextSibling);
      p.parentNode.insertBefore(list, p.nextSibling);
      if (!blank(rest)) p.parentNode.insertBefore(rest, list.nextSibling);
      if (blank(p) && !p.querySelector("ul, ol")) p.parentNode.removeChild(p);
      changed = true;
    });
    Array.prototype.slice.call(root.querySelectorAll("[style]")).forEach(function (el) {
      el.removeAttribute("style");
      changed = true;
    });
    Array.prototype.slice.call(root.querySelectorAll("span, font")).forEach(function (el) {
      if (el.attributes.length > 0 && el.nodeName !== "FONT") return;
      while (el.firstChild) el.parentNode.insertBefore(el.firstChild, el);
      el.parentNode.removeChild(el);
      changed = true;
    });
    if (!root.firstChild && root.hasAttribute && root.hasAttribute("data-thread-rich")) {
      root.appendChild(paragraph());
      changed = true;
    }
    return changed;
  }
  // tidy normalises the editor, keeping the selection where it was. (Setting the selection
  // again would forget a style chosen for the next letters, such as Bold on an empty line: it
  // is set only when something moved.)
  function tidy(rich) {
    var saved = selectionIn(rich);
    if (normalise(rich) && saved && !select(rich, saved)) caretAtEnd(rich);
  }

  // The HTML that is saved: "" for an empty editor. Chromium types a space next to a tag as
  // &nbsp; (so that it shows while it is the last letter): between two words it is a space.
  function serialise(rich) {
    var copy = rich.cloneNode(true);
    normalise(copy);
    if (blank(copy)) return "";
    var walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
    var texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    var home = function (t) {
      return t && t.parentElement.closest("p, li, pre, blockquote, div");
    };
    texts.forEach(function (t, i) {
      var prevText = texts[i - 1];
      var nextText = texts[i + 1];
      var before = prevText && home(prevText) === home(t) ? prevText.data.slice(-1) : "";
      var after = nextText && home(nextText) === home(t) ? nextText.data.charAt(0) : "";
      t.data = t.data.replace(/\u00a0/g, function (m, at, all) {
        var prev = at > 0 ? all.charAt(at - 1) : before;
        var next = at + 1 < all.length ? all.charAt(at + 1) : after;
        return prev && next && !/[\s\u00a0]/.test(prev + next) ? " " : m;
      });
    });
    return copy.innerHTML;
  }
  function sync(form) {
    var rich = form.querySelector("[data-thread-rich]");
    var value = form.querySelector("[data-thread-rich-value]");
    if (rich && value) value.value = serialise(rich);
  }

  // The toolbar says what applies where the caret is (aria-pressed).
  function blockOf(rich, tag) {
    var s = window.getSelection();
    if (!s.rangeCount) return null;
    var n = s.getRangeAt(0).startContainer;
    var el = n.nodeType === 1 ? n : n.parentElement;
    var b = el && el.closest(tag);
    return b && b !== rich && rich.contains(b) ? b : null;
  }
  function pressed(form, rich) {
    form.querySelectorAll("[aria-pressed][data-thread-cmd]").forEach(function (b) {
      var name = b.getAttribute("data-thread-cmd");
      var on = false;
      if (name === "pre" || name === "blockquote") {
        on = !!blockOf(rich, name);
      } else {
        try {
          on = document.queryCommandState(name);
        } catch (err) {
          on = false;
        }
      }
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  var lastRange = null; // where the caret was in the editor, for a command given from elsewhere
  document.addEventListener("selectionchange", function () {
    var s = window.getSelection();
    if (!s.rangeCount) return;
    var rich = richOf(s.anchorNode);
    if (!rich) return;
    lastRange = s.getRangeAt(0).cloneRange();
    pressed(rich.closest("[data-thread-editor]"), rich);
  });
  // ensureCaret puts the selection in rich if it is not there: where it was last, else at the end.
  function ensureCaret(rich) {
    tidy(rich);
    if (selectionIn(rich)) return;
    if (lastRange && rich.contains(lastRange.startContainer) && rich.contains(lastRange.endContainer)) {
      var s = window.getSelection();
      s.removeAllRanges();
      s.addRange(lastRange);
      return;
    }
    caretIn(rich, true);
  }

  // unwrap turns a code block or a quote back into paragraphs: one per line.
  function unwrap(rich, block) {
    var saved = selectionIn(rich);
    if (block.nodeName === "PRE") {
      // Its line breaks may be newlines: as <br>, they end paragraphs like the others.
      var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      var texts = [];
      while (walker.nextNode()) texts.push(walker.currentNode);
      texts.forEach(function (t) {
        var i = t.data.indexOf("\n");
        while (i >= 0) {
          var rest = t.splitText(i);
          rest.deleteData(0, 1);
          rest.parentNode.insertBefore(document.createElement("br"), rest);
          t = rest;
          i = t.data.indexOf("\n");
        }
      });
    }
    var parent = block.parentNode;
    var line = null;
    var first = null;
    while (block.firstChild) {
      var n = block.firstChild;
      if (n.nodeType === 1 && BLOCK.test(n.nodeName)) {
        parent.insertBefore(n, block);
        line = null;
      } else if (n.nodeName === "BR") {
        if (line) {
          block.removeChild(n); // ends the line
        } else {
          line = document.createElement("p"); // an empty line
          parent.insertBefore(line, block);
          line.appendChild(n);
        }
        line = null;
      } else {
        if (!line) {
          line = document.createElement("p");
          parent.insertBefore(line, block);
        }
        line.appendChild(n);
      }
      first = first || n.parentNode;
    }
    parent.removeChild(block);
    if (!select(rich, saved)) {
      if (first && rich.contains(first)) caretIn(first, true);
      else caretAtEnd(rich);
    }
  }

  // Some of Chromium's editing commands move content by writing it out with style attributes and
  // reading it back, which the Content-Security-Policy refuses (a console error, and a <span>
  // left over): taking a list off or changing its kind, joining two blocks with Backspace or
  // Delete, removing bold or italic from part of a bold or italic run, pasting formatted text.
  // Those are done here instead.
  function topBlocks(rich, r) {
    return Array.prototype.filter.call(rich.childNodes, function (n) {
      return n.nodeType === 1 && r.intersectsNode(n);
    });
  }
  function moveChildren(from, to, before) {
    while (from.firstChild) to.insertBefore(from.firstChild, before || null);
  }
  function toggleList(rich, tag) {
    var s = window.getSelection();
    if (!s.rangeCount) return;
    var r = s.getRangeAt(0);
    var saved = selectionIn(rich);
    var list = blockOf(rich, "ol, ul");
    var firstP = null;
    if (list && list.nodeName === tag) {
      // Off: the chosen items become paragraphs, between what is left of the list.
      var items = Array.prototype.filter.call(list.children, function (n) {
        return n.nodeName === "LI" && r.intersectsNode(n);
      });
      if (!items.length) items = [list.lastElementChild];
      var last = items[items.length - 1];
      var rest = null;
      if (last.nextSibling) {
        rest = document.createElement(tag);
        while (last.nextSibling) rest.appendChild(last.nextSibling);
        list.parentNode.insertBefore(rest, list.nextSibling);
      }
      var anchor = rest || list.nextSibling;
      items.forEach(function (item) {
        var p = document.createElement("p");
        moveChildren(item, p);
        if (!p.firstChild) p.appendChild(document.createElement("br"));
        list.parentNode.insertBefore(p, anchor);
        firstP = firstP || p;
        list.removeChild(item);
      });
      if (!list.firstChild) list.parentNode.removeChild(list);
    } else if (list) {
      // The other kind of list: the same items.
      var other = document.createElement(tag);
      moveChildren(list, other);
      list.parentNode.replaceChild(other, list);
    } else {
      var blocks = topBlocks(rich, r);
      if (!blocks.length) return;
      var made = document.createElement(tag);
      rich.insertBefore(made, blocks[0]);
      blocks.forEach(function (b) {
        if (b.nodeName === "OL" || b.nodeName === "UL") {
          moveChildren(b, made);
        } else {
          var item = document.createElement("li");
          moveChildren(b, item);
          made.appendChild(item);
        }
        rich.removeChild(b);
      });
    }
    if (select(rich, saved)) return;
    if (firstP) caretIn(firstP, false);
    else caretAtEnd(rich);
  }

  // unstyle takes bold (or italic) off the selected part of one bold (or italic) run.
  function unstyle(rich, tags) {
    var s = window.getSelection();
    if (!s.rangeCount || s.isCollapsed) return false;
    var r = s.getRangeAt(0);
    var start = r.startContainer.nodeType === 1 ? r.startContainer : r.startContainer.parentElement;
    var run = start.closest(tags);
    if (!run || !rich.contains(run) || !run.contains(r.endContainer)) return false;
    var picked = r.extractContents(); // r is now the point it was cut from
    Array.prototype.slice.call(picked.querySelectorAll(tags)).forEach(function (el) {
      moveChildren(el, el.parentNode, el);
      el.parentNode.removeChild(el);
    });
    // The run splits there: the run, the part picked (plain now), a copy with the rest.
    var rest = document.createRange();
    rest.setStart(r.startContainer, r.startOffset);
    rest.setEnd(run, run.childNodes.length);
    var tail = run.cloneNode(false);
    tail.appendChild(rest.extractContents());
    run.parentNode.insertBefore(tail, run.nextSibling);
    var first = picked.firstChild;
    var last = picked.lastChild;
    run.parentNode.insertBefore(picked, tail);
    if (blank(tail)) tail.parentNode.removeChild(tail);
    if (blank(run)) run.parentNode.removeChild(run);
    if (first) {
      var again = document.createRange();
      again.setStartBefore(first);
      again.setEndAfter(last);
      s.removeAllRanges();
      s.addRange(again);
    }
    return true;
  }

  // Joining a block with the one before it (Backspace at its start) or after it (Delete at its
  // end): the second one's content goes at the end of the first.
  function edge(block, r, atStart) {
    var side = document.createRange();
    if (atStart) {
      side.setStart(block, 0);
      side.setEnd(r.startContainer, r.startOffset);
    } else {
      side.setStart(r.endContainer, r.endOffset);
      side.setEnd(block, block.childNodes.length);
    }
    if (side.toString() !== "") return false;
    var brs = side.cloneContents().querySelectorAll("br").length;
    return atStart ? brs === 0 : brs === 0 || brs === 1 && block.lastChild && block.lastChild.nodeName === "BR";
  }
  function isList(n) {
    return n.nodeName === "OL" || n.nodeName === "UL";
  }
  function join(rich, first, second) {
    if (isList(first)) first = first.lastElementChild; // a list's items are its blocks
    if (second && isList(second)) second = second.firstElementChild;
    if (!first || !second) return false;
    [first, second].forEach(function (b) {
      Array.prototype.slice.call(b.childNodes).forEach(function (n) {
        if (n.nodeType === 3 && n.data === "") b.removeChild(n); // left by a deletion
      });
    });
    if (first.lastChild && first.lastChild.nodeName === "BR") first.removeChild(first.lastChild);
    while (blank(first) && first.firstChild) first.removeChild(first.firstChild);
    var at = first.childNodes.length;
    if (!blank(second)) moveChildren(second, first);
    var list = second.parentNode;
    list.removeChild(second);
    if (list !== rich && isList(list) && !list.firstElementChild) list.parentNode.removeChild(list);
    if (!first.firstChild) first.appendChild(document.createElement("br"));
    var c = document.createRange();
    c.setStart(first, Math.min(at, first.childNodes.length));
    c.collapse(true);
    var s = window.getSelection();
    s.removeAllRanges();
    s.addRange(c);
    return true;
  }
  document.addEventListener("beforeinput", function (e) {
    var rich = e.target.hasAttribute && e.target.hasAttribute("data-thread-rich") ? e.target : null;
    if (!rich) return;
    var s = window.getSelection();
    if (e.inputType === "insertFromDrop") {
      // Dropped text comes in as text, like pasted text (below).
      var data = e.dataTransfer && e.dataTransfer.getData("text/plain");
      e.preventDefault();
      if (data) insertLines(data);
      return;
    }
    if (!s.rangeCount) return;
    var r = s.getRangeAt(0);
    var form = rich.closest("[data-thread-editor]");
    var done = function () {
      e.preventDefault();
      tidy(rich);
      pressed(form, rich);
      sync(form);
    };
    if (!s.isCollapsed && /^(insertText|insertParagraph|insertLineBreak|delete)/.test(e.inputType)) {
      // A selection over several blocks: deleted here, the two ends joined; then what was typed.
      var first = topOf(rich, r.startContainer);
      var second = topOf(rich, r.endContainer);
      if (!first || !second || first === second) return;
      if (isList(first)) first = itemOf(first, r.startContainer) || first;
      if (isList(second)) second = itemOf(second, r.endContainer) || second;
      r.deleteContents();
      if (!join(rich, first, second)) s.collapseToStart();
      if (e.inputType === "insertText" && e.data) document.execCommand("insertText", false, e.data);
      if (e.inputType === "insertParagraph") document.execCommand("insertParagraph");
      if (e.inputType === "insertLineBreak") document.execCommand("insertLineBreak");
      done();
      return;
    }
    var li = s.isCollapsed && e.inputType === "insertParagraph" && blockOf(rich, "li");
    if (li && blank(li) && li.parentNode.parentNode === rich) {
      // Enter on an empty item leaves the list (splitting it when the item is not the last).
      toggleList(rich, li.parentNode.nodeName);
      done();
      return;
    }
    var back = e.inputType === "deleteContentBackward";
    if (!back && e.inputType !== "deleteContentForward" || !s.isCollapsed) return;
    // Backspace at the start of a block (a paragraph, a code block, a quote, a list item) joins
    // it to the one before; Delete at its end joins the next one to it.
    var block = topOf(rich, r.startContainer);
    if (block && isList(block)) block = itemOf(block, r.startContainer);
    if (!block || !/^(P|PRE|BLOCKQUOTE|LI)$/.test(block.nodeName) || !edge(block, r, back)) return;
    var other = back ? block.previousElementSibling : block.nextElementSibling;
    if (!other && block.nodeName === "LI") other = back ? block.parentNode.previousElementSibling : block.parentNode.nextElementSibling;
    if (!other || !/^(P|PRE|BLOCKQUOTE|OL|UL|LI)$/.test(other.nodeName)) return;
    if (back ? join(rich, other, block) : join(rich, block, other)) done();
  });
  // itemOf is the item of list that node is in.
  function itemOf(list, node) {
    for (var n = node; n && n !== list; n = n.parentNode) {
      if (n.parentNode === list && n.nodeName === "LI") return n;
    }
    return null;
  }
  // topOf is the block of the editor that node is in.
  function topOf(rich, node) {
    var top = null;
    for (var n = node; n && n !== rich; n = n.parentNode) top = n;
    return n === rich ? top : null;
  }
  // insertLines types text in, a paragraph per line.
  function insertLines(text) {
    text.replace(/\r\n?/g, "\n").split("\n").forEach(function (line, i) {
      if (i > 0) document.execCommand("insertParagraph");
      if (line) document.execCommand("insertText", false, line);
    });
  }
  // Pasted text comes in as text: formatting from elsewhere comes with style attributes.
  document.addEventListener("paste", function (e) {
    var rich = e.target.closest && e.target.closest("[data-thread-rich]");
    if (!rich || !e.clipboardData) return;
    e.preventDefault();
    insertLines(e.clipboardData.getData("text/plain"));
  });

  // Enter in a code block or a quote adds a line; Enter on an empty last line leaves the block,
  // for a paragraph after it.
  function lineIsEmpty(block, r) {
    var own = r.startContainer.nodeType === 1 ? r.startContainer : r.startContainer.parentElement;
    var para = own.closest("p, div, li");
    if (para && para !== block && block.contains(para)) return blank(para);
    var before = document.createRange();
    before.setStart(block, 0);
    before.setEnd(r.startContainer, r.startOffset);
    var walker = document.createTreeWalker(before.cloneContents(), NodeFilter.SHOW_ALL);
    var last = null;
    while (walker.nextNode()) {
      var n = walker.currentNode;
      if (n.nodeName === "BR" || n.nodeType === 3 && n.data !== "") last = n;
    }
    return !last || last.nodeName === "BR" || /\n$/.test(last.data);
  }
  function atEndOf(block, r) {
    var after = document.createRange();
    after.setStart(r.endContainer, r.endOffset);
    after.setEnd(block, block.childNodes.length);
    return after.toString().replace(/\n/g, "") === "";
  }
  function leave(rich, block, r) {
    var own = r.startContainer.nodeType === 1 ? r.startContainer : r.startContainer.parentElement;
    var para = own.closest("p, div");
    if (para && para !== block && block.contains(para)) {
      para.parentNode.removeChild(para);
    }
    // The empty last line goes: trailing line breaks and newlines.
    for (var n = block.lastChild; n; n = block.lastChild) {
      if (n.nodeName === "BR" || n.nodeType === 3 && n.data.trim() === "") {
        block.removeChild(n);
      } else if (n.nodeType === 3 && /\n$/.test(n.data)) {
        n.data = n.data.replace(/\n+$/, "");
      } else {
        break;
      }
    }
    var p = paragraph();
    block.parentNode.insertBefore(p, block.nextSibling);
    if (blank(block)) block.parentNode.removeChild(block);
    caretIn(p, false);
  }
  // (On beforeinput rather than keydown: the paragraph Enter would insert is what is replaced,
  // however the key reached the page.)
  document.addEventListener("beforeinput", function (e) {
    if (e.inputType !== "insertParagraph" || e.isComposing || e.defaultPrevented) return;
    var rich = e.target.hasAttribute && e.target.hasAttribute("data-thread-rich") ? e.target : null;
    var s = window.getSelection();
    if (!rich || !s.rangeCount || !s.isCollapsed) return;
    var r = s.getRangeAt(0);
    var block = blockOf(rich, "pre, blockquote");
    if (!block) return;
    e.preventDefault();
    if (atEndOf(block, r) && lineIsEmpty(block, r)) {
      leave(rich, block, r);
    } else {
      document.execCommand("insertLineBreak");
    }
    var form = rich.closest("[data-thread-editor]");
    pressed(form, rich);
    sync(form);
  });

  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("[data-thread-editor]");
    if (form && e.target.hasAttribute("data-thread-rich")) {
      tidy(e.target);
      sync(form);
    }
  });
  document.addEventListener("focusin", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-thread-rich")) {
      document.execCommand("defaultParagraphSeparator", false, "p");
      document.execCommand("styleWithCSS", false, false); // <b>, not <span style="...">
      tidy(e.target);
    }
  });
  document.addEventListener("submit", function (e) {
    if (e.target.matches && e.target.matches("[data-thread-editor]")) sync(e.target);
  }, true);
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt;
    if (!form.matches || !form.matches("[data-thread-editor]")) return;
    var rich = form.querySelector("[data-thread-rich]");
    if (rich) e.detail.parameters.description = serialise(rich);
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
      ensureCaret(rich);
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
        window.getSelection().collapseToEnd(); // typing goes on after the link
      }
      box.hidden = true;
      box.querySelector("[data-thread-link-url]").value = "";
    } else {
      ensureCaret(rich);
      if (name === "pre" || name === "blockquote") {
        var block = blockOf(rich, name);
        if (block) {
          unwrap(rich, block); // pressed again: back to paragraphs
        } else {
          document.execCommand("formatBlock", false, name);
        }
      } else if (name === "insertOrderedList" || name === "insertUnorderedList") {
        toggleList(rich, name === "insertOrderedList" ? "OL" : "UL");
      } else if (!(document.queryCommandState(name) && unstyle(rich, name === "bold" ? "b, strong" : "i, em"))) {
        document.execCommand(name, false, null);
      }
    }
    tidy(rich);
    pressed(form, rich);
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
