// Helpdesk Messenger: the one script a host page includes (SPEC M1).
//
//   <script src="{BASE}/messenger.js" data-user-jwt="JWT" async></script>
//
// or, before it, window.HelpdeskSettings = { user_jwt: "JWT" } (or Intercom's legacy
// { user_id: "42", user_hash: "HMAC" }). It adds a launcher button with a badge and an iframe,
// hidden until the launcher opens it, on the Messenger's frame page. The identity goes in the
// iframe URL's fragment, which browsers never send to a server nor put in a Referer.
(function () {
  'use strict';
  var BASE = "{{BASE_URL}}"; // filled in by the server
  var script = document.currentScript; // only while this script first runs
  if (window.HelpdeskMessenger) return; // included twice: once is enough
  var origin = new URL(BASE, location.href).origin;

  function setting(attr, name) {
    var v = script && script.getAttribute(attr);
    if (v) return v;
    var s = window.HelpdeskSettings || {};
    return s[name] == null ? '' : String(s[name]);
  }

  function fragment() {
    var jwt = setting('data-user-jwt', 'user_jwt');
    if (jwt) return 'jwt=' + encodeURIComponent(jwt);
    var id = setting('data-user-id', 'user_id'), hash = setting('data-user-hash', 'user_hash');
    if (id || hash) return 'user_id=' + encodeURIComponent(id) + '&user_hash=' + encodeURIComponent(hash);
    if (window.console) console.warn('Helpdesk Messenger: no identity: add data-user-jwt to the script tag');
    return '';
  }

  var launcher, badge, frame, isOpen = false, count = 0;

  function css(el, styles) {
    for (var k in styles) el.style[k] = styles[k];
  }

  function label() {
    var l = isOpen ? 'Close messages' : 'Open messages';
    if (count > 0) l += ' (' + count + ' unread)';
    launcher.setAttribute('aria-label', l);
  }

  function setBadge(n) {
    count = Math.max(0, Math.floor(Number(n) || 0));
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.style.display = count > 0 ? 'flex' : 'none';
    launcher.setAttribute('data-count', String(count));
    label();
  }

  function tellFrame() {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: 'helpdesk:open', open: isOpen }, origin);
  }

  function setOpen(o, focus) {
    isOpen = o;
    frame.style.display = o ? 'block' : 'none';
    launcher.setAttribute('aria-expanded', String(o));
    label();
    tellFrame();
    if (focus) (o ? frame : launcher).focus();
  }

  function load() {
    frame.src = BASE + '/messenger/frame#' + fragment();
  }

  function mount() {
    launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.id = 'helpdesk-launcher';
    launcher.setAttribute('aria-controls', 'helpdesk-messenger');
    launcher.setAttribute('aria-expanded', 'false');
    css(launcher, {
      position: 'fixed', right: '20px', bottom: '20px', width: '58px', height: '58px', borderRadius: '50%',
      border: '0', padding: '0', cursor: 'pointer', background: '#3151d3', color: '#fff', zIndex: '2147483000',
      boxShadow: '0 6px 20px rgba(20,30,60,.3)', display: 'flex', alignItems: 'center', justifyContent: 'center'
    });
    var svgNS = 'http://www.w3.org/2000/svg';
    var icon = document.createElementNS(svgNS, 'svg');
    icon.setAttribute('width', '28');
    icon.setAttribute('height', '28');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('aria-hidden', 'true');
    icon.setAttribute('focusable', 'false');
    var path = document.createElementNS(svgNS, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z');
    icon.appendChild(path);
    launcher.appendChild(icon);

    badge = document.createElement('span');
    badge.id = 'helpdesk-badge';
    badge.setAttribute('aria-hidden', 'true'); // the launcher's label says the count
    css(badge, {
      position: 'absolute', top: '-4px', right: '-4px', minWidth: '22px', height: '22px', padding: '0 6px',
      borderRadius: '11px', background: '#e5484d', color: '#fff', font: '700 12px/22px system-ui,sans-serif',
      display: 'none', alignItems: 'center', justifyContent: 'center', boxSizing: 'border-box', border: '2px solid #fff'
    });
    launcher.appendChild(badge);

    frame = document.createElement('iframe');
    frame.id = 'helpdesk-messenger';
    frame.title = 'Messenger';
    frame.setAttribute('referrerpolicy', 'no-referrer');
    css(frame, {
      position: 'fixed', right: '20px', bottom: '92px', width: '380px', height: '640px',
      maxWidth: 'calc(100vw - 40px)', maxHeight: 'calc(100vh - 112px)', border: '0', borderRadius: '14px',
      boxShadow: '0 12px 40px rgba(20,30,60,.28)', background: '#fff', zIndex: '2147483000', display: 'none'
    });

    launcher.addEventListener('click', function () { setOpen(!isOpen, true); });
    window.addEventListener('message', function (e) {
      if (e.origin !== origin || e.source !== frame.contentWindow) return;
      var d = e.data;
      if (!d || typeof d !== 'object') return;
      if (d.type === 'helpdesk:badge') setBadge(d.count);
      else if (d.type === 'helpdesk:ready') tellFrame();
      else if (d.type === 'helpdesk:close') setOpen(false, true);
      else if (d.type === 'helpdesk:reload') load();
    });

    setBadge(0);
    document.body.appendChild(frame);
    document.body.appendChild(launcher);
    load();
  }

  window.HelpdeskMessenger = {
    open: function () { if (frame) setOpen(true, true); },
    close: function () { if (frame) setOpen(false, false); }
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
