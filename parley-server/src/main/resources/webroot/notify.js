// Notifications (issue 15): the opt-in to push on this browser and the mute of a conversation. The user's click on
// the bell is the only thing that asks Notification.requestPermission; then the service worker (/sw.js, scope /)
// subscribes with the server's VAPID public key (GET /api/v1/push/vapid-public-key) and the subscription is
// registered as a device of this session (POST /api/v1/devices, docs/api.md "Devices"). A browser that allowed
// notifications before registers its subscription again at each start, so it follows the current session. The mute
// control sets the conversation's level (PUT /api/v1/conversations/{id}/notifications: none, or default) and reads
// the conversation back for the level in effect (its "notify": all, mentions or none).
//
// The service worker tells a page to open a conversation (a notification's click) with {type: 'parley.open'}.

const SW_URL = '/sw.js';

/** Whether this browser can take push at all (service workers, the Push API and notifications). */
export function pushSupported(win = globalThis) {
  return !!(win.navigator && 'serviceWorker' in win.navigator && 'PushManager' in win && 'Notification' in win);
}

/** The VAPID public key (base64url, RFC 8292's uncompressed P-256 point) as pushManager.subscribe wants it. */
export function applicationServerKey(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

/** The level a click on the mute control asks for: a muted conversation goes back to the default, others to none. */
export function nextLevel(notify) {
  return notify === 'none' ? 'default' : 'none';
}

/**
 * The notification actions on `store` (state key `notifications`: {supported, permission, enabled, busy, deviceId}).
 * `openConversation` opens what a notification's click names; `toast` tells the user what went wrong.
 */
export function createNotifications(store, { openConversation, toast, describeError }) {
  const s = () => store.state;
  const set = (patch) => store.set({ notifications: { ...s().notifications, ...patch } });
  let listening = false;

  async function register(reg) {
    let sub = await reg.pushManager.getSubscription();
    if (!sub) {
      const { publicKey } = await s().api.request('GET', '/push/vapid-public-key');
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true,
        applicationServerKey: applicationServerKey(publicKey) });
    }
    const device = await s().api.request('POST', '/devices', { platform: 'webpush', subscription: sub.toJSON() });
    set({ enabled: true, deviceId: device.id });
  }

  /** At start: the page listens to its service worker, and an earlier opt-in is registered for this session. */
  async function resumeNotifications() {
    if (!pushSupported()) {
      set({ supported: false });
      return;
    }
    if (!listening) { // once per page: a new login reuses it
      listening = true;
      navigator.serviceWorker.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'parley.open' && typeof e.data.conversationId === 'string') {
          openConversation(e.data.conversationId);
        }
      });
      navigator.serviceWorker.startMessages();
    }
    set({ supported: true, permission: Notification.permission });
    const reg = await navigator.serviceWorker.getRegistration('/');
    if (Notification.permission === 'granted' && reg && (await reg.pushManager.getSubscription())) {
      await register(reg).catch((err) => toast(`Notifications are off: ${describeError(err)}`, 'error'));
    }
  }

  /** The bell: on asks for permission (this click is the user's gesture) and subscribes; off unsubscribes. */
  async function toggleNotifications() {
    const n = s().notifications;
    // Asked of the browser, not of the state: a click before the start-up's resumeNotifications ran still works.
    if (!pushSupported()) {
      toast('This browser cannot show notifications from Parley.', 'error');
      return;
    }
    if (n.busy) {
      return;
    }
    set({ busy: true });
    try {
      if (n.enabled) {
        const reg = await navigator.serviceWorker.getRegistration('/');
        const sub = reg && (await reg.pushManager.getSubscription());
        await sub?.unsubscribe();
        if (n.deviceId) {
          await s().api.request('DELETE', `/devices/${encodeURIComponent(n.deviceId)}`);
        }
        set({ enabled: false, deviceId: null });
        return;
      }
      const permission = await Notification.requestPermission();
      set({ permission });
      if (permission !== 'granted') {
        toast('Notifications are blocked for this site: allow them in the browser\'s site settings.', 'error');
        return;
      }
      await navigator.serviceWorker.register(SW_URL, { scope: '/' });
      await register(await navigator.serviceWorker.ready);
      toast('Notifications are on for this browser.');
    } catch (err) {
      toast(`Notifications could not be turned on: ${err.code ? describeError(err) : err.message}`, 'error');
    } finally {
      set({ busy: false });
    }
  }

  /** Mutes the conversation, or gives it back the default level; the server's answer is what the control shows. */
  async function toggleMute(id) {
    const c = s().convs.get(id);
    if (!c) {
      return;
    }
    try {
      await s().api.request('PUT', `/conversations/${encodeURIComponent(id)}/notifications`,
        { level: nextLevel(c.notify) });
      c.update(await s().api.conversation(id));
      store.touch('convs', 'header');
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  return { resumeNotifications, toggleNotifications, toggleMute };
}

export const INITIAL_NOTIFICATIONS = { supported: false, permission: 'default', enabled: false, busy: false,
  deviceId: null };
