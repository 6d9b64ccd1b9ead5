// Live updates (SPEC IN5): the page listens to /inbox/events and has htmx refresh what changed.
//
// - For each conversation or ticket that changed, the "live" event goes to the elements marked
//   data-live-conversation="ID"; to every one of them when the server says that a lot changed.
// - After any change, the "live" event goes to the elements marked data-live-list, once for
//   several changes close together (at most about once a second).
// Those elements carry hx-get (their fresh self) and hx-trigger="live".
//
// What a region shows already is not loaded again. Every answer of the Inbox says where the
// change log was when its content was read (X-Live-Position; Server-Timing for the page
// itself), and the answer to an action which changes it made (X-Live-Own): a change is told
// to a region only if the content it has does not show it. The page's stream starts from the
// page's own position, so nothing that happened while it loaded is missed.
//
// An element is not refreshed under the teammate's fingers: while the focus is inside it (a
// field, an editor, a menu left open; not a button just used), its refresh waits until the
// focus leaves. A hidden page gathers the changes and refreshes when it is shown again. A change that arrives while htmx is loading
// a region is told again once the region is in place (if the region does not show it).
//
// The page's state is on <html data-live="...">: "connecting", "on", "off", or "paused" (hidden,
// without a stream).
(function () {
  'use strict';

  if (!window.EventSource || !document.querySelector('header.top')) return; // not signed in

  var root = document.documentElement;
  var stream = null;
  var lastId = '';
  var pause = 2000; // before opening a stream again, growing up to a minute
  var seq = 0; // numbers the change events, to tell which arrived during a request
  var recent = []; // the last change events: {seq, changes, all}
  var hidden = { changes: [], all: false, any: false }; // gathered while the page is hidden

  function setState(s) {
    root.setAttribute('data-live', s);
  }

  // --- What a region shows -----------------------------------------------------------------

  // known is what an answer says of its content: {pos, own}, or null.
  function known(pos, own) {
    var p = Number(pos);
    if (pos === null || pos === '' || !isFinite(p)) return null;
    var k = { pos: p, own: {} };
    String(own || '').split(',').forEach(function (id) {
      if (id) k.own[id] = true;
    });
    return k;
  }

  function pagePosition() {
    try {
      var nav = performance.getEntriesByType('navigation')[0];
      var timings = (nav && nav.serverTiming) || [];
      for (var i = 0; i < timings.length; i++) {
        if (timings[i].name === 'live') return timings[i].description;
      }
    } catch (err) {
      // no navigation timing: the stream starts from the page's age instead
    }
    return '';
  }

  var start = pagePosition();
  root.liveKnown = known(start, '');

  // shows tells whether el's content shows a change: its ids in the log (null: unknown).
  function shows(el, logs) {
    if (!logs || logs.length === 0) return false;
    for (var n = el; n; n = n.parentElement) {
      var k = n.liveKnown;
      if (!k) continue;
      return logs.every(function (l) {
        return l <= k.pos || k.own[l] === true;
      });
    }
    return false;
  }

  // --- Telling the regions ---------------------------------------------------------------

  // busy tells whether the teammate is at work in el: the focus is in a field or an editor in
  // it, or in a menu left open. A button or a link just used is no work in progress: the region
  // is refreshed, and the focus comes back to it (base.js), so that a header whose button was
  // used last does not go on showing a state that changed since.
  function busy(el) {
    var a = document.activeElement;
    if (!a || a === document.body || a === root || !el.contains(a)) return false;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) || a.isContentEditable) return true;
    var menu = a.closest('details');
    return !!menu && menu.open && el.contains(menu);
  }

  var waiting = typeof WeakSet === 'function' ? new WeakSet() : null;

  // later sends "live" to el once the focus has left it.
  function later(el) {
    if (!waiting || waiting.has(el)) return;
    waiting.add(el);
    el.addEventListener('focusout', function left(e) {
      if (e.relatedTarget && el.contains(e.relatedTarget)) return;
      el.removeEventListener('focusout', left);
      waiting.delete(el);
      // The focus moves on after focusout: look again once it has.
      setTimeout(function () {
        if (el.isConnected) fire(el);
      }, 0);
    });
  }

  var inflight = []; // the htmx requests in flight: {xhr, target, at}

  // fire sends "live" to el, or, while the teammate is at work in it, once the focus leaves.
  // An element that a request in flight is about to replace, or that htmx has just put in
  // place and not yet set up (class htmx-added), is told once that is done (below).
  function fire(el) {
    var now = Date.now();
    for (var i = 0; i < inflight.length; i++) {
      var r = inflight[i];
      if (r.target && now - r.at < 30000 && r.target.contains(el)) return;
    }
    if (el.closest('.htmx-added')) return;
    if (busy(el)) {
      later(el);
      return;
    }
    if (window.htmx) {
      window.htmx.trigger(el, 'live');
    } else {
      el.dispatchEvent(new CustomEvent('live'));
    }
  }

  // A refresh that comes back while the teammate has started working in the region is not put
  // in place: it is asked for again once the focus leaves.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var d = e.detail || {};
    var cause = d.requestConfig && d.requestConfig.triggeringEvent;
    if (!cause || cause.type !== 'live' || !d.target) return;
    if (busy(d.target)) {
      d.shouldSwap = false;
      later(d.target);
      return;
    }
    if (d.xhr) d.xhr.liveKept = unsent(d.target);
  });

  // A choice made in a region and not sent yet (a teammate picked in a select, typed in a field,
  // then looked elsewhere) is kept through the region's refresh: what the teammate was about to
  // do stands, whatever the refresh shows.
  function unsent(region) {
    var kept = [];
    var fields = region.querySelectorAll('input[id]:not([type=hidden]), textarea[id], select[id]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.tagName === 'SELECT') {
        var chosen = [], changed = false;
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].selected !== f.options[j].defaultSelected) changed = true;
          if (f.options[j].selected) chosen.push(f.options[j].value);
        }
        if (changed) kept.push({ id: f.id, values: chosen });
      } else if (f.type === 'checkbox' || f.type === 'radio') {
        if (f.checked !== f.defaultChecked) kept.push({ id: f.id, checked: f.checked });
      } else if (f.value !== f.defaultValue) {
        kept.push({ id: f.id, value: f.value });
      }
    }
    return kept;
  }
  document.addEventListener('htmx:afterSettle', function (e) {
    var xhr = e.detail && e.detail.xhr;
    var kept = xhr && xhr.liveKept;
    if (!kept) return;
    xhr.liveKept = null;
    kept.forEach(function (k) {
      var f = document.getElementById(k.id);
      if (!f) return;
      if (k.values) {
        for (var j = 0; j < f.options.length; j++) f.options[j].selected = k.values.indexOf(f.options[j].value) >= 0;
      } else if (typeof k.checked === 'boolean') {
        f.checked = k.checked;
      } else {
        f.value = k.value;
      }
    });
  });

  var listTimer = null;
  var listFirst = 0;
  var listChanges = []; // the changes the lists have not been told yet
  var listAll = false;

  // listsSoon refreshes the lists that do not show the changes, 300 ms after the last change
  // and at most a second after the first one.
  function listsSoon(changes, all) {
    listChanges = listChanges.concat(changes);
    listAll = listAll || all;
    var now = Date.now();
    if (listTimer === null) listFirst = now;
    else clearTimeout(listTimer);
    var wait = Math.max(0, Math.min(300, listFirst + 1000 - now));
    listTimer = setTimeout(function () {
      var pending = listChanges;
      var everything = listAll;
      listTimer = null;
      listChanges = [];
      listAll = false;
      document.querySelectorAll('[data-live-list]').forEach(function (el) {
        var stale = everything || pending.some(function (c) {
          return !shows(el, c[1]);
        });
        if (stale) fire(el);
      });
    }, wait);
  }

  // apply tells the regions of changes ([[id, logs], ...]), or of everything.
  function apply(changes, all) {
    if (all) {
      document.querySelectorAll('[data-live-conversation]').forEach(fire);
    } else {
      changes.forEach(function (c) {
        var n = Number(c[0]);
        if (!isFinite(n)) return;
        document.querySelectorAll('[data-live-conversation="' + n + '"]').forEach(function (el) {
          if (!shows(el, c[1])) fire(el);
        });
      });
    }
    if (all || changes.length > 0) listsSoon(changes, all);
  }

  function changed(changes, all) {
    seq++;
    recent.push({ seq: seq, changes: changes, all: all });
    if (recent.length > 50) recent.shift();
    if (document.visibilityState === 'hidden') {
      hidden.changes = hidden.changes.concat(changes);
      hidden.all = hidden.all || all;
      hidden.any = true;
      return;
    }
    apply(changes, all);
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState !== 'visible' || !hidden.any) return;
    var h = hidden;
    hidden = { changes: [], all: false, any: false };
    apply(h.changes, h.all);
  });

  // What htmx puts in place shows what its answer says; a change that arrived while it was
  // loading is told again once it is set up, and reaches it if it does not show it.
  document.addEventListener('htmx:beforeRequest', function (e) {
    var d = e.detail || {};
    if (!d.xhr) return;
    d.xhr.liveSeq = seq;
    var now = Date.now();
    inflight = inflight.filter(function (r) {
      return now - r.at < 30000; // a request cancelled before it was sent
    });
    inflight.push({ xhr: d.xhr, target: d.target, at: now });
  });
  function replay(xhr) {
    if (!xhr || typeof xhr.liveSeq !== 'number') return;
    var from = xhr.liveSeq;
    xhr.liveSeq = undefined;
    if (from === seq) return;
    var changes = [];
    var all = recent.length > 0 && recent[0].seq > from + 1; // some were forgotten: all
    recent.forEach(function (c) {
      if (c.seq <= from) return;
      all = all || c.all;
      changes = changes.concat(c.changes);
    });
    apply(changes, all);
  }
  document.addEventListener('htmx:afterSwap', function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (!xhr) return;
    xhr.liveSwapped = true;
    var k = known(xhr.getResponseHeader('X-Live-Position'), xhr.getResponseHeader('X-Live-Own'));
    if (k && e.target instanceof Element) e.target.liveKnown = k;
  });
  // htmx swaps before it says afterRequest, and sets the new content up a little later
  // (afterSettle): tell again then. An answer put nowhere (refused, failed, empty, or held
  // back above) is done with at once.
  document.addEventListener('htmx:afterRequest', function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (!xhr) return;
    inflight = inflight.filter(function (r) {
      return r.xhr !== xhr;
    });
    if (!xhr.liveSwapped) replay(xhr);
  });
  document.addEventListener('htmx:afterSettle', function (e) {
    replay(e.detail && e.detail.xhr);
  });

  // --- Banners ---------------------------------------------------------------------------

  function banner(text, action) {
    var old = document.getElementById('live-banner');
    if (old) old.remove();
    var div = document.createElement('div');
    div.id = 'live-banner';
    div.className = 'live-banner';
    div.setAttribute('role', 'status');
    div.appendChild(document.createTextNode(text + ' '));
    div.appendChild(action);
    document.body.insertBefore(div, document.body.firstChild);
  }

  // editing tells whether the teammate has typed something not sent yet.
  function editing() {
    var fields = document.querySelectorAll('textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return !!document.querySelector('[contenteditable="true"]:focus');
  }

  function outdated() {
    if (!editing()) {
      location.reload();
      return;
    }
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Reload';
    b.addEventListener('click', function () {
      location.reload();
    });
    banner('This page has missed changes while it was away.', b);
  }

  function signedOut() {
    var a = document.createElement('a');
    a.href = '/inbox/login?next=' + encodeURIComponent(location.pathname + location.search);
    a.textContent = 'Sign in again';
    banner('Your session has ended: this page no longer updates.', a);
  }

  // --- The stream ------------------------------------------------------------------------

  function close() {
    if (stream) stream.close();
    stream = null;
    setState('off');
  }

  function open() {
    var from;
    if (lastId) from = 'last=' + encodeURIComponent(lastId);
    else if (start) from = 'after=' + encodeURIComponent(start);
    else from = 'age=' + Math.round(performance.now());
    setState('connecting');
    stream = new EventSource('/inbox/events?' + from);
    var s = stream;
    function heard(e) {
      if (e.lastEventId) lastId = e.lastEventId;
      pause = 2000;
      setState('on');
    }
    s.addEventListener('ready', heard);
    s.addEventListener('change', function (e) {
      heard(e);
      var data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      var logs = data.logs || {};
      var changes = (Array.isArray(data.ids) ? data.ids : []).map(function (id) {
        return [id, Array.isArray(logs[id]) ? logs[id] : null];
      });
      changed(changes, data.all === true);
    });
    s.addEventListener('reload', function () {
      close();
      outdated();
    });
    s.addEventListener('expired', function () {
      close();
      signedOut();
    });
    s.addEventListener('error', function () {
      if (s !== stream) return;
      if (s.readyState !== EventSource.CLOSED) {
        setState('connecting'); // the browser tries again by itself, with Last-Event-ID
        return;
      }
      // Refused (a server error, or the session ended and the sign-in page answered): try
      // again later, from the position we had.
      close();
      setTimeout(function () {
        if (document.visibilityState === 'hidden') setState('paused'); // opened when shown
        else if (!stream) open();
      }, pause);
      pause = Math.min(pause * 2, 60000);
    });
  }

  window.addEventListener('pagehide', close);
  window.addEventListener('pageshow', function (e) {
    if (e.persisted && !stream) open(); // back from the page cache
  });

  // A page out of sight lets its stream go a second after it was hidden, and opens it
  // again from where it was when it is shown: browsers allow only six connections to a
  // server over HTTP/1.1, so a teammate with many Inbox tabs would otherwise find the seventh
  // waiting. What changed meanwhile comes when the stream opens again (or the page reloads,
  // if it was away too long).
  var letGo = null;
  function pauseSoon() {
    if (letGo) return;
    letGo = setTimeout(function () {
      letGo = null;
      if (document.visibilityState === 'hidden' && stream) {
        close();
        setState('paused');
      }
    }, 1000);
  }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      pauseSoon();
      return;
    }
    if (letGo) clearTimeout(letGo);
    letGo = null;
    if (!stream) open();
  });
  open();
  if (document.visibilityState === 'hidden') pauseSoon(); // opened in a background tab
})();
