// Everything that changes the app's state: the session, the client's events, REST loads, what the user does. Screens
// call these and render from the store; they never change the state themselves.

import { ParleyClient, State } from './parley-client.js';
import { ParleyApi } from './parley-api.js';
import { Conversation } from './model.js';
import { canRetry, describeError } from './format.js';
import { ErrorCodes } from './protocol.js';
import { ATTACHMENT_STATE, createAttachmentActions } from './attachments.js';
import { SEARCH_STATE, createSearchActions } from './search.js';
import { INITIAL_NOTIFICATIONS, createNotifications } from './notify.js';

const SESSION_KEY = 'parley.session';
const THEME_KEY = 'parley.theme';
const DRAFT_KEY = 'parley.draft:';
/** The server's default limits.max-body-chars, used until the welcome says otherwise. */
export const DEFAULT_MAX_BODY = 4000;
/**
 * Liveness of the connection: a ping every 2 s, dropped when unanswered for 2 s, so a cut network shows within 5 s
 * even when the browser does not notice it (its offline event covers the case it does).
 */
const CLIENT_HEARTBEAT_MS = 2000;
const CLIENT_PONG_TIMEOUT_MS = 2000;
const TYPING_REFRESH_MS = 2000;
// A token due within this long is refreshed before it is used (currentToken).
const TOKEN_REFRESH_AHEAD_MS = 60000;
/** Messages per history page (the server's default is 50; 30 fill a screen and page in often enough). */
export const PAGE_SIZE = 30;

export const INITIAL_STATE = {
  session: null, // { token, userId, username, expiresAt, refreshToken, sessionId }
  api: null,
  client: null,
  convs: new Map(), // conversationId -> Conversation (model.js)
  openId: null,
  replyTo: null, // messageId
  editing: null, // messageId
  composer: { text: '', n: 0 }, // a text the composer takes over when n changes (edit, clear)
  connection: { state: null, everLive: false, online: true },
  pane: 'list', // on a phone: which of the two screens shows ('list' or 'conversation')
  theme: null, // 'light' | 'dark' chosen by the user, or null: follow prefers-color-scheme
  loginMode: 'login', // 'login' | 'register': the visible form, which Enter submits
  seenOffline: new Map(), // userId -> ms when this app saw them go offline live (exact, unlike a coarse lastSeen)
  manageOpen: false,
  profileOpen: false,
  suggestions: [], // users the server's search found for the DM box
  manageError: '',
  dialog: null, // { title, kind, items: [{ text, detail }] } | null
  picker: null, // { target: 'composer' } | { target: 'message', conversationId, messageId } | null
  loginError: '',
  sidebarError: '',
  historyError: '',
  toast: null, // { text, kind, n }
  ...ATTACHMENT_STATE, // attachments.js
  ...SEARCH_STATE, // search.js
  notifications: INITIAL_NOTIFICATIONS, // push on this browser (notify.js)
};

export function loadSession(storage = localStorage, now = Date.now()) {
  const raw = storage.getItem(SESSION_KEY);
  if (!raw) {
    return null;
  }
  const s = JSON.parse(raw);
  // An expired access token is no loss while a refresh token can get a new one (docs/api.md, Sessions).
  if (!s.token || (!s.refreshToken && s.expiresAt && Date.parse(s.expiresAt) <= now)) {
    storage.removeItem(SESSION_KEY);
    return null;
  }
  return s;
}

export function createActions(store) {
  // Bookkeeping no screen shows: timers, throttles, counters between two events.
  const work = { typingSentAt: 0, replayedMessages: 0, refreshTimer: null, loadingOlder: false, orphans: [],
    toastTimer: null, toastN: 0 };
  const s = () => store.state;
  const conv = (id) => s().convs.get(id);

  function toast(text, kind) {
    work.toastN++;
    store.set({ toast: { text, kind: kind || 'info', n: work.toastN } });
    clearTimeout(work.toastTimer);
    work.toastTimer = setTimeout(() => store.set({ toast: null }), 5000);
  }

  // ---- session -------------------------------------------------------------------------------------------------

  function setLoginMode(mode) {
    store.set({ loginMode: mode, loginError: '' });
  }

  async function login(username, password, register) {
    store.set({ loginError: '' });
    try {
      const anonymous = new ParleyApi();
      const r = await (register ? anonymous.register(username.trim(), password)
        : anonymous.login(username.trim(), password));
      const session = { token: r.token, userId: r.userId, username: r.username, expiresAt: r.expiresAt,
        refreshToken: r.refreshToken, sessionId: r.sessionId, displayName: null };
      localStorage.setItem(SESSION_KEY, JSON.stringify(session));
      store.set({ session });
      await start();
      return true;
    } catch (err) {
      store.set({ loginError: describeError(err, register ? 'register' : 'login') });
      return false;
    }
  }

  /**
   * The access token for the next request or connection. Access tokens are short-lived (auth.token-ttl, 15 min by
   * default): one due within a minute is exchanged for a new one with the refresh token. Tabs of one browser share the
   * session, and a refresh token is good once (a replayed one revokes the session), so the exchange runs under a Web
   * Lock and first re-reads the stored session, which another tab may have refreshed already.
   */
  let refreshing = null;
  function currentToken() {
    const session = s().session;
    if (!session || !session.refreshToken || !session.expiresAt
      || Date.now() < Date.parse(session.expiresAt) - TOKEN_REFRESH_AHEAD_MS) {
      return session ? session.token : null;
    }
    if (!refreshing) {
      const exchange = async () => {
        const stored = loadSession();
        if (stored && stored.userId === session.userId && stored.token !== session.token
          && Date.now() < Date.parse(stored.expiresAt) - TOKEN_REFRESH_AHEAD_MS) {
          store.set({ session: { ...s().session, ...stored } });
          return stored.token;
        }
        const from = stored && stored.userId === session.userId ? stored : session;
        const r = await new ParleyApi().refresh(from.refreshToken);
        const next = { ...s().session, token: r.token, expiresAt: r.expiresAt, refreshToken: r.refreshToken };
        localStorage.setItem(SESSION_KEY, JSON.stringify(next));
        store.set({ session: next });
        return r.token;
      };
      const run = globalThis.navigator && navigator.locks
        ? navigator.locks.request('parley-token-refresh', exchange) : exchange();
      refreshing = run.finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  function logout(message) {
    const { client, api } = s();
    if (!message && api) {
      // The user's own logout ends the session on the server too (its other sockets close with 4003). The local
      // logout below does not wait for it; a failure leaves the session to expire and is reported to the console.
      api.logout().catch((err) => console.warn('logout: the server did not end the session:', err));
    }
    if (client) {
      client.close();
      client.clearStorage();
    }
    localStorage.removeItem(SESSION_KEY);
    if (s().session) {
      const prefix = `${DRAFT_KEY}${s().session.userId}:`;
      Object.keys(localStorage).filter((k) => k.startsWith(prefix)).forEach((k) => localStorage.removeItem(k));
    }
    history.replaceState(null, '', location.pathname);
    store.set({ ...INITIAL_STATE, convs: new Map(), seenOffline: new Map(), theme: s().theme,
      connection: { ...INITIAL_STATE.connection, online: s().connection.online }, loginError: message || '' });
  }

  async function start() {
    const session = s().session;
    const api = new ParleyApi({ token: currentToken });
    const client = new ParleyClient({
      token: currentToken,
      storageKey: `parley:${session.userId}`,
      unlisted: 'skip', // conversations new to this browser: history comes page by page over REST
      heartbeatIntervalMs: CLIENT_HEARTBEAT_MS,
      pongTimeoutMs: CLIENT_PONG_TIMEOUT_MS,
    });
    store.set({ api, client });
    // Held messages (waiting for review) are in storage too, apart from the outbox: they are not re-sent.
    for (const m of [...client.pending(), ...client.held()]) {
      adoptPending(m);
    }
    client.on('state', onState);
    client.on('event', onEvent);
    client.on('message', onOutgoing);
    client.on('synced', onSynced);
    client.on('receipts', onReceipts);
    client.on('typing', (t) => {
      if (t.conversationId === s().openId) {
        store.touch('typing');
      }
    });
    client.on('presence', (users) => {
      // A batch (not an answer to a query) says the change happened within the last batch window: now, near enough.
      const seen = s().seenOffline;
      users.forEach((u) => (u.status === 'offline' ? seen.set(u.userId, Date.now()) : seen.delete(u.userId)));
      store.touch('presence');
    });
    client.on('error', (e) => toast(`Server refused ${e.ref || 'a request'}: ${e.message || e.code}`));
    client.on('authfailed', () => logout('Your session has expired. Please log in again.'));
    onState(client.state);
    await refreshConversations();
    client.connect().catch((err) => {
      if (err.code !== 'unauthorized' && err.code !== 'closed') {
        toast(describeError(err));
      }
    });
    routeFromHash();
    loadProfile();
    notifications.resumeNotifications().catch((err) => toast(`Notifications: ${err.message}`, 'error'));
  }

  /** At boot: the remembered theme, the network as the browser sees it, the stored session or the login screen. */
  function boot() {
    store.set({ theme: localStorage.getItem(THEME_KEY), connection: { ...s().connection, online: navigator.onLine } });
    addEventListener('offline', () => {
      store.set({ connection: { ...s().connection, online: false } }, 'messages');
      // The socket may take a minute to notice by itself: drop it now (it reconnects on the online event).
      s().client?.abortConnection();
    });
    addEventListener('online', () => store.set({ connection: { ...s().connection, online: true } }, 'messages'));
    addEventListener('hashchange', () => routeFromHash());
    addEventListener('popstate', () => routeFromHash());
    const session = loadSession();
    if (!session) {
      store.set({ session: null });
      return;
    }
    store.set({ session });
    start().catch((err) => {
      // Any 401 here ends the session: the token was refused, or its refresh was (revoked, expired, replayed). The
      // stored session goes too, or the next load would try the dead refresh token again.
      if (err.code === 'unauthorized' || ErrorCodes[err.code]?.status === 401) {
        logout('Your session has expired. Please log in again.');
      } else {
        store.set({ session: null, loginError: describeError(err) });
      }
    });
  }

  // ---- client events -------------------------------------------------------------------------------------------

  function adoptPending(m) {
    const c = conv(m.conversationId);
    if (c) {
      c.outgoing.set(m.clientMsgId, m);
    } else {
      work.orphans.push(m);
    }
  }

  function onState(state) {
    if (state === State.SYNCING) {
      work.replayedMessages = 0;
    }
    const everLive = s().connection.everLive || state === State.LIVE;
    store.set({ connection: { ...s().connection, state, everLive } }, 'messages');
  }

  function onEvent(e) {
    const { client } = s();
    if (client.state === State.SYNCING && e.kind === 'message') {
      work.replayedMessages++;
    }
    const c = conv(e.conversationId);
    if (!c || e.kind.startsWith('member_') || e.kind === 'conversation_created') {
      refreshSoon();
    }
    if (!c) {
      return;
    }
    c.apply(e);
    if (e.conversationId === s().openId) {
      markReadIfVisible(c);
      store.touch('messages');
    }
    store.touch('convs');
  }

  function onOutgoing(m) {
    const c = conv(m.conversationId);
    if (!c) {
      return;
    }
    if (m.state === 'sent' && [...c.messages.values()].some((x) => x.clientMsgId === m.clientMsgId)) {
      c.outgoing.delete(m.clientMsgId);
    }
    if (m.conversationId === s().openId) {
      store.touch('messages');
    }
  }

  function onSynced(info) {
    if (info.resumed) {
      const n = work.replayedMessages;
      toast(n > 0 ? `You're all caught up · ${n} new message${n === 1 ? '' : 's'}` : "You're all caught up", 'caught-up');
    }
    refreshSoon();
  }

  function onReceipts(r) {
    const c = conv(r.conversationId);
    if (!c) {
      return;
    }
    const mine = r.receipts.find((x) => x.userId === s().session.userId);
    if (mine && mine.readSeq > c.readSeq) {
      // Read on another device: the unread badge follows.
      c.readSeq = mine.readSeq;
      for (const seq of [...c.localUnread]) {
        if (seq <= mine.readSeq) {
          c.localUnread.delete(seq);
        }
      }
      if (mine.readSeq >= c.serverUnreadAt) {
        c.serverUnread = 0;
      }
      store.touch('convs');
    }
    if (r.conversationId === s().openId) {
      store.touch('messages');
    }
  }

  // ---- conversations -------------------------------------------------------------------------------------------

  async function refreshConversations() {
    const list = await s().api.conversations();
    const { convs, session } = s();
    const seen = new Set();
    for (const j of list) {
      seen.add(j.id);
      const c = convs.get(j.id);
      if (c) {
        c.update(j);
      } else {
        convs.set(j.id, new Conversation(j, session.userId));
      }
    }
    for (const id of [...convs.keys()]) {
      if (!seen.has(id)) {
        convs.delete(id);
      }
    }
    for (const m of work.orphans.splice(0)) {
      adoptPending(m);
    }
    store.touch('convs', 'header');
    queryPresence();
  }

  function refreshSoon() {
    clearTimeout(work.refreshTimer);
    work.refreshTimer = setTimeout(() => {
      refreshConversations().catch((err) => store.set({ sidebarError: describeError(err) }));
    }, 150);
  }

  function queryPresence() {
    const { client, convs } = s();
    if (!client || client.state !== State.LIVE) {
      return; // asked again at the next synced
    }
    const ids = new Set();
    convs.forEach((c) => c.others().forEach((m) => ids.add(m.userId)));
    if (ids.size === 0) {
      return;
    }
    client.queryPresence([...ids].slice(0, 500)).then(() => store.touch('presence'), (err) => {
      if (err.code !== 'disconnected') {
        store.set({ sidebarError: describeError(err) }); // 'disconnected': the next synced asks again
      }
    });
  }

  async function openDirect(name) {
    store.set({ sidebarError: '' });
    try {
      const c = await s().api.openDirect(name.trim());
      await refreshConversations();
      openConversation(c.id);
      return true;
    } catch (err) {
      store.set({ sidebarError: describeError(err) });
      return false;
    }
  }

  async function resolveUsers(text) {
    const names = text.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
    const users = await Promise.all(names.map((n) => s().api.userByUsername(n)));
    return users.map((u) => u.userId);
  }

  async function createGroup(title, members) {
    store.set({ sidebarError: '' });
    try {
      const ids = await resolveUsers(members);
      const c = await s().api.createGroup(title.trim(), ids);
      await refreshConversations();
      openConversation(c.id);
      return true;
    } catch (err) {
      store.set({ sidebarError: describeError(err) });
      return false;
    }
  }

  function routeFromHash() {
    const m = location.hash.match(/^#\/c\/(.+)$/);
    if (m && s().convs.has(decodeURIComponent(m[1]))) {
      if (s().openId !== decodeURIComponent(m[1]) || s().pane !== 'conversation') {
        openConversation(decodeURIComponent(m[1]));
      }
    } else if (s().pane === 'conversation' && s().session) {
      store.set({ pane: 'list', manageOpen: false, picker: null, dialog: null }, 'focus-list');
    }
  }

  /** The phone's back control (and the browser's back button): the list screen again. */
  function back() {
    if (location.hash.startsWith('#/c/')) {
      history.pushState(null, '', location.pathname);
    }
    store.set({ pane: 'list', manageOpen: false, picker: null, dialog: null }, 'focus-list');
  }

  /** options.around: the conversation was just given the window around a search hit (search.js openHit). */
  function openConversation(id, options) {
    const c = conv(id);
    if (!c) {
      return;
    }
    const around = !!(options && options.around);
    if (!around) {
      if (c.hasMoreAfter) {
        c.unload(); // opened again after a search hit: the newest messages
      }
      if (s().highlight) {
        store.set({ highlight: null });
      }
    }
    const hash = `#/c/${encodeURIComponent(id)}`;
    if (location.hash !== hash) {
      // A history entry per opened conversation: the phone's (and the browser's) back returns to the list.
      history.pushState(null, '', hash);
    }
    if (s().openId !== id) {
      saveDraftNow();
      store.set({ openId: id, pane: 'conversation', replyTo: null, editing: null, historyError: '', manageOpen: false,
        manageError: '', picker: null, dialog: null,
        composer: { text: loadDraft(id), n: s().composer.n + 1 } }, 'messages', 'header', 'typing');
    } else {
      store.set({ pane: 'conversation' }, 'open', 'messages', 'header', 'typing');
    }
    if (!c.loaded) {
      loadNewest(c);
    }
    markReadIfVisible(c);
    store.touch('convs');
  }

  async function loadNewest(c) {
    const epoch = c.epoch;
    c.fetching++;
    let page;
    try {
      page = await s().api.messages(c.id, { limit: PAGE_SIZE });
    } catch (err) {
      store.set({ historyError: `Could not load messages: ${describeError(err)}` });
      return;
    } finally {
      c.fetching--;
    }
    if (epoch !== c.epoch) {
      return; // the window was replaced meanwhile (a search hit opened)
    }
    c.mergePage(page, false);
    if (c.id === s().openId) {
      store.touch('messages', 'scroll-bottom');
    }
    files.loadPageAttachments(c, page);
  }

  async function loadOlder(c) {
    if (work.loadingOlder || !c.hasMoreBefore || !c.loaded) {
      return;
    }
    const before = c.lowestSeq();
    if (before == null) {
      return;
    }
    work.loadingOlder = true;
    store.set({ historyError: 'Loading older messages…' });
    const epoch = c.epoch;
    c.fetching++;
    let page;
    try {
      page = await s().api.messages(c.id, { before, limit: PAGE_SIZE });
    } catch (err) {
      store.set({ historyError: `Could not load older messages: ${describeError(err)}` });
      return;
    } finally {
      c.fetching--;
      work.loadingOlder = false;
    }
    if (epoch !== c.epoch) {
      store.set({ historyError: '' });
      return;
    }
    c.mergePage(page, true);
    store.set({ historyError: '' }, c.id === s().openId ? 'messages' : 'convs');
    files.loadPageAttachments(c, page);
  }

  function markReadIfVisible(c) {
    const { client, openId } = s();
    if (document.visibilityState !== 'visible' || c.id !== openId || !client) {
      return;
    }
    if (c.lastSeq > c.readSeq) {
      client.markRead(c.id, c.lastSeq);
      c.readSeq = c.lastSeq;
    }
    c.localUnread.clear();
    c.serverUnread = 0;
  }

  function onVisible() {
    const c = conv(s().openId);
    if (c) {
      markReadIfVisible(c);
      store.touch('convs');
    }
  }

  // ---- messages ------------------------------------------------------------------------------------------------

  function react(c, m, emoji, add) {
    s().client.react(c.id, m.messageId, emoji, add).catch((err) => toast(describeError(err)));
  }

  function remove(c, m) {
    s().client.delete(c.id, m.messageId).catch((err) => toast(describeError(err)));
  }

  function retry(o) {
    s().client.retry(o);
    store.touch('messages');
  }

  function startReply(m) {
    store.set({ editing: null, replyTo: m.messageId }, 'messages', 'focus-composer');
  }

  function startEdit(m) {
    store.set({ replyTo: null, editing: m.messageId, composer: { text: m.body || '', n: s().composer.n + 1 } },
      'messages', 'focus-composer');
  }

  function cancelComposerMode() {
    const composer = s().editing ? { text: '', n: s().composer.n + 1 } : s().composer;
    store.set({ replyTo: null, editing: null, composer }, 'messages');
  }

  function submit(text) {
    const { openId, editing, replyTo, client } = s();
    const c = conv(openId);
    if (!c || !text.trim()) {
      return;
    }
    if (text.length > maxBody()) {
      store.touch('composer-refused'); // the text stays; the counter says by how much it is over
      return;
    }
    if (editing) {
      client.edit(c.id, editing, text).then(() => cancelComposerMode(), (err) => toast(describeError(err)));
      return;
    }
    if (c.hasMoreAfter) {
      finder.jumpToLatest(c); // a send shows at the end of the conversation: leave the window around a search hit
    }
    const m = client.send(c.id, text, { replyTo });
    c.outgoing.set(m.clientMsgId, m);
    work.typingSentAt = 0;
    client.typing(c.id, false);
    clearDraft(c.id);
    store.set({ replyTo: null, composer: { text: '', n: s().composer.n + 1 } }, 'messages', 'scroll-bottom');
  }

  function composerInput(text) {
    const { openId, editing, client } = s();
    const c = conv(openId);
    if (!c || editing) {
      return;
    }
    work.draft = { id: c.id, text };
    clearTimeout(work.draftTimer);
    work.draftTimer = setTimeout(saveDraftNow, 300);
    const now = Date.now();
    if (text.trim() === '') {
      if (work.typingSentAt) {
        client.typing(c.id, false);
        work.typingSentAt = 0;
      }
    } else if (now - work.typingSentAt > TYPING_REFRESH_MS) {
      client.typing(c.id, true);
      work.typingSentAt = now;
    }
  }

  // ---- drafts: what is typed survives a reload (and a refused send) -------------------------------------------

  function maxBody() {
    return s().client?.maxBodyChars || DEFAULT_MAX_BODY;
  }

  /** Drafts are per user and conversation: another account in this browser never sees them. */
  const draftKey = (id) => `${DRAFT_KEY}${s().session.userId}:${id}`;

  function loadDraft(id) {
    return localStorage.getItem(draftKey(id)) || '';
  }

  function saveDraftNow() {
    clearTimeout(work.draftTimer);
    const d = work.draft;
    work.draft = null;
    if (d && s().session) {
      if (d.text) {
        localStorage.setItem(draftKey(d.id), d.text);
      } else {
        localStorage.removeItem(draftKey(d.id));
      }
    }
  }

  function clearDraft(id) {
    work.draft = null;
    clearTimeout(work.draftTimer);
    localStorage.removeItem(draftKey(id));
  }

  /** A failed message that cannot succeed as it is (too long, refused): its text back in the composer to change. */
  function editFailed(o) {
    const c = conv(o.conversationId);
    c?.outgoing.delete(o.clientMsgId);
    work.draft = { id: o.conversationId, text: o.body };
    saveDraftNow();
    store.set({ replyTo: null, editing: null, composer: { text: o.body, n: s().composer.n + 1 } }, 'messages',
      'focus-composer');
  }

  function discardFailed(o) {
    conv(o.conversationId)?.outgoing.delete(o.clientMsgId);
    store.touch('messages');
  }

  function retryable(o) {
    return canRetry(o.errorCode, ErrorCodes);
  }

  // ---- theme ---------------------------------------------------------------------------------------------------

  /** Switches between light and dark; the choice is remembered per browser (null again follows the system). */
  function toggleTheme(systemDark) {
    const current = s().theme || (systemDark ? 'dark' : 'light');
    const theme = current === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, theme);
    store.set({ theme });
  }

  // ---- dialogs: edit history, read by, the emoji picker ---------------------------------------------------------

  async function showHistory(c, m) {
    try {
      const r = await s().api.edits(c.id, m.messageId);
      store.set({ dialog: { kind: 'history', title: 'Edit history', items: r.versions.map((v, i) => ({
        text: v.body, at: v.at, detail: i === 0 ? 'original' : `edit ${i}` })) } });
    } catch (err) {
      toast(describeError(err));
    }
  }

  async function showReceipts(c, m) {
    try {
      const r = await s().api.messageReceipts(c.id, m.messageId);
      const name = (u) => c.nameOf(u);
      const read = new Set(r.readBy);
      const items = [
        ...r.readBy.map((u) => ({ text: name(u), detail: 'read' })),
        ...r.deliveredTo.filter((u) => !read.has(u)).map((u) => ({ text: name(u), detail: 'delivered, not read' })),
      ];
      const reached = new Set([...r.readBy, ...r.deliveredTo]);
      for (const u of c.others()) {
        if (!reached.has(u.userId) && (u.joinedSeq == null || u.joinedSeq < m.seq)) {
          items.push({ text: name(u.userId), detail: 'not delivered yet' });
        }
      }
      store.set({ dialog: { kind: 'receipts', title: 'Read by', items } });
    } catch (err) {
      toast(describeError(err));
    }
  }

  function closeDialog() {
    store.set({ dialog: null, picker: null }, 'focus-return');
  }

  function openPicker(picker) {
    store.set({ picker });
  }

  function pick(emoji) {
    const p = s().picker;
    store.set({ picker: null });
    if (!p) {
      return;
    }
    if (p.target === 'message') {
      const c = conv(p.conversationId);
      const m = c?.messages.get(p.messageId);
      if (m) {
        react(c, m, emoji, !(m.reactions.get(emoji)?.has(s().session.userId)));
      }
      store.touch('focus-return');
    } else {
      store.touch('insert-emoji:' + emoji);
    }
  }

  // ---- profile and finding people -------------------------------------------------------------------------------

  async function loadProfile() {
    try {
      const me = await s().api.me();
      patchSession({ displayName: me.displayName, username: me.username });
    } catch (err) {
      // The profile is a nicety: the app works without it, and the next start asks again.
    }
  }

  /**
   * Changes fields of the session other than its tokens (the profile). What is stored may be newer than this tab's
   * copy (another tab refreshed the tokens since; writing this copy back would put a used refresh token in their
   * place) or gone (another tab logged out): the patch goes into what is stored, and into nothing once it is gone.
   */
  function patchSession(patch) {
    const stored = loadSession();
    if (stored && stored.userId === s().session.userId) {
      localStorage.setItem(SESSION_KEY, JSON.stringify({ ...stored, ...patch }));
    }
    store.set({ session: { ...s().session, ...patch } });
  }

  function toggleProfile() {
    store.set({ profileOpen: !s().profileOpen, sidebarError: '' });
  }

  async function setDisplayName(name) {
    store.set({ sidebarError: '' });
    try {
      const me = await s().api.setDisplayName(name.trim() === '' ? null : name);
      patchSession({ displayName: me.displayName });
      store.set({ profileOpen: false });
      toast(me.displayName ? `Others now see you as ${me.displayName}.` : 'Display name cleared.');
      return true;
    } catch (err) {
      store.set({ sidebarError: describeError(err) });
      return false;
    }
  }

  /** People whose name starts with the text typed in the DM box (the server's search), for its suggestions. */
  function searchPeople(text) {
    clearTimeout(work.searchTimer);
    const q = text.trim();
    if (!q) {
      store.set({ suggestions: [] });
      return;
    }
    work.searchTimer = setTimeout(async () => {
      try {
        const users = await s().api.searchUsers(q, 8);
        store.set({ suggestions: users.filter((u) => u.userId !== s().session.userId) });
      } catch (err) {
        store.set({ suggestions: [] }); // suggestions only: the form still works by exact username
      }
    }, 200);
  }

  // ---- group management ----------------------------------------------------------------------------------------

  function toggleManage() {
    store.set({ manageOpen: !s().manageOpen, manageError: '' });
  }

  async function memberChange(fn) {
    store.set({ manageError: '' });
    try {
      await fn(s().api, s().openId);
      await refreshConversations();
      return true;
    } catch (err) {
      store.set({ manageError: describeError(err) });
      return false;
    }
  }

  const removeMember = (userId) => memberChange((api, id) => api.removeMember(id, userId));
  const setRole = (userId, role) => memberChange((api, id) => api.setRole(id, userId, role));
  // The title changes for everyone from the conversation_renamed event (Conversation.apply), this tab included.
  const rename = (title) => memberChange((api, id) => api.renameConversation(id, title.trim()));

  async function leave() {
    const id = s().openId;
    if (await memberChange((api) => api.removeMember(id, s().session.userId))) {
      localStorage.removeItem(draftKey(id));
      history.replaceState(null, '', location.pathname);
      store.set({ openId: null, pane: 'list', manageOpen: false }, 'convs');
      toast('You left the group.');
    }
  }

  async function addMembersFromPanel(text) {
    return memberChange(async (api, id) => api.addMembers(id, await resolveUsers(text)));
  }

  const touchMessages = (c) => (c.id === s().openId ? store.touch('messages') : store.touch('convs'));
  const files = createAttachmentActions(store, { toast, touchMessages });
  const finder = createSearchActions(store, { openConversation, touchMessages,
    loadPageAttachments: files.loadPageAttachments });

  const notifications = createNotifications(store, { openConversation, toast, describeError });

  return {
    ...notifications, ...files, ...finder,
    boot, login, logout, setLoginMode, toast, openDirect, createGroup, addMembers: addMembersFromPanel,
    openConversation, back, loadOlder, onVisible, react, remove, retry, retryable, editFailed, discardFailed,
    startReply, startEdit, cancelComposerMode, submit, composerInput, maxBody, toggleTheme, showHistory,
    showReceipts, closeDialog, openPicker, pick, toggleManage, removeMember, setRole, leave, toggleProfile,
    setDisplayName, searchPeople, rename,
  };
}
