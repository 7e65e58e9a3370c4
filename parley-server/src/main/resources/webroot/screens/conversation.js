// The open conversation: its header, the message list (paged up on scroll) and who is typing.

import { el, linkify } from '../dom.js';
import { STATUS_TEXT, failureText, lastSeenText, timeOf, typingText } from '../format.js';
import { touches } from '../store.js';
import { presenceDot } from './parts.js';

const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉'];

export function mount({ store, actions, $ }) {
  // View caches, not state: the DOM node of each message with the signature it was drawn for.
  let nodeCache = new Map();
  let shownId = null;
  let shownLowest = null;

  $('add-member-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (await actions.addMembers($('add-member-input').value)) {
      $('add-member-input').value = '';
    }
  });
  $('messages').addEventListener('scroll', () => {
    const c = store.state.convs.get(store.state.openId);
    if (c && $('messages').scrollTop < 80) {
      actions.loadOlder(c);
    }
  });
  setInterval(() => {
    if (store.state.openId && store.state.client) {
      renderHeader(store.state); // "last seen 3 min ago" ages
    }
  }, 30000);

  function renderHeader(state) {
    const c = state.convs.get(state.openId);
    if (!c) {
      return;
    }
    $('conv-title').textContent = c.displayName();
    const status = $('conv-status');
    const dot = $('conv-presence');
    $('add-member-form').hidden = c.type !== 'group';
    if (c.type === 'direct') {
      const peer = c.others()[0];
      const p = peer && state.client.presence(peer.userId);
      dot.replaceChildren(peer ? presenceDot(state.client, peer.userId) : '');
      status.textContent = !p ? '' : (p.status === 'online' ? 'online' : lastSeenText(p.lastSeen));
    } else {
      dot.replaceChildren();
      status.textContent = c.members.map((m) => m.username || m.userId).join(', ');
    }
  }

  function renderTyping(state) {
    const c = state.convs.get(state.openId);
    const me = state.session && state.session.userId;
    const names = c ? state.client.typingIn(c.id).filter((u) => u !== me).map((u) => c.nameOf(u)) : [];
    $('typing').textContent = typingText(names);
  }

  function renderMessages(state, toBottom) {
    const c = state.convs.get(state.openId);
    if (!c) {
      return;
    }
    const box = $('messages');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    const fromBottom = box.scrollHeight - box.scrollTop;
    const olderPage = shownId === c.id && shownLowest != null && c.lowestSeq() != null && c.lowestSeq() < shownLowest;
    if (shownId !== c.id) {
      nodeCache = new Map();
    }
    const me = state.session.userId;
    const receipts = state.client.receipts(c.id);
    const { list, inFlight } = c.timeline();
    const next = new Map();
    const nodes = [];
    for (const m of list) {
      const mine = m.senderId === me;
      const status = mine && !m.deleted ? c.statusOf(m.seq, receipts) : '';
      const sig = `${m.v}|${status}|${state.editing === m.messageId}|${state.replyTo === m.messageId}`;
      const key = `m:${m.messageId}`;
      const cached = nodeCache.get(key);
      const node = cached && cached.sig === sig ? cached.node : messageNode(state, c, m, mine, status);
      next.set(key, { sig, node });
      nodes.push(node);
    }
    for (const o of inFlight) {
      const status = o.state === 'sent' ? c.statusOf(o.ack.seq, receipts) : o.state;
      nodes.push(outgoingNode(o, status));
    }
    nodeCache = next;
    $('message-list').replaceChildren(...nodes);
    $('history-status').textContent = state.historyError
      || (!c.loaded ? 'Loading…' : (c.hasMoreBefore ? '' : 'Beginning of the conversation'));
    if (olderPage && !toBottom) {
      box.scrollTop = box.scrollHeight - fromBottom; // an older page came in above: keep what the user looked at
    } else if (toBottom || atBottom) {
      box.scrollTop = box.scrollHeight;
    }
    shownId = c.id;
    shownLowest = c.lowestSeq();
    // Pages until the list can scroll (or the beginning is reached), so scrolling up has something to trigger on.
    if (c.loaded && c.hasMoreBefore && box.scrollHeight <= box.clientHeight + 10) {
      actions.loadOlder(c);
    }
  }

  function messageNode(state, c, m, mine, status) {
    const me = state.session.userId;
    const body = m.deleted ? el('em', { class: 'deleted', text: 'This message was deleted' })
      : el('div', { class: 'body' }, linkify(m.body || ''));
    const reactions = [...m.reactions.entries()].filter(([, users]) => users.size > 0).map(([emoji, users]) =>
      el('button', { type: 'button', class: `reaction${users.has(me) ? ' mine' : ''}`, 'data-emoji': emoji,
        title: [...users].map((u) => c.nameOf(u)).join(', '),
        onclick: () => actions.react(c, m, emoji, !users.has(me)) }, `${emoji} ${users.size}`));
    const actionBar = m.deleted ? null : el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'reply-btn', onclick: () => actions.startReply(m) }, 'Reply'),
      QUICK_REACTIONS.map((emoji) => el('button', { type: 'button', class: 'react-btn', 'data-emoji': emoji,
        title: `React ${emoji}`, onclick: () => actions.react(c, m, emoji, !(m.reactions.get(emoji)?.has(me))) }, emoji)),
      mine ? el('button', { type: 'button', class: 'edit-btn', onclick: () => actions.startEdit(m) }, 'Edit') : null,
      mine ? deleteButton(c, m) : null);
    return el('div', {
      class: `msg${mine ? ' mine' : ''}${state.editing === m.messageId ? ' editing' : ''}`,
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
    actionBar);
  }

  function outgoingNode(o, status) {
    return el('div', { class: 'msg mine outgoing', 'data-client-msg-id': o.clientMsgId, 'data-status': status },
      o.replyTo ? el('div', { class: 'reply-quote', text: 'reply' }) : null,
      el('div', { class: 'body' }, linkify(o.body)),
      el('div', { class: 'meta' },
        el('span', { class: `status ${status}`, text: STATUS_TEXT[status] }),
        o.state === 'failed' ? el('span', { class: 'error', text: failureText(o) }) : null,
        o.state === 'failed' ? el('button', { type: 'button', class: 'retry-btn', onclick: () => actions.retry(o) },
          'Retry') : null));
  }

  function deleteButton(c, m) {
    const b = el('button', { type: 'button', class: 'delete-btn' }, 'Delete');
    b.addEventListener('click', () => {
      if (b.dataset.armed !== '1') {
        b.dataset.armed = '1';
        b.textContent = 'Delete for everyone?';
        return;
      }
      actions.remove(c, m);
    });
    return b;
  }

  return (state, changed) => {
    if (!state.session || !state.openId) {
      $('conversation-view').classList.remove('open');
      $('empty-state').hidden = false;
      shownId = null;
      return;
    }
    const opened = touches(changed, 'openId', 'open');
    if (opened) {
      $('empty-state').hidden = true;
      $('conversation-view').classList.add('open');
    }
    if (opened || touches(changed, 'header', 'presence', 'convs')) {
      renderHeader(state);
    }
    if (opened || touches(changed, 'messages', 'editing', 'replyTo', 'historyError', 'scroll-bottom')) {
      renderMessages(state, opened || changed.has('scroll-bottom'));
    }
    if (opened || touches(changed, 'typing')) {
      renderTyping(state);
    }
  };
}
