// The Parley web app: login, conversation list, conversation view. State lives in model.js; the connection in
// parley-client.js and the REST calls in parley-api.js (the JS client package, clients/js, served beside this file);
// this file turns both into DOM (text only: see dom.js).

import { ParleyClient, State } from './parley-client.js';
import { ParleyApi } from './parley-api.js';
import { Conversation } from './model.js';
import { el, linkify, timeOf, lastSeenText } from './dom.js';
import { mountStranger } from './stranger.js';

const $ = (id) => document.getElementById(id);
const SESSION_KEY = 'parley.session';
const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉'];
const TYPING_REFRESH_MS = 2000;
/** Messages per history page (the server's default is 50; 30 fill a screen and page in often enough). */
const PAGE_SIZE = 30;

let session = null;
let api = null;
let client = null;
const convs = new Map();
let openId = null;
let nodeCache = new Map();
let replyTo = null;
let editing = null;
let typingSentAt = 0;
let everLive = false;
let replayedMessages = 0;
let refreshTimer = null;
let loadingOlder = false;

// ---- session ---------------------------------------------------------------------------------------------------------

function loadSession() {
  const raw = localStorage.getItem(SESSION_KEY);
  if (!raw) {
    return null;
  }
  const s = JSON.parse(raw);
  if (!s.token || (s.expiresAt && Date.parse(s.expiresAt) <= Date.now())) {
    localStorage.removeItem(SESSION_KEY);
    return null;
  }
  return s;
}

function showLogin(message) {
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('username').focus();
}

async function onLogin(event) {
  event.preventDefault();
  const register = event.submitter && event.submitter.id === 'register-btn';
  $('login-error').textContent = '';
  try {
    const anonymous = new ParleyApi();
    const username = $('username').value.trim();
    const r = await (register ? anonymous.register(username, $('password').value)
      : anonymous.login(username, $('password').value));
    session = { token: r.token, userId: r.userId, username: r.username, expiresAt: r.expiresAt };
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    $('password').value = '';
    startApp();
  } catch (err) {
    $('login-error').textContent = describe(err);
  }
}

function logout(message) {
  if (client) {
    client.close();
    client.clearStorage();
    client = null;
  }
  localStorage.removeItem(SESSION_KEY);
  session = null;
  convs.clear();
  nodeCache = new Map();
  openId = null;
  everLive = false;
  history.replaceState(null, '', location.pathname);
  showLogin(message);
}

function describe(err) {
  const texts = {
    bad_credentials: 'Wrong username or password.',
    conflict: 'That username is taken.',
    user_not_found: 'No user with that name.',
    invalid_field: 'That is not allowed here.',
    offline: 'Not connected; try again in a moment.',
  };
  return texts[err.code] || err.message || String(err);
}

// ---- app start and client wiring ----------------------------------------------------------------------------------

async function startApp() {
  api = new ParleyApi({ token: () => session.token });
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('me').textContent = session.username || session.userId;
  client = new ParleyClient({
    token: () => session.token,
    storageKey: `parley:${session.userId}`,
    unlisted: 'skip', // conversations new to this browser: history comes page by page over REST
  });
  for (const m of client.pending()) {
    pendingFromStorage(m);
  }
  client.on('state', onState);
  client.on('event', onEvent);
  client.on('message', onOutgoing);
  client.on('synced', onSynced);
  client.on('receipts', onReceipts);
  client.on('typing', (t) => {
    if (t.conversationId === openId) {
      renderTyping();
    }
  });
  client.on('presence', () => {
    renderList();
    renderHeader();
  });
  client.on('error', (e) => toast(`Server refused ${e.ref || 'a request'}: ${e.message || e.code}`));
  client.on('authfailed', () => logout('Your session has expired. Please log in again.'));
  mountStranger(client);
  onState(client.state);
  await refreshConversations();
  client.connect().catch((err) => {
    if (err.code !== 'unauthorized' && err.code !== 'closed') {
      toast(describe(err));
    }
  });
  routeFromHash();
}

function pendingFromStorage(m) {
  const c = convs.get(m.conversationId);
  if (c) {
    c.outgoing.set(m.clientMsgId, m);
  } else {
    orphanOutgoing.push(m);
  }
}
const orphanOutgoing = [];

function onState(s) {
  const banner = $('banner');
  if (s === State.LIVE) {
    everLive = true;
    banner.hidden = true;
    return;
  }
  if (s === State.CLOSED) {
    banner.hidden = true;
    return;
  }
  if (s === State.SYNCING) {
    replayedMessages = 0;
  }
  banner.textContent = everLive ? 'Reconnecting…' : 'Connecting…';
  banner.className = everLive ? 'reconnecting' : 'connecting';
  banner.hidden = false;
}

function onEvent(e) {
  if (client.state === State.SYNCING && e.kind === 'message') {
    replayedMessages++;
  }
  const c = convs.get(e.conversationId);
  if (!c || e.kind.startsWith('member_') || e.kind === 'conversation_created') {
    refreshSoon();
  }
  if (!c) {
    return;
  }
  c.apply(e);
  if (e.conversationId === openId) {
    renderMessages();
    markReadIfVisible(c);
  }
  renderListSoon();
}

function onOutgoing(m) {
  const c = convs.get(m.conversationId);
  if (!c) {
    return;
  }
  if (m.state === 'sent' && [...c.messages.values()].some((x) => x.clientMsgId === m.clientMsgId)) {
    c.outgoing.delete(m.clientMsgId);
  }
  if (m.conversationId === openId) {
    renderMessages();
  }
}

function onSynced(info) {
  if (info.resumed) {
    const n = replayedMessages;
    toast(n > 0 ? `You're all caught up · ${n} new message${n === 1 ? '' : 's'}` : "You're all caught up", 'caught-up');
  }
  refreshSoon();
}

function onReceipts(r) {
  const c = convs.get(r.conversationId);
  if (!c) {
    return;
  }
  const mine = r.receipts.find((x) => x.userId === session.userId);
  if (mine && mine.readSeq > c.readSeq) {
    // Read on another device: the unread badge follows.
    c.readSeq = mine.readSeq;
    for (const s of [...c.localUnread]) {
      if (s <= mine.readSeq) {
        c.localUnread.delete(s);
      }
    }
    if (mine.readSeq >= c.serverUnreadAt) {
      c.serverUnread = 0;
    }
    renderList();
  }
  if (r.conversationId === openId) {
    renderMessages();
  }
}

// ---- conversations --------------------------------------------------------------------------------------------------

async function refreshConversations() {
  const list = await api.conversations();
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
  for (const m of orphanOutgoing.splice(0)) {
    pendingFromStorage(m);
  }
  renderList();
  renderHeader();
  queryPresence();
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshConversations().catch((err) => showSidebarError(err));
  }, 150);
}

function queryPresence() {
  if (!client || client.state !== State.LIVE) {
    return; // asked again at the next synced
  }
  const ids = new Set();
  convs.forEach((c) => c.others().forEach((m) => ids.add(m.userId)));
  if (ids.size === 0) {
    return;
  }
  client.queryPresence([...ids].slice(0, 500)).then(() => {
    renderList();
    renderHeader();
  }, (err) => {
    if (err.code !== 'disconnected') {
      showSidebarError(err); // 'disconnected': the next synced asks again
    }
  });
}

function showSidebarError(err) {
  $('sidebar-error').textContent = describe(err);
}

async function onDirect(event) {
  event.preventDefault();
  $('sidebar-error').textContent = '';
  const name = $('dm-username').value.trim();
  if (!name) {
    return;
  }
  try {
    const c = await api.openDirect(name);
    $('dm-username').value = '';
    await refreshConversations();
    openConversation(c.id);
  } catch (err) {
    showSidebarError(err);
  }
}

async function resolveUsers(text) {
  const names = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const users = await Promise.all(names.map((n) => api.userByUsername(n)));
  return users.map((u) => u.userId);
}

async function onGroup(event) {
  event.preventDefault();
  $('sidebar-error').textContent = '';
  try {
    const ids = await resolveUsers($('group-members').value);
    const c = await api.createGroup($('group-title').value.trim(), ids);
    $('group-title').value = '';
    $('group-members').value = '';
    $('group-details').open = false;
    await refreshConversations();
    openConversation(c.id);
  } catch (err) {
    showSidebarError(err);
  }
}

async function onAddMember(event) {
  event.preventDefault();
  const c = convs.get(openId);
  try {
    const ids = await resolveUsers($('add-member-input').value);
    await api.addMembers(c.id, ids);
    $('add-member-input').value = '';
    await refreshConversations();
  } catch (err) {
    toast(describe(err));
  }
}

// ---- rendering: list ------------------------------------------------------------------------------------------------

let listTimer = null;
function renderListSoon() {
  if (!listTimer) {
    listTimer = setTimeout(() => {
      listTimer = null;
      renderList();
    }, 50);
  }
}

function presenceDot(userId) {
  const p = client && client.presence(userId);
  const online = p && p.status === 'online';
  return el('span', { class: `presence-dot${online ? ' online' : ''}`, 'data-presence': online ? 'online' : 'offline',
    title: online ? 'online' : 'offline' });
}

function previewOf(c) {
  const lm = c.lastMessage;
  if (!lm) {
    return c.type === 'group' ? 'Group created' : 'No messages yet';
  }
  const who = lm.actorId === session.userId ? 'You: ' : (c.type === 'group' ? `${c.nameOf(lm.actorId)}: ` : '');
  const text = lm.deleted ? 'message deleted' : (lm.body || '');
  return who + (text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function renderList() {
  const ul = $('conversation-list');
  const sorted = [...convs.values()].sort((a, b) => String(b.lastActivity).localeCompare(String(a.lastActivity)));
  ul.replaceChildren(...sorted.map((c) => {
    const peer = c.type === 'direct' ? c.others()[0] : null;
    return el('li', { class: `conv${c.id === openId ? ' active' : ''}`, 'data-id': c.id, 'data-name': c.displayName() },
      el('button', { type: 'button', class: 'conv-open', onclick: () => openConversation(c.id) },
        peer ? presenceDot(peer.userId) : el('span', { class: 'group-icon', text: '#' }),
        el('span', { class: 'conv-text' },
          el('span', { class: 'conv-name', text: c.displayName() }),
          el('span', { class: 'preview', text: previewOf(c) })),
        c.unread > 0 && c.id !== openId ? el('span', { class: 'badge', text: String(c.unread) }) : null));
  }));
}

// ---- rendering: conversation -----------------------------------------------------------------------------------------

function routeFromHash() {
  const m = location.hash.match(/^#\/c\/(.+)$/);
  if (m && convs.has(decodeURIComponent(m[1]))) {
    openConversation(decodeURIComponent(m[1]));
  }
}

function openConversation(id) {
  const c = convs.get(id);
  if (!c) {
    return;
  }
  if (openId !== id) {
    replyTo = null;
    editing = null;
    $('composer-input').value = '';
    nodeCache = new Map();
  }
  openId = id;
  history.replaceState(null, '', `#/c/${encodeURIComponent(id)}`);
  $('empty-state').hidden = true;
  $('conversation-view').classList.add('open');
  renderHeader();
  renderComposerState();
  renderMessages(true);
  renderTyping();
  renderList();
  if (!c.loaded) {
    loadNewest(c);
  }
  markReadIfVisible(c);
  $('composer-input').focus();
}

async function loadNewest(c) {
  $('history-status').textContent = 'Loading…';
  c.fetching++;
  let page;
  try {
    page = await api.messages(c.id, { limit: PAGE_SIZE });
  } catch (err) {
    $('history-status').textContent = `Could not load messages: ${describe(err)}`;
    return;
  } finally {
    c.fetching--;
  }
  c.mergePage(page, false);
  if (c.id === openId) {
    renderMessages(true);
    fillViewport(c);
  }
}

async function loadOlder(c) {
  if (loadingOlder || !c.hasMoreBefore || !c.loaded) {
    return;
  }
  const before = c.lowestSeq();
  if (before == null) {
    return;
  }
  loadingOlder = true;
  $('history-status').textContent = 'Loading older messages…';
  const box = $('messages');
  c.fetching++;
  let page;
  try {
    page = await api.messages(c.id, { before, limit: PAGE_SIZE });
  } catch (err) {
    $('history-status').textContent = `Could not load older messages: ${describe(err)}`;
    return;
  } finally {
    c.fetching--;
    loadingOlder = false;
  }
  const fromBottom = box.scrollHeight - box.scrollTop;
  c.mergePage(page, true);
  if (c.id === openId) {
    renderMessages();
    box.scrollTop = box.scrollHeight - fromBottom; // keep what the user was looking at in place
    fillViewport(c);
  }
}

/** Pages until the list can scroll (or the beginning is reached), so scrolling up has something to trigger on. */
function fillViewport(c) {
  const box = $('messages');
  if (c.id === openId && c.hasMoreBefore && box.scrollHeight <= box.clientHeight + 10) {
    loadOlder(c);
  }
}

function markReadIfVisible(c) {
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

function renderHeader() {
  const c = convs.get(openId);
  if (!c) {
    return;
  }
  $('conv-title').textContent = c.displayName();
  const status = $('conv-status');
  const dot = $('conv-presence');
  $('add-member-form').hidden = c.type !== 'group';
  if (c.type === 'direct') {
    const peer = c.others()[0];
    const p = peer && client.presence(peer.userId);
    dot.replaceChildren(peer ? presenceDot(peer.userId) : '');
    status.textContent = !p ? '' : (p.status === 'online' ? 'online' : lastSeenText(p.lastSeen));
  } else {
    dot.replaceChildren();
    status.textContent = c.members.map((m) => m.username || m.userId).join(', ');
  }
}

function renderTyping() {
  const c = convs.get(openId);
  const names = c ? client.typingIn(c.id).filter((u) => u !== session.userId).map((u) => c.nameOf(u)) : [];
  $('typing').textContent = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is typing…` : `${names.join(' and ')} are typing…`;
}

const STATUS_TEXT = { pending: 'sending…', sent: '✓ sent', delivered: '✓✓ delivered', read: '✓✓ read', failed: 'not sent', unconfirmed: 'not confirmed yet…' };

function renderMessages(toBottom) {
  const c = convs.get(openId);
  if (!c) {
    return;
  }
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const receipts = client.receipts(c.id);
  const { list, inFlight } = c.timeline();
  const next = new Map();
  const nodes = [];
  for (const m of list) {
    const mine = m.senderId === session.userId;
    const status = mine && !m.deleted ? c.statusOf(m.seq, receipts) : '';
    const sig = `${m.v}|${status}|${editing === m.messageId}|${replyTo === m.messageId}`;
    const key = `m:${m.messageId}`;
    const cached = nodeCache.get(key);
    const node = cached && cached.sig === sig ? cached.node : messageNode(c, m, mine, status);
    next.set(key, { sig, node });
    nodes.push(node);
  }
  for (const o of inFlight) {
    const status = o.state === 'sent' ? c.statusOf(o.ack.seq, receipts) : o.state;
    nodes.push(outgoingNode(o, status));
  }
  nodeCache = next;
  $('message-list').replaceChildren(...nodes);
  $('history-status').textContent = !c.loaded ? 'Loading…' : (c.hasMoreBefore ? '' : 'Beginning of the conversation');
  if (toBottom || atBottom) {
    box.scrollTop = box.scrollHeight;
  }
}

function messageNode(c, m, mine, status) {
  const body = m.deleted ? el('em', { class: 'deleted', text: 'This message was deleted' })
    : el('div', { class: 'body' }, linkify(m.body || ''));
  const reactions = [...m.reactions.entries()].filter(([, users]) => users.size > 0).map(([emoji, users]) =>
    el('button', { type: 'button', class: `reaction${users.has(session.userId) ? ' mine' : ''}`, 'data-emoji': emoji,
      title: [...users].map((u) => c.nameOf(u)).join(', '),
      onclick: () => react(c, m, emoji, !users.has(session.userId)) }, `${emoji} ${users.size}`));
  const actions = m.deleted ? null : el('div', { class: 'actions' },
    el('button', { type: 'button', class: 'reply-btn', onclick: () => startReply(m) }, 'Reply'),
    QUICK_REACTIONS.map((emoji) => el('button', { type: 'button', class: 'react-btn', 'data-emoji': emoji,
      title: `React ${emoji}`, onclick: () => react(c, m, emoji, !(m.reactions.get(emoji)?.has(session.userId))) }, emoji)),
    mine ? el('button', { type: 'button', class: 'edit-btn', onclick: () => startEdit(m) }, 'Edit') : null,
    mine ? deleteButton(c, m) : null);
  return el('div', {
    class: `msg${mine ? ' mine' : ''}${editing === m.messageId ? ' editing' : ''}`,
    'data-seq': m.seq, 'data-message-id': m.messageId, 'data-client-msg-id': m.clientMsgId, 'data-status': status || null,
  },
  m.replyTo ? el('div', { class: 'reply-quote' }, m.replyTo.snippet == null ? 'a deleted message' : m.replyTo.snippet) : null,
  !mine && c.type === 'group' ? el('div', { class: 'author', text: c.nameOf(m.senderId) }) : null,
  body,
  el('div', { class: 'meta' },
    el('span', { class: 'time', text: timeOf(m.createdAt) }),
    m.editedAt && !m.deleted ? el('span', { class: 'edited', text: 'edited' }) : null,
    status ? el('span', { class: `status ${status}`, text: STATUS_TEXT[status] }) : null),
  reactions.length ? el('div', { class: 'reactions' }, reactions) : null,
  actions);
}

function outgoingNode(o, status) {
  return el('div', { class: 'msg mine outgoing', 'data-client-msg-id': o.clientMsgId, 'data-status': status },
    o.replyTo ? el('div', { class: 'reply-quote', text: 'reply' }) : null,
    el('div', { class: 'body' }, linkify(o.body)),
    el('div', { class: 'meta' },
      el('span', { class: `status ${status}`, text: STATUS_TEXT[status] }),
      o.state === 'failed' ? el('span', { class: 'error', text: failureText(o) }) : null,
      o.state === 'failed' ? el('button', { type: 'button', class: 'retry-btn', onclick: () => {
        client.retry(o);
        renderMessages();
      } }, 'Retry') : null));
}

function failureText(o) {
  const t = { body_too_long: 'too long', timeout: 'no answer from the server', closed: 'logged out' };
  return t[o.errorCode] || o.errorMessage || o.errorCode;
}

function deleteButton(c, m) {
  const b = el('button', { type: 'button', class: 'delete-btn' }, 'Delete');
  b.addEventListener('click', () => {
    if (b.dataset.armed !== '1') {
      b.dataset.armed = '1';
      b.textContent = 'Delete for everyone?';
      return;
    }
    client.delete(c.id, m.messageId).catch((err) => toast(describe(err)));
  });
  return b;
}

function react(c, m, emoji, add) {
  client.react(c.id, m.messageId, emoji, add).catch((err) => toast(describe(err)));
}

function startReply(m) {
  editing = null;
  replyTo = m.messageId;
  renderComposerState();
  renderMessages();
  $('composer-input').focus();
}

function startEdit(m) {
  replyTo = null;
  editing = m.messageId;
  $('composer-input').value = m.body || '';
  renderComposerState();
  renderMessages();
  $('composer-input').focus();
}

function cancelComposerMode() {
  if (editing) {
    $('composer-input').value = '';
  }
  replyTo = null;
  editing = null;
  renderComposerState();
  renderMessages();
}

function renderComposerState() {
  const c = convs.get(openId);
  const bar = $('reply-bar');
  if (c && (replyTo || editing)) {
    const m = c.messages.get(replyTo || editing);
    const snippet = m && m.body ? m.body.slice(0, 80) : '';
    $('reply-text').textContent = editing ? `Editing: ${snippet}` : `Replying to ${c.nameOf(m ? m.senderId : '')}: ${snippet}`;
    bar.hidden = false;
  } else {
    bar.hidden = true;
  }
  $('send-btn').textContent = editing ? 'Save' : 'Send';
}

function onSend(event) {
  event.preventDefault();
  const c = convs.get(openId);
  const input = $('composer-input');
  const text = input.value;
  if (!c || !text.trim()) {
    return;
  }
  if (editing) {
    const id = editing;
    client.edit(c.id, id, text).then(() => cancelComposerMode(), (err) => toast(describe(err)));
    return;
  }
  const m = client.send(c.id, text, { replyTo });
  c.outgoing.set(m.clientMsgId, m);
  input.value = '';
  replyTo = null;
  typingSentAt = 0;
  client.typing(c.id, false);
  renderComposerState();
  renderMessages(true);
}

function onComposerInput() {
  const c = convs.get(openId);
  if (!c || editing) {
    return;
  }
  const now = Date.now();
  if ($('composer-input').value.trim() === '') {
    if (typingSentAt) {
      client.typing(c.id, false);
      typingSentAt = 0;
    }
  } else if (now - typingSentAt > TYPING_REFRESH_MS) {
    client.typing(c.id, true);
    typingSentAt = now;
  }
}

let toastTimer = null;
function toast(text, id) {
  const t = $('toast');
  t.textContent = text;
  t.dataset.kind = id || 'info';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}

// ---- boot -----------------------------------------------------------------------------------------------------------

$('login-form').addEventListener('submit', onLogin);
$('logout').addEventListener('click', () => logout());
$('dm-form').addEventListener('submit', onDirect);
$('group-form').addEventListener('submit', onGroup);
$('add-member-form').addEventListener('submit', onAddMember);
$('composer').addEventListener('submit', onSend);
$('composer-input').addEventListener('input', onComposerInput);
$('composer-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('composer').requestSubmit();
  } else if (e.key === 'Escape') {
    cancelComposerMode();
  }
});
$('reply-cancel').addEventListener('click', cancelComposerMode);
$('messages').addEventListener('scroll', () => {
  const c = convs.get(openId);
  if (c && $('messages').scrollTop < 80) {
    loadOlder(c);
  }
});
document.addEventListener('visibilitychange', () => {
  const c = convs.get(openId);
  if (c) {
    markReadIfVisible(c);
    renderList();
  }
});
setInterval(() => {
  if (openId && client) {
    renderHeader(); // "last seen 3 min ago" ages
  }
}, 30000);

session = loadSession();
if (session) {
  startApp().catch((err) => {
    if (err.code === 'unauthorized') {
      logout('Your session has expired. Please log in again.');
    } else {
      showLogin(describe(err));
    }
  });
} else {
  showLogin();
}
