// The app's view of its conversations, built from REST pages and the client's events. No DOM here.
//
// Messages of a conversation form a contiguous range of its log: REST pages (newest first, then older) and events
// (which the client hands over complete from its cursor on) meet without holes, so paging older always continues
// below the lowest seq held. A window opened around a message (a search hit: openAround) is contiguous too but may
// end before the newest message (`hasMoreAfter`): live events beyond it wait in `eventsAfter` until paging newer
// (mergeNewer) reaches the end, and then apply in order.
//
// Attachments (docs/protocol.md "Attachments") are known only from `attachment` events, live or from the events API:
// `attachments` keeps the latest state of each file by message, whether or not the message itself is loaded yet.

import { groupStatus } from './format.js';

export class Conversation {
  constructor(json, me) {
    this.id = json.id;
    this.me = me;
    this.messages = new Map(); // messageId -> message
    this.outgoing = new Map(); // clientMsgId -> OutgoingMessage not yet seen as an event
    this.hasMoreBefore = true;
    this.hasMoreAfter = false;
    this.eventsAfter = [];
    this.attachments = new Map(); // messageId -> Map(attachmentId -> {seq, removed, ...the event's attachment})
    this.epoch = 0; // changes when the loaded window is replaced: a page asked for before belongs to another window
    this.loaded = false;
    this.fetching = 0;
    this.changesWhileFetching = [];
    this.localUnread = new Set();
    this.version = 0;
    this.update(json);
  }

  /** Takes the server's description (list or detail). Unread counts: the server's, plus what arrived since. */
  update(json) {
    this.type = json.type;
    if (!(this.titleSeq > (json.lastSeq || 0))) {
      this.title = json.title; // unless a conversation_renamed newer than this description was applied
    }
    this.members = json.members || [];
    this.notify = json.notify || 'all'; // all | mentions | none: what pushes this member gets (docs/api.md)
    this.lastSeq = Math.max(this.lastSeq || 0, json.lastSeq || 0);
    this.serverUnread = json.unreadCount || 0;
    this.serverUnreadAt = json.lastSeq || 0;
    this.readSeq = Math.max(this.readSeq || 0, json.readSeq || 0);
    for (const s of [...this.localUnread]) {
      if (s <= this.serverUnreadAt) {
        this.localUnread.delete(s);
      }
    }
    const lm = json.lastMessage;
    if (lm && (!this.lastMessage || lm.seq >= this.lastMessage.seq)) {
      this.lastMessage = { messageId: lm.messageId, seq: lm.seq, actorId: lm.actorId, body: lm.body, deleted: !!lm.deleted, createdAt: lm.createdAt };
    }
    this.lastActivity = this.lastMessage ? this.lastMessage.createdAt : json.createdAt;
    this.version++;
  }

  get unread() {
    return this.serverUnread + this.localUnread.size;
  }

  /** The other members (for a direct conversation: the peer). */
  others() {
    return this.members.filter((m) => m.userId !== this.me);
  }

  displayName() {
    // A stranger conversation's members are pseudonyms, itself titled "Stranger" (docs/api.md).
    if (this.type === 'group' || this.type === 'stranger') {
      return this.title || 'Group';
    }
    const peer = this.others()[0];
    return peer ? (peer.displayName || peer.username || peer.userId) : 'Direct';
  }

  member(userId) {
    return this.members.find((x) => x.userId === userId) || null;
  }

  nameOf(userId) {
    const m = this.members.find((x) => x.userId === userId);
    return m ? (m.displayName || m.username || userId) : userId;
  }

  /** Applies one log event (from the client, in seq order). Returns true when the message list changed. */
  apply(e) {
    const fresh = !(e.seq <= this.lastSeq); // an event the loaded state does not include yet
    this.lastSeq = Math.max(this.lastSeq, e.seq);
    if (this.hasMoreAfter && e.kind !== 'attachment' && e.kind !== 'conversation_renamed') {
      // Beyond the open window: applied again once paging newer reaches it (changes are idempotent, so those of
      // messages already loaded apply now as well).
      this.eventsAfter.push(e);
      if (e.kind === 'message') {
        this.lastMessage = { messageId: e.messageId, seq: e.seq, actorId: e.actorId, body: e.body, deleted: !!e.deleted, createdAt: e.createdAt };
        this.lastActivity = e.createdAt;
        if (e.actorId !== this.me && e.seq > this.readSeq && e.seq > this.serverUnreadAt && !e.deleted) {
          this.localUnread.add(e.seq);
        }
        this.version++;
        return false;
      }
    }
    switch (e.kind) {
      case 'attachment':
        return this.applyAttachment(e);
      case 'message': {
        const msg = fromEvent(e);
        if (!this.messages.has(msg.messageId)) {
          this.messages.set(msg.messageId, msg);
        }
        if (msg.clientMsgId && e.actorId === this.me) {
          this.outgoing.delete(msg.clientMsgId);
        }
        this.lastMessage = { messageId: e.messageId, seq: e.seq, actorId: e.actorId, body: e.body, deleted: !!e.deleted, createdAt: e.createdAt };
        this.lastActivity = e.createdAt;
        if (e.actorId !== this.me && e.seq > this.readSeq && e.seq > this.serverUnreadAt && !e.deleted) {
          this.localUnread.add(e.seq);
        }
        this.version++;
        return true;
      }
      case 'message_edited':
      case 'message_deleted':
      case 'reaction_added':
      case 'reaction_removed': {
        if (this.fetching > 0) {
          this.changesWhileFetching.push(e);
        }
        if (this.lastMessage && this.lastMessage.messageId === e.messageId) {
          if (e.kind === 'message_edited' && !e.deleted) {
            this.lastMessage = { ...this.lastMessage, body: e.body };
          } else if (e.kind === 'message_deleted' || e.deleted) {
            this.lastMessage = { ...this.lastMessage, body: null, deleted: true };
          }
          this.version++;
        }
        return this.applyChange(e);
      }
      case 'conversation_renamed':
        if (!fresh || !e.title) {
          return false; // a replayed rename older than the title the conversation was loaded with
        }
        this.title = e.title;
        this.titleSeq = e.seq;
        this.version++;
        return true;
      default:
        return false; // membership changes: the app reloads the conversation
    }
  }

  /** An `attachment` event: the file's latest state wins (events may come from the events API after live ones). */
  applyAttachment(e) {
    let files = this.attachments.get(e.messageId);
    if (!files) {
      files = new Map();
      this.attachments.set(e.messageId, files);
    }
    if (e.deleted || !e.attachment) {
      files.forEach((f, id) => files.set(id, { ...f, removed: true, seq: Math.max(f.seq, e.seq) }));
    } else {
      const before = files.get(e.attachment.id);
      if (before && before.seq >= e.seq) {
        return false;
      }
      files.set(e.attachment.id, { ...e.attachment, seq: e.seq, removed: !!(before && before.removed) });
    }
    const m = this.messages.get(e.messageId);
    if (m) {
      m.v++;
    }
    return !!m;
  }

  /** The files of a message in the order they were sent (by the seq of their first event: ids are not ordered). */
  attachmentsOf(messageId) {
    const files = this.attachments.get(messageId);
    return files ? [...files.values()] : [];
  }

  /** Replaces the loaded messages with a window around a message (an `around` page of the messages API). */
  openAround(page) {
    this.messages.clear();
    this.eventsAfter = [];
    this.changesWhileFetching = [];
    this.epoch++;
    this.mergePage(page, true);
    this.hasMoreBefore = !!page.hasMoreBefore;
    this.hasMoreAfter = !!page.hasMoreAfter;
    if (!this.hasMoreAfter) {
      this.reattach(page.lastSeq);
    }
  }

  /** Merges a page asked for with after=highestSeq(); at the end of the log, the events held back apply. */
  mergeNewer(page) {
    this.mergePage(page, null);
    if (!page.hasMore) {
      this.hasMoreAfter = false;
      this.reattach(page.lastSeq);
    }
  }

  reattach(lastSeq) {
    const held = this.eventsAfter.splice(0);
    held.filter((e) => lastSeq == null || e.seq > lastSeq).forEach((e) => this.apply(e));
  }

  /** Forgets the loaded window (opened around an older message): the next open loads the newest page again. */
  unload() {
    this.messages.clear();
    this.eventsAfter = [];
    this.hasMoreAfter = false;
    this.hasMoreBefore = true;
    this.loaded = false;
    this.epoch++;
    this.version++;
  }

  highestSeq() {
    let high = null;
    for (const m of this.messages.values()) {
      if (high == null || m.seq > high) {
        high = m.seq;
      }
    }
    return high;
  }

  applyChange(e) {
    const m = this.messages.get(e.messageId);
    if (!m) {
      return false; // not loaded: a later page brings its current state
    }
    if (e.kind === 'message_edited' && !e.deleted && !m.deleted) {
      m.body = e.body;
      m.editedAt = e.createdAt;
    } else if (e.kind === 'message_deleted' || e.deleted) {
      m.deleted = true;
      m.body = null;
      this.localUnread.delete(m.seq);
      if (this.lastMessage && this.lastMessage.seq === m.seq) {
        this.lastMessage = { ...this.lastMessage, body: null, deleted: true };
        this.version++;
      }
    } else if (e.kind === 'reaction_added' || e.kind === 'reaction_removed') {
      let users = m.reactions.get(e.emoji);
      if (!users) {
        users = new Set();
        m.reactions.set(e.emoji, users);
      }
      if (e.kind === 'reaction_added') {
        users.add(e.actorId);
      } else {
        users.delete(e.actorId);
        if (users.size === 0) {
          m.reactions.delete(e.emoji);
        }
      }
    }
    for (const r of this.messages.values()) {
      if (r.replyTo && r.replyTo.messageId === m.messageId && m.deleted) {
        r.replyTo = { ...r.replyTo, snippet: null };
        r.v++;
      }
    }
    m.v++;
    return true;
  }

  /** Merges a REST page (messages in their current state); events seen during the fetch are applied again. */
  mergePage(page, older) {
    for (const j of page.messages) {
      if (!this.messages.has(j.messageId)) {
        this.messages.set(j.messageId, fromRest(j));
      }
      if (j.clientMsgId && j.senderId === this.me) {
        this.outgoing.delete(j.clientMsgId);
      }
    }
    if (older) {
      this.hasMoreBefore = page.hasMore;
    } else if (older === null) {
      // a newer page: what is below stays as it was
    } else {
      const lowest = this.lowestSeq();
      this.hasMoreBefore = page.hasMore || (lowest != null && page.firstSeq != null && lowest < page.firstSeq);
    }
    if (this.fetching === 0) {
      // Idempotent changes, in order: the page may predate some of them.
      this.changesWhileFetching.forEach((e) => this.applyChange(e));
      this.changesWhileFetching = [];
    }
    this.loaded = true;
    this.version++;
  }

  lowestSeq() {
    let low = null;
    for (const m of this.messages.values()) {
      if (low == null || m.seq < low) {
        low = m.seq;
      }
    }
    return low;
  }

  /** Messages by seq, then own messages still in flight (acked ones by seq, then the rest in send order). */
  timeline() {
    const list = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    const inFlight = [...this.outgoing.values()].sort((a, b) => {
      const sa = a.ack ? a.ack.seq : Infinity;
      const sb = b.ack ? b.ack.seq : Infinity;
      return sa - sb || a.createdAt - b.createdAt;
    });
    return { list, inFlight };
  }

  /**
   * Status of one's own message with this seq. Direct: read / delivered by the peer, or just sent. Group: by the
   * rule of docs/protocol.md "Receipts in groups" (format.js groupStatus): one absent member holds nothing up.
   */
  statusOf(seq, receipts) {
    const others = this.others();
    if (others.length === 0) {
      return 'sent';
    }
    if (this.type === 'group') {
      return groupStatus(seq, others, receipts).status;
    }
    const cursor = (u, key) => {
      const r = receipts.get(u.userId);
      return Math.max(r ? r[key] : 0, u[key] || 0);
    };
    if (others.every((u) => cursor(u, 'readSeq') >= seq)) {
      return 'read';
    }
    if (others.every((u) => cursor(u, 'deliveredSeq') >= seq)) {
      return 'delivered';
    }
    return 'sent';
  }
}

function fromEvent(e) {
  return {
    messageId: e.messageId, seq: e.seq, senderId: e.actorId, clientMsgId: e.clientMsgId,
    body: e.deleted ? null : e.body, createdAt: e.createdAt, editedAt: null, deleted: !!e.deleted,
    replyTo: e.replyTo ? { messageId: e.replyTo, snippet: e.replySnippet ?? null } : null,
    reactions: new Map(), v: 0,
  };
}

function fromRest(j) {
  const reactions = new Map();
  for (const r of j.reactions || []) {
    reactions.set(r.emoji, new Set(r.userIds || []));
  }
  return {
    messageId: j.messageId, seq: j.seq, senderId: j.senderId, clientMsgId: j.clientMsgId, body: j.body,
    createdAt: j.createdAt, editedAt: j.editedAt, deleted: !!j.deleted, replyTo: j.replyTo || null, reactions, v: 0,
  };
}
