// The open conversation: its header (back control on a phone, group members), the message list (paged up on
// scroll, a live region that announces what is added) and who is typing.

import { el, renderText, reconcile } from '../dom.js';
import {
  STATUS_TEXT, dayKey, dayLabel, failureText, groupStatus, lastSeenText, pendingReason, relativeTime, timeOf,
  typingText,
} from '../format.js';
import { State } from '../parley-client.js';
import { touches } from '../store.js';
import { filesNode } from './attachments.js';
import { avatar } from './parts.js';

const QUICK_REACTIONS = ['👍', '❤️'];

export function mount({ store, actions, $ }) {
  // View caches, not state: the DOM node of each message with the signature it was drawn for.
  let nodeCache = new Map();
  let shownId = null;
  let shownLowest = null;

  $('back-btn').addEventListener('click', () => actions.back());
  $('manage-btn').addEventListener('click', () => actions.toggleManage());
  $('add-member-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (await actions.addMembers($('add-member-input').value)) {
      $('add-member-input').value = '';
    }
  });
  $('leave-btn').addEventListener('click', () => actions.leave());
  $('rename-form').addEventListener('submit', (event) => {
    event.preventDefault();
    actions.rename($('rename-input').value);
  });
  $('messages').addEventListener('scroll', () => {
    const c = store.state.convs.get(store.state.openId);
    const box = $('messages');
    if (c && box.scrollTop < 80) {
      actions.loadOlder(c);
    }
    if (c && c.hasMoreAfter && box.scrollHeight - box.scrollTop - box.clientHeight < 80) {
      actions.loadNewer(c); // a window opened around a search hit: newer pages below it
    }
  });
  $('jump-latest').addEventListener('click', () => {
    const c = store.state.convs.get(store.state.openId);
    if (c) {
      actions.jumpToLatest(c);
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
    $('manage-btn').hidden = c.type !== 'group';
    if (c.type === 'direct') {
      const peer = c.others()[0];
      const p = peer && state.client.presence(peer.userId);
      dot.replaceChildren(peer ? avatar(c.displayName(), peer.userId, state.client, peer.userId) : '');
      status.textContent = !p ? '' : (p.status === 'online' ? 'online'
        : lastSeenText(p.lastSeen, Date.now(), state.seenOffline.get(peer.userId)));
    } else {
      dot.replaceChildren(avatar(c.displayName(), c.id));
      status.textContent = c.members.map((m) => m.username || m.userId).join(', ');
    }
  }

  function renderManage(state) {
    const c = state.convs.get(state.openId);
    const open = !!(c && c.type === 'group' && state.manageOpen);
    $('manage-panel').hidden = !open;
    $('manage-btn').setAttribute('aria-expanded', String(open));
    $('manage-error').textContent = state.manageError || '';
    if (!open) {
      return;
    }
    const me = state.session.userId;
    const myRole = c.member(me)?.role || 'member';
    // The server's role rules (docs/api.md): the owner removes anyone and sets roles; admins remove plain members
    // and add people; the owner cannot leave while others remain.
    $('member-list').replaceChildren(...c.members.map((m) => {
      const name = m.username || m.userId;
      const self = m.userId === me;
      const canRemove = !self && (myRole === 'owner' || (myRole === 'admin' && m.role === 'member'));
      const canRole = !self && myRole === 'owner' && m.role !== 'owner';
      return el('li', { class: 'member', 'data-user': name },
        avatar(name, m.userId, self ? null : state.client, m.userId, true), // no presence of oneself is sent
        el('span', { class: 'member-name', text: self ? `${name} (you)` : name }),
        el('span', { class: 'member-role', text: m.role }),
        canRole ? el('button', { type: 'button', class: 'secondary role-btn',
          onclick: () => actions.setRole(m.userId, m.role === 'admin' ? 'member' : 'admin') },
        m.role === 'admin' ? 'Make member' : 'Make admin') : null,
        canRemove ? el('button', { type: 'button', class: 'danger remove-btn', 'aria-label': `Remove ${name}`,
          onclick: () => actions.removeMember(m.userId) }, 'Remove') : null);
    }));
    const manager = myRole === 'owner' || myRole === 'admin';
    $('add-member-form').hidden = !manager;
    // Owners and admins rename (docs/api.md); the field follows the title unless someone is typing in it.
    $('rename-form').hidden = !manager;
    const input = $('rename-input');
    const shown = `${c.id}\n${c.title || ''}`;
    if (input.dataset.shown !== shown && document.activeElement !== input) {
      input.value = c.title || '';
      input.dataset.shown = shown;
    }
    const ownerWithOthers = myRole === 'owner' && c.members.length > 1;
    $('leave-btn').setAttribute('aria-disabled', String(ownerWithOthers));
    $('leave-btn').title = ownerWithOthers ? 'The owner can leave once the others have left or been removed' : '';
  }

  function renderTyping(state) {
    const c = state.convs.get(state.openId);
    const me = state.session && state.session.userId;
    const names = c ? state.client.typingIn(c.id).filter((u) => u !== me).map((u) => c.nameOf(u)) : [];
    $('typing').textContent = typingText(names);
  }

  function renderMessages(state, toBottom, toHighlight) {
    const c = state.convs.get(state.openId);
    if (!c) {
      return;
    }
    const box = $('messages');
    // Below a window around a search hit come newer pages, not the live end: the view stays where it is.
    const atBottom = !c.hasMoreAfter && box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    const hl = state.highlight && state.highlight.conversationId === c.id ? state.highlight.seq : null;
    const fromBottom = box.scrollHeight - box.scrollTop;
    const olderPage = shownId === c.id && shownLowest != null && c.lowestSeq() != null && c.lowestSeq() < shownLowest;
    if (shownId !== c.id) {
      nodeCache = new Map();
    }
    const me = state.session.userId;
    const receipts = state.client.receipts(c.id);
    const live = state.client.state === State.LIVE;
    const { list, inFlight } = c.timeline();
    const next = new Map();
    const nodes = [];
    let lastDay = null;
    const separator = (iso) => {
      const key = dayKey(iso);
      if (key && key !== lastDay) {
        lastDay = key;
        const cacheKey = `d:${key}:${dayLabel(iso)}`;
        const node = nodeCache.get(cacheKey)?.node
          || el('div', { class: 'day-sep', role: 'separator', 'aria-label': dayLabel(iso) }, dayLabel(iso));
        next.set(cacheKey, { node });
        nodes.push(node);
      }
    };
    for (const m of list) {
      separator(m.createdAt);
      const mine = m.senderId === me;
      let status = '';
      let detail = '';
      if (mine && !m.deleted) {
        if (c.type === 'group') {
          const g = groupStatus(m.seq, c.others(), receipts);
          status = g.status;
          detail = g.status === 'read' ? ` by ${g.read} of ${g.of}`
            : (g.status === 'delivered' ? ` to ${g.delivered} of ${g.of}` : '');
        } else {
          status = c.statusOf(m.seq, receipts);
        }
      }
      const sig = `${m.v}|${status}${detail}|${state.editing === m.messageId}|${state.replyTo === m.messageId}|${hl === m.seq}`;
      const key = `m:${m.messageId}`;
      const cached = nodeCache.get(key);
      const node = cached && cached.sig === sig ? cached.node : messageNode(state, c, m, mine, status, detail, hl === m.seq);
      next.set(key, { sig, node });
      nodes.push(node);
    }
    for (const o of inFlight) {
      const status = o.state === 'sent' ? c.statusOf(o.ack.seq, receipts) : o.state;
      const online = state.connection.online;
      const sig = `${status}|${online}|${live}|${o.errorCode}`;
      const key = `o:${o.clientMsgId}`;
      const cached = nodeCache.get(key);
      const node = cached && cached.sig === sig ? cached.node : outgoingNode(o, status, online, live);
      next.set(key, { sig, node });
      nodes.push(node);
    }
    // A message drawn again (a reaction, a receipt) replaces its node: focus inside it moves to the same control of
    // the new node, so keyboard users keep their place.
    const focused = document.activeElement;
    const holder = focused && focused.closest ? focused.closest('#message-list .msg') : null;
    let refocus = null;
    if (holder && !nodes.includes(holder)) {
      const controls = [...holder.querySelectorAll('button')];
      refocus = { id: holder.dataset.messageId || holder.dataset.clientMsgId, self: focused === holder,
        cls: focused.className, nth: controls.filter((b) => b.className === focused.className).indexOf(focused) };
    }
    nodeCache = next;
    reconcile($('message-list'), nodes);
    if (refocus) {
      const node = nodes.find((n) => n.dataset && (n.dataset.messageId || n.dataset.clientMsgId) === refocus.id);
      const same = node ? [...node.querySelectorAll('button')].filter((b) => b.className === refocus.cls) : [];
      (refocus.self ? node : same[Math.max(0, refocus.nth)])?.focus();
    }
    $('history-status').textContent = state.historyError
      || (!c.loaded ? 'Loading…' : (c.hasMoreBefore ? '' : 'Beginning of the conversation'));
    $('newer-status').textContent = c.hasMoreAfter ? 'Newer messages load as you scroll down' : '';
    $('jump-latest').hidden = !c.hasMoreAfter;
    const marked = toHighlight && hl != null ? nodes.find((n) => n.dataset && n.dataset.seq === String(hl)) : null;
    if (marked) {
      marked.scrollIntoView({ block: 'center' });
    } else if (olderPage && !toBottom) {
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
    if (c.loaded && c.hasMoreAfter && box.scrollHeight <= box.clientHeight + 10) {
      actions.loadNewer(c);
    }
  }

  function timeNode(iso) {
    return el('time', { class: 'time', datetime: iso, title: relativeTime(iso) }, timeOf(iso));
  }

  function messageNode(state, c, m, mine, status, detail, highlighted) {
    const me = state.session.userId;
    const author = c.nameOf(m.senderId);
    const files = m.deleted ? null : filesNode(c, m, actions);
    const body = m.deleted ? el('em', { class: 'deleted', text: 'This message was deleted' })
      : (files && !m.body ? null : el('div', { class: 'body' }, renderText(m.body || '')));
    const reactions = [...m.reactions.entries()].filter(([, users]) => users.size > 0).map(([emoji, users]) =>
      el('button', { type: 'button', class: `reaction${users.has(me) ? ' mine' : ''}`, 'data-emoji': emoji,
        title: [...users].map((u) => c.nameOf(u)).join(', '), 'aria-pressed': String(users.has(me)),
        'aria-label': `${emoji} ${users.size}: ${[...users].map((u) => c.nameOf(u)).join(', ')}`,
        onclick: () => actions.react(c, m, emoji, !users.has(me)) }, `${emoji} ${users.size}`));
    const actionBar = m.deleted ? null : el('div', { class: 'actions', role: 'group', 'aria-label': 'Message actions' },
      el('button', { type: 'button', class: 'reply-btn', onclick: () => actions.startReply(m) }, 'Reply'),
      QUICK_REACTIONS.map((emoji) => el('button', { type: 'button', class: 'react-btn', 'data-emoji': emoji,
        'aria-label': `React ${emoji}`, title: `React ${emoji}`,
        onclick: () => actions.react(c, m, emoji, !(m.reactions.get(emoji)?.has(me))) }, emoji)),
      el('button', { type: 'button', class: 'more-react-btn', 'aria-label': 'More reactions', 'data-opens-picker': '',
        'aria-haspopup': 'true',
        onclick: () => actions.openPicker({ target: 'message', conversationId: c.id, messageId: m.messageId }) }, '☺+'),
      m.editedAt ? el('button', { type: 'button', class: 'history-btn', onclick: () => actions.showHistory(c, m) },
        'History') : null,
      mine && c.type === 'group' ? el('button', { type: 'button', class: 'receipts-btn',
        onclick: () => actions.showReceipts(c, m) }, 'Read by') : null,
      mine ? el('button', { type: 'button', class: 'edit-btn', onclick: () => actions.startEdit(m) }, 'Edit') : null,
      mine ? deleteButton(c, m) : null);
    return el('div', {
      class: `msg${mine ? ' mine' : ''}${state.editing === m.messageId ? ' editing' : ''}${highlighted ? ' highlight' : ''}`,
      role: 'article', 'aria-current': highlighted ? 'true' : null,
      tabindex: '0', 'aria-label': `${mine ? 'You' : author}, ${timeOf(m.createdAt)}`,
      'data-seq': m.seq, 'data-message-id': m.messageId, 'data-client-msg-id': m.clientMsgId, 'data-status': status || null,
    },
    m.replyTo ? el('div', { class: 'reply-quote' }, m.replyTo.snippet == null ? 'a deleted message' : m.replyTo.snippet) : null,
    !mine && c.type === 'group' ? el('div', { class: 'author', text: author }) : null,
    files,
    body,
    el('div', { class: 'meta' },
      timeNode(m.createdAt),
      m.editedAt && !m.deleted ? el('span', { class: 'edited', text: 'edited' }) : null,
      status ? el('span', { class: `status ${status}`, text: STATUS_TEXT[status] + detail }) : null),
    reactions.length ? el('div', { class: 'reactions' }, reactions) : null,
    actionBar);
  }

  function outgoingNode(o, status, online, live) {
    const failed = o.state === 'failed';
    const retryable = failed && actions.retryable(o);
    const text = status === 'pending' ? pendingReason(online, live) : STATUS_TEXT[status];
    return el('div', { class: 'msg mine outgoing', 'data-client-msg-id': o.clientMsgId, 'data-status': status,
      role: 'article', tabindex: '0', 'aria-label': `You, ${text}` },
    o.replyTo ? el('div', { class: 'reply-quote', text: 'reply' }) : null,
    el('div', { class: 'body' }, renderText(o.body)),
    el('div', { class: 'meta' },
      el('span', { class: `status ${status}`, text }),
      failed ? el('span', { class: 'error', text: failureText(o) }) : null,
      retryable ? el('button', { type: 'button', class: 'retry-btn', onclick: () => actions.retry(o) }, 'Retry') : null,
      failed && !retryable ? el('button', { type: 'button', class: 'edit-failed-btn', onclick: () => actions.editFailed(o) },
        'Edit') : null,
      failed || o.state === 'rejected'
        ? el('button', { type: 'button', class: 'secondary discard-btn', onclick: () => actions.discardFailed(o) },
          'Discard')
        : null));
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
    if (opened || touches(changed, 'manageOpen', 'manageError', 'convs', 'presence')) {
      renderManage(state);
    }
    if (opened || touches(changed, 'messages', 'editing', 'replyTo', 'historyError', 'scroll-bottom', 'connection',
      'highlight', 'scroll-highlight')) {
      const toHighlight = changed.has('scroll-highlight');
      renderMessages(state, !toHighlight && (opened || changed.has('scroll-bottom')), toHighlight);
    }
    if (opened || touches(changed, 'typing')) {
      renderTyping(state);
    }
  };
}
