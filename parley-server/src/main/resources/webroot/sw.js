// Parley's service worker (scope /): shows the server's push notifications and opens the conversation a click names.
// What it shows comes only from the push's payload (docs/api.md "Push payloads"): it fetches nothing and reads no
// store. A push is JSON {type: "message" | "clear", conversationId, title, body, count, latestSeq, badge} (or
// clear: true); the conversation id is the notification's tag, so a later push of it replaces the earlier one; a clear
// closes what is shown for its conversation (the user read it elsewhere). Both carry `badge`, the user's unread total,
// set as the app badge where the browser has the Badging API (navigator.setAppBadge; 0 clears it).

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function parse(data) {
  try {
    const p = data ? data.json() : null;
    return p && typeof p === 'object' ? p : {};
  } catch (e) {
    return {};
  }
}

const text = (v, max) => (typeof v === 'string' ? v.slice(0, max) : '');

/** Sets the app badge to the push's unread total; a push without one, or a browser without the API, changes nothing. */
function badge(p) {
  const n = p.badge;
  if (!Number.isInteger(n) || n < 0 || typeof self.navigator.setAppBadge !== 'function') {
    return Promise.resolve();
  }
  // A refusal is logged and goes no further: it must not fail the push event (the notification shows regardless).
  return (n > 0 ? self.navigator.setAppBadge(n) : self.navigator.clearAppBadge())
    .catch((e) => console.warn('Parley: the app badge could not be set:', e));
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  const p = parse(event.data);
  const id = typeof p.conversationId === 'string' && ID.test(p.conversationId) ? p.conversationId : null;
  if (p.clear === true || p.type === 'clear') {
    event.waitUntil(Promise.all([badge(p), id ? self.registration.getNotifications({ tag: id })
      .then((shown) => shown.forEach((n) => n.close())) : Promise.resolve()]));
    return;
  }
  const options = { body: text(p.body, 500), data: { conversationId: id, latestSeq: Number(p.latestSeq) || 0 } };
  if (id) {
    options.tag = id;
    options.renotify = true;
  }
  event.waitUntil(Promise.all([badge(p),
    self.registration.showNotification(text(p.title, 200) || 'New message', options)]));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const id = event.notification.data && event.notification.data.conversationId;
  const url = new URL(id ? `/#/c/${encodeURIComponent(id)}` : '/', self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (!open) {
      return self.clients.openWindow(url);
    }
    if (id) {
      open.postMessage({ type: 'parley.open', conversationId: id });
    }
    return open.focus();
  }));
});
