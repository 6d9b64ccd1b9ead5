// The Messenger's pages, inside the launcher's iframe (or opened on their own).
//
// - On /messenger/frame: post the identity from the URL fragment to /messenger/session and go
//   to the session's pages. The fragment never reaches a server or a Referer.
// - On the session's pages: listen to the event stream; post the badge count (only the count)
//   to the host page; reload the visible region with htmx when there is news; mark a thread
//   seen only while the Messenger is open and the document visible.
(function () {
  'use strict';

  var embedded = window.parent !== window;
  var open = !embedded; // on its own, the Messenger is always open
  var baseMeta = document.querySelector('meta[name="helpdesk-base"]');
  var base = baseMeta ? baseMeta.content : '';

  function tell(message) {
    if (embedded) window.parent.postMessage(message, '*');
  }

  // --- Signing in --------------------------------------------------------------------------

  function signIn() {
    var status = document.getElementById('signin-status');
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    history.replaceState(null, '', location.pathname); // the identity leaves the address bar
    var body = {};
    if (params.get('jwt')) body.user_jwt = params.get('jwt');
    if (params.get('user_id')) body.user_id = params.get('user_id');
    if (params.get('user_hash')) body.user_hash = params.get('user_hash');
    fetch('/messenger/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer'
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (r.ok && answer.url) {
          location.replace(answer.url);
          return;
        }
        var reason = answer.error || 'we could not sign you in';
        status.textContent = 'We cannot sign you in: ' + reason + '.';
        status.setAttribute('data-refused', '');
        if (window.console) console.warn('Helpdesk Messenger: ' + reason);
      });
    }).catch(function () {
      status.textContent = 'We cannot reach the Messenger just now. Please try again later.';
    });
  }

  // --- Live updates ------------------------------------------------------------------------

  function watching() {
    return open && document.visibilityState === 'visible';
  }

  var busy = false, again = false, expired = false;

  function nearBottom() {
    var main = document.getElementById('main');
    return !main || main.scrollHeight - main.scrollTop - main.clientHeight < 80;
  }

  function scrollToBottom() {
    var main = document.getElementById('main');
    if (main && document.getElementById('timeline')) main.scrollTop = main.scrollHeight;
  }

  // refresh reloads what the page shows: new parts of the open thread, or the list region.
  function refresh() {
    var live = document.getElementById('live');
    if (expired || !live || !live.dataset.refresh || !window.htmx) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var url = live.dataset.refresh, done;
    if (live.dataset.mode === 'append') {
      if (!watching()) url += (url.indexOf('?') < 0 ? '?' : '&') + 'peek=1';
      var stick = nearBottom();
      done = htmx.ajax('GET', url, { target: '#timeline', swap: 'beforeend' }).then(function () {
        if (stick) scrollToBottom();
      });
    } else {
      done = htmx.ajax('GET', url, { target: '#region', select: '#region', swap: 'outerHTML' });
    }
    Promise.resolve(done).catch(function () {}).then(function () {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  // newer tells whether the stream knows of a part the page does not show yet.
  function newer(last) {
    var live = document.getElementById('live');
    return live && String(last) !== live.dataset.version;
  }

  // whenWatched marks the open thread seen once the customer looks at it again.
  function whenWatched() {
    var live = document.getElementById('live');
    if (watching() && live && live.dataset.mode === 'append') refresh();
  }

  // showExpired shows the page saying the session has ended.
  function showExpired() {
    if (expired) return;
    expired = true;
    tell({ type: 'helpdesk:badge', count: 0 });
    if (window.htmx) htmx.ajax('GET', base + '/', { target: 'body', swap: 'innerHTML' });
  }

  // A live refresh that fails leaves the page as it is (an error page must not land inside the
  // timeline); an ended session shows the page saying so. Pages the customer navigates to,
  // error pages included, show as they are.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var d = e.detail || {};
    if (!d.xhr || d.xhr.status < 400 || d.boosted || d.target === document.body) return;
    d.shouldSwap = false;
    if (d.xhr.status === 401) showExpired();
  });

  // The stream tells the badge and what changed. A page out of sight lets it go after a
  // second and listens again when shown (its first event is the state then): browsers allow
  // six connections to a server over HTTP/1.1, and a customer may have the product open in
  // many tabs, each with its Messenger.
  var stream = null, letGo = null;
  function listen() {
    if (expired) return;
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') {
        if (!letGo) letGo = setTimeout(function () {
          letGo = null;
          if (document.visibilityState === 'hidden' && stream) {
            stream.close();
            stream = null;
          }
        }, 1000);
        return;
      }
      if (letGo) clearTimeout(letGo);
      letGo = null;
      if (!stream && !expired) connect();
    });
    document.addEventListener('visibilitychange', whenWatched);
    connect();
  }

  function connect() {
    stream = new EventSource(base + '/events');
    stream.addEventListener('update', function (e) {
      var state;
      try {
        state = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      tell({ type: 'helpdesk:badge', count: Number(state.badge) || 0 });
      if (newer(state.last)) refresh();
    });
    stream.addEventListener('expired', function () {
      stream.close();
      stream = null;
      showExpired();
    });
  }

  // --- The page ----------------------------------------------------------------------------

  function localTimes(root) {
    var times = (root || document).querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var d = new Date(times[i].getAttribute('datetime'));
      if (!isNaN(d)) {
        times[i].textContent = d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
      }
    }
  }

  function setUp(root, navigated) {
    localTimes(root);
    var closers = document.querySelectorAll('[data-close]');
    for (var i = 0; i < closers.length; i++) closers[i].hidden = !embedded;
    var active = document.activeElement, main = document.getElementById('main');
    if (navigated && active && active !== document.body && main && main.contains(active)) {
      return; // the customer is already at work in the new page: leave them there
    }
    if (navigated) {
      // A refused form: to the first field with a problem.
      var invalid = document.querySelector('[aria-invalid="true"]');
      if (invalid) {
        invalid.focus();
        return;
      }
      scrollToBottom();
      var focus = document.querySelector('[data-autofocus]') || document.querySelector('main h1') || document.getElementById('main');
      if (focus) {
        if (!focus.hasAttribute('tabindex') && !/^(INPUT|TEXTAREA|SELECT|BUTTON|A)$/.test(focus.tagName)) focus.setAttribute('tabindex', '-1');
        focus.focus({ preventScroll: true });
      }
    }
  }

  document.addEventListener('submit', function (e) {
    // Dates typed into ticket forms are in the customer's time zone.
    var tz = e.target.querySelectorAll('[data-tz]');
    for (var i = 0; i < tz.length; i++) tz[i].value = String(-new Date().getTimezoneOffset());
  }, true);

  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && embedded) {
      tell({ type: 'helpdesk:close' });
      return;
    }
    // Ctrl/⌘ + Enter sends a reply; Enter alone starts a new line.
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.form && e.target.tagName === 'TEXTAREA') {
      e.preventDefault();
      if (e.target.form.requestSubmit) e.target.form.requestSubmit();
      else e.target.form.submit();
    }
  });

  document.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target : null;
    if (!t) return;
    if (t.closest('[data-close]')) tell({ type: 'helpdesk:close' });
    if (t.closest('[data-reload]')) {
      if (embedded) tell({ type: 'helpdesk:reload' });
      else location.reload();
    }
  });

  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || !e.data || e.data.type !== 'helpdesk:open') return;
    open = !!e.data.open;
    whenWatched();
  });

  document.addEventListener('htmx:afterSettle', function (e) {
    var d = e.detail || {};
    setUp(e.target, !!d.boosted);
  });

  function start() {
    setUp(document, false);
    scrollToBottom();
    if (document.querySelector('[data-signin]')) {
      signIn();
    } else if (base) {
      listen();
    }
    tell({ type: 'helpdesk:ready' });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
