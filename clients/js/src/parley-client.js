// Parley client for browsers and Node 20+: one WebSocket that stays up and loses nothing. Same semantics as the Java
// SDK (docs/client-java.md): reconnect with exponential backoff and full jitter, resume from cursors (kept in
// localStorage when there is one), dedup by seq, a resync when a live event skips a seq, an outbox re-sent with the
// original clientMsgId after every reconnect, delivered receipts sent by itself, typing entries that expire. No
// dependencies but protocol.js, next to it (generated from the server's ErrorCode); see docs/client-js.md.

import { ErrorCodes } from './protocol.js';

export const State = Object.freeze({
  IDLE: 'idle', CONNECTING: 'connecting', SYNCING: 'syncing', LIVE: 'live', BACKOFF: 'backoff', CLOSED: 'closed',
});

/**
 * failed: not stored (a permanent refusal, or handed to a closed client). unconfirmed: sent without an answer in time
 * or left by close(): it may be stored, so it stays in the outbox and is re-sent with its clientMsgId. held: the server
 * answered `held` (docs/protocol.md, Held messages): in the moderation queue, no seq, seen by no one else; not re-sent;
 * show it as waiting for review. A server admin's decision makes it sent (approved, with its seq) or rejected (never
 * stored in the log).
 */
export const MessageState = Object.freeze({
  PENDING: 'pending', SENT: 'sent', FAILED: 'failed', UNCONFIRMED: 'unconfirmed', HELD: 'held', REJECTED: 'rejected',
});

/**
 * Error codes after which re-sending cannot succeed: those protocol.js marks not retryable (the rest, e.g. unavailable
 * and internal, stay pending). A code this version does not know stays pending too; the send timeout bounds it.
 */
export const PERMANENT_ERRORS = new Set(Object.keys(ErrorCodes).filter((code) => !ErrorCodes[code].retryable));

/** Received events are reported as delivered in one frame per conversation after this delay. */
const DELIVERED_DELAY_MS = 200;
/** Before the server's welcome says otherwise: a connection that says nothing this long is dead. */
const WELCOME_TIMEOUT_MS = 15000;

export class ParleyError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = 'ParleyError';
    this.code = code;
  }
}

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random time in
 * [0, min(max, initial * 2^n)], so a crowd of clients that lost the same server does not come back in lockstep.
 */
export class Backoff {
  constructor(initialMs = 250, maxMs = 30000, random = Math.random) {
    if (!(initialMs > 0) || maxMs < initialMs) {
      throw new RangeError(`backoff needs 0 < initial <= max, got ${initialMs} / ${maxMs}`);
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
    this.attempt = 0;
  }

  ceilingMs() {
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
  }

  nextDelayMs() {
    const ceiling = this.ceilingMs();
    this.attempt++;
    return Math.floor(this.random() * (ceiling + 1));
  }

  /**
   * The delay before re-sending a message refused for a passing reason, for its n-th retry: the same full jitter,
   * not counted as a connection failure, and never below 50 ms so a failing store is not hammered.
   */
  delayForAttemptMs(n) {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(n, 30));
    return 50 + Math.floor(this.random() * (ceiling + 1));
  }

  /**
   * The wait before reconnecting after a 1013 close that carried the server's delay: that delay (the server spreads
   * it over its admission window) plus up to a tenth of it of the client's own jitter. Not counted as a failure.
   */
  serverDelayMs(serverMs) {
    return serverMs + Math.floor(this.random() * (Math.floor(serverMs / 10) + 1));
  }

  reset() {
    this.attempt = 0;
  }
}

/** The delay of a 1013 (try again later) close reason, `retryAfterMs=<n>`, or -1 (docs/protocol.md, Close codes). */
function retryAfterMs(reason) {
  const m = /^retryAfterMs=(\d+)$/.exec(String(reason ?? '').trim());
  return m ? Number(m[1]) : -1;
}

/**
 * A message in the outbox. `state` moves pending -> sent (with `ack`), failed (with `errorCode`: not stored),
 * unconfirmed (no answer in time; may be stored; still re-sent, and a late ack makes it sent), or held (with `held`,
 * the server's held frame: waiting for review, not re-sent) -> sent (approved) or rejected.
 * `answered` resolves with the server's first answer, `{state, ack, held, errorCode}`: state 'sent' (with `ack`),
 * 'held' (with `held`: no seq yet), 'rejected' (a re-send of a rejected message), 'failed' (with `errorCode`), or
 * 'unconfirmed' when close() came first. It never rejects. A retry gives a new one.
 */
export class OutgoingMessage {
  constructor(conversationId, clientMsgId, body, replyTo, createdAt, queuedAt = monotonicNow()) {
    this.conversationId = conversationId;
    this.clientMsgId = clientMsgId;
    this.body = body;
    this.replyTo = replyTo || null;
    this.createdAt = createdAt || Date.now();
    this.state = MessageState.PENDING;
    this.ack = null;
    this.errorCode = null;
    this.errorMessage = null;
    this.queuedAt = queuedAt;
    this.retries = 0;
    this.held = null;
    this._answer();
  }

  /** A fresh `answered` promise (at construction and at a retry). */
  _answer() {
    this.answered = new Promise((resolve) => {
      this._resolveAnswer = resolve;
    });
  }

  /** Resolves `answered` with the current state, once. */
  _answered() {
    if (this._resolveAnswer) {
      const resolve = this._resolveAnswer;
      this._resolveAnswer = null;
      resolve({ state: this.state, ack: this.ack, held: this.held, errorCode: this.errorCode });
    }
  }
}

function monotonicNow() {
  return globalThis.performance ? performance.now() : Date.now();
}

/** The timers and the monotonic clock of the page; the `clock` option replaces them (tests advance a fake one). */
const realClock = Object.freeze({
  now: monotonicNow,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
});

function uuid() {
  if (globalThis.crypto && crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A listener that throws must not stop the client; its error is reported, not hidden. */
function report(err) {
  if (typeof globalThis.reportError === 'function') {
    globalThis.reportError(err);
  } else {
    setTimeout(() => { throw err; });
  }
}

function defaultUrl() {
  const loc = globalThis.location;
  if (!loc || !loc.host) {
    throw new TypeError('url is required outside a browser page (there is no page location to take the host from): '
      + "pass it, e.g. new ParleyClient({ url: 'ws://127.0.0.1:8080/ws', ... })");
  }
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/** The page's localStorage; memory (null) where there is none (Node) or where the page may not use it. */
function defaultStorage() {
  try {
    const s = globalThis.localStorage;
    return s && typeof s.getItem === 'function' ? s : null;
  } catch (err) {
    return null; // a SecurityError (storage disabled for this page): documented as memory, as without localStorage
  }
}

function webSocketClass(given) {
  const W = given || globalThis.WebSocket;
  if (typeof W !== 'function') {
    throw new TypeError(given
      ? `the WebSocket option must be a WebSocket class (a constructor), got ${typeof given}`
      : 'this runtime has no WebSocket (globalThis.WebSocket is missing, as in Node 20): pass a WebSocket class as '
        + "the WebSocket option, e.g. import WebSocket from 'ws'; new ParleyClient({ WebSocket, url, token })");
  }
  return W;
}

/**
 * new ParleyClient({token, url?, storage?, storageKey?, unlisted?, backoffInitialMs?, backoffMaxMs?,
 *                   sendTimeoutMs?, heartbeatIntervalMs?, pongTimeoutMs?, autoDelivered?, WebSocket?, random?,
 *                   clock?})
 * pongTimeoutMs: drop the connection (and reconnect) when nothing answers a ping within this long; off by default, so
 * only the server's idle timeout ends a silent connection. With heartbeatIntervalMs 2000 and pongTimeoutMs 2000 a cut
 * network is noticed within 5 s.
 * Events (client.on(name, fn)): event, synced, state, message, receipts, typing, presence, error, closed, authfailed,
 * held, match, gap.
 */
export class ParleyClient {
  constructor(options) {
    const o = options || {};
    if (o.token == null) {
      throw new TypeError('token (a string or a function returning one, or a promise of one) is required');
    }
    this._token = typeof o.token === 'function' ? o.token : () => o.token;
    this._WebSocket = webSocketClass(o.WebSocket);
    this._url = o.url || defaultUrl();
    this._storage = o.storage === undefined ? defaultStorage() : o.storage;
    this._key = o.storageKey || 'parley';
    this._unlisted = o.unlisted || 'replay';
    this._backoff = new Backoff(o.backoffInitialMs || 250, o.backoffMaxMs || 30000, o.random || Math.random);
    this._sendTimeoutMs = o.sendTimeoutMs || 30000;
    this._heartbeatMs = o.heartbeatIntervalMs || 25000;
    this._idleTimeoutMs = this._heartbeatMs * 3;
    this._pongTimeoutMs = o.pongTimeoutMs || 0;
    this._pingAt = 0;
    this._autoDelivered = o.autoDelivered !== false;
    this._clock = o.clock || realClock;

    this._listeners = new Map();
    this.state = State.IDLE;
    this.userId = null;
    /** The server's longest message body in characters (welcome's maxBodyChars), null before the first welcome. */
    this.maxBodyChars = null;
    this._ws = null;
    this._closing = false;
    this._timers = { heartbeat: null, reconnect: null, receipts: null };
    this._cursorSave = null;
    this._lastHeard = 0;
    this._lastToken = null;
    this._requests = new Map();
    this._receipts = new Map(); // conversation -> Map(user -> {userId, deliveredSeq, readSeq})
    this._typing = new Map(); // conversation -> Map(user -> expiry ms)
    this._presence = new Map(); // user -> {userId, status, lastSeen}
    this._deliveredToSend = new Map();
    this._readToSend = new Map();
    this._syncs = 0;
    this._replayed = 0;
    this._syncRunning = false; // a sync is out and its synced has not come
    this._firstSync = null;

    const saved = this._load('cursors') || {};
    this._cursors = new Map(Object.entries(saved).filter(([, v]) => Number.isInteger(v) && v >= 0));
    this._hadCursors = this._cursors.size > 0;
    this._receiptsSince = this._load('receiptsSince');
    this._outbox = new Map();
    // Conversations whose sends wait after a rate_limited: conversationId -> { until, timer } (_holdSends).
    this._rateHolds = new Map();
    for (const m of this._load('outbox') || []) {
      const out = new OutgoingMessage(m.conversationId, m.clientMsgId, m.body, m.replyTo, m.createdAt,
        this._clock.now());
      this._outbox.set(out.clientMsgId, out);
    }
    // Answered `held`: waiting for a server admin, not re-sent; kept in storage so a reload still shows them.
    this._heldMessages = new Map();
    for (const m of this._load('held') || []) {
      const out = new OutgoingMessage(m.conversationId, m.clientMsgId, m.body, m.replyTo, m.createdAt,
        this._clock.now());
      out.state = MessageState.HELD;
      out.held = m.held || null;
      out._answered();
      this._heldMessages.set(out.clientMsgId, out);
    }
    this._expiry = this._clock.setInterval(() => this._expireSends(),
      Math.max(10, Math.min(1000, Math.floor(this._sendTimeoutMs / 4))));
    this._onOnline = () => {
      if (this.state === State.BACKOFF) {
        this._clock.clearTimeout(this._timers.reconnect);
        this._open();
      }
    };
    globalThis.addEventListener?.('online', this._onOnline);
    this._onPageHide = () => this._saveCursors();
    globalThis.addEventListener?.('pagehide', this._onPageHide);
  }

  // ---- public API ------------------------------------------------------------------------------------------------

  /** Subscribes to an event; returns a function that unsubscribes. */
  on(name, fn) {
    if (!this._listeners.has(name)) {
      this._listeners.set(name, new Set());
    }
    this._listeners.get(name).add(fn);
    return () => this._listeners.get(name).delete(fn);
  }

  /** Starts connecting (and reconnecting); resolves at the first `synced`, rejects if authentication fails. */
  connect() {
    if (!this._firstSync) {
      this._firstSync = {};
      this._firstSync.promise = new Promise((resolve, reject) => {
        this._firstSync.resolve = resolve;
        this._firstSync.reject = reject;
      });
      if (this.state === State.IDLE) {
        this._open();
      }
    }
    return this._firstSync.promise;
  }

  /** Sends a message: pending at once, sent when acked. options: {clientMsgId, replyTo}. */
  send(conversationId, body, options) {
    const o = options || {};
    const m = new OutgoingMessage(conversationId, o.clientMsgId || uuid(), body, o.replyTo, undefined,
      this._clock.now());
    if (this.state === State.CLOSED) {
      this._fail(m, 'closed', 'client is closed');
      return m;
    }
    this._outbox.set(m.clientMsgId, m);
    this._saveOutbox();
    if (this._connected()) {
      this._transmit(m);
    }
    return m;
  }

  reply(conversationId, replyTo, body) {
    return this.send(conversationId, body, { replyTo });
  }

  /** Puts a failed message back in the outbox with the same clientMsgId. */
  retry(m) {
    if (m.state !== MessageState.FAILED || this.state === State.CLOSED) {
      return;
    }
    m.state = MessageState.PENDING;
    m.errorCode = null;
    m.errorMessage = null;
    m.queuedAt = this._clock.now();
    m._answer();
    this._outbox.set(m.clientMsgId, m);
    this._saveOutbox();
    this._emit('message', m);
    if (this._connected()) {
      this._transmit(m);
    }
  }

  edit(conversationId, messageId, body) {
    return this._request((ref) => ({ type: 'edit', ref, conversationId, messageId, body }));
  }

  delete(conversationId, messageId) {
    return this._request((ref) => ({ type: 'delete', ref, conversationId, messageId }));
  }

  /** Adds (add = true) or removes one's reaction. */
  react(conversationId, messageId, emoji, add = true) {
    return this._request((ref) => ({ type: add ? 'react' : 'unreact', ref, conversationId, messageId, emoji }));
  }

  /** Resolves with [{userId, status, lastSeen}] for the users that share a conversation with this one. */
  queryPresence(userIds) {
    return this._request((ref) => ({ type: 'presence_query', ref, userIds: [...userIds] })).then((p) => p.users);
  }

  // ---- talk to a stranger (docs/protocol.md, Matching) ----

  /**
   * Asks to be paired with a stranger. Resolves with the `match` frame that answers (waiting, matched or rejoined);
   * rejects with ParleyError `match_session_taken` (another tab is matching: call again with takeover) or
   * `unavailable`. Every `match` frame, these included, is also emitted as `match`.
   */
  matchJoin({ interests = [], language, takeover = false } = {}) {
    return this._request((ref) => {
      const f = { type: 'match_join', ref };
      if (interests.length > 0) f.interests = [...interests];
      if (language != null) f.language = language;
      if (takeover) f.takeover = true;
      return f;
    });
  }

  /** Leaves the waiting queue (answer: `left`). */
  matchLeave() { return this._request((ref) => ({ type: 'match_leave', ref })); }

  /** Ends the pair and joins again with the same criteria (answer: `ended`). */
  matchNext() { return this._request((ref) => ({ type: 'match_next', ref })); }

  /** Ends the pair (answer: `ended`). */
  matchEnd() { return this._request((ref) => ({ type: 'match_end', ref })); }

  /** Ends the pair; the two are never paired again (answer: `ended`). */
  matchBlock() { return this._request((ref) => ({ type: 'match_block', ref })); }

  /** Reports the partner to the operators (answer: `reported`). */
  matchReport(reason) {
    return this._request((ref) => (reason == null ? { type: 'match_report', ref } : { type: 'match_report', ref, reason }));
  }

  /** Marks everything up to seq read: sent now, or after the next reconnect. */
  markRead(conversationId, seq) {
    this._readToSend.set(conversationId, Math.max(seq, this._readToSend.get(conversationId) || 0));
    this._flushReceipts();
  }

  /** Tells the other members this user is typing (call again every ~2 s while typing) or stopped (false). */
  typing(conversationId, active = true) {
    if (this._connected()) {
      this._write({ type: 'typing', conversationId, active });
    }
  }

  /** Receipt cursors of the members of a conversation: Map(userId -> {userId, deliveredSeq, readSeq}). */
  receipts(conversationId) {
    return new Map(this._receipts.get(conversationId) || []);
  }

  readBy(conversationId, seq) {
    return [...this.receipts(conversationId).values()].filter((r) => r.readSeq >= seq).map((r) => r.userId);
  }

  deliveredTo(conversationId, seq) {
    return [...this.receipts(conversationId).values()].filter((r) => r.deliveredSeq >= seq).map((r) => r.userId);
  }

  /** Users typing in the conversation now; entries past the server's ttl are gone. */
  typingIn(conversationId) {
    const c = this._typing.get(conversationId);
    if (!c) {
      return [];
    }
    const now = this._clock.now();
    for (const [u, expiry] of c) {
      if (expiry <= now) {
        c.delete(u);
      }
    }
    return [...c.keys()];
  }

  /** The last presence heard of a user ({userId, status, lastSeen}), or null. */
  presence(userId) {
    return this._presence.get(userId) || null;
  }

  /** Messages waiting for an ack, in send order (not the held ones: see held()). */
  pending() {
    return [...this._outbox.values()];
  }

  /**
   * Messages the server answered `held` and no decision has reached yet, in send order: waiting for review, not
   * re-sent, kept in storage. A decision made while no client was connected reaches a client as the message's own
   * event (approved) or not at all: re-send it with its clientMsgId (send(c, body, {clientMsgId})) to learn it.
   */
  held() {
    return [...this._heldMessages.values()];
  }

  /** Highest seq processed per conversation. */
  cursors() {
    return Object.fromEntries(this._cursors);
  }

  /** Drops the socket at once, as a network failure would; the client reconnects and resumes. */
  abortConnection() {
    if (this._ws) {
      this._abort(this._ws, 'aborted by the application');
    }
  }

  /**
   * Closes with 1000 and stops reconnecting; messages without an ack become unconfirmed and stay in the stored
   * outbox (and pending()), so the next client on this storageKey re-sends them with their clientMsgId. Idempotent.
   */
  close() {
    // Not "state is CLOSED": after authfailed the client is CLOSED too, and close() must still stop its timers.
    if (this._closed) {
      return;
    }
    this._closed = true;
    this._closing = true;
    this._cancelTimers();
    this._clock.clearInterval(this._expiry);
    globalThis.removeEventListener?.('online', this._onOnline);
    globalThis.removeEventListener?.('pagehide', this._onPageHide);
    this._saveCursors();
    if (this._ws) {
      const ws = this._ws;
      this._ws = null;
      ws.close(1000, 'bye');
    }
    this._failRequests('client closed');
    for (const m of this.pending()) {
      if (m.state === MessageState.PENDING) {
        m.state = MessageState.UNCONFIRMED;
        m._answered();
        this._emit('message', m);
      }
    }
    this._setState(State.CLOSED);
    this._firstSync?.reject(new ParleyError('closed', 'client closed'));
  }

  /** Forgets the cursors, outbox and receipt time kept in storage for this storageKey (e.g. on logout). */
  clearStorage() {
    for (const k of ['cursors', 'outbox', 'held', 'receiptsSince']) {
      this._storage?.removeItem(`${this._key}:${k}`);
    }
  }

  // ---- connection lifecycle ----------------------------------------------------------------------------------------

  async _open() {
    if (this._closing) {
      return;
    }
    this._setState(State.CONNECTING);
    let token;
    try {
      token = await this._token();
    } catch (err) {
      report(err);
      this._scheduleReconnect();
      return;
    }
    if (this._closing) {
      return;
    }
    this._lastToken = token;
    // resume=1: the server holds live events until our sync, so none can overtake the replay (and be taken for
    // a duplicate by the cursors).
    const sep = this._url.includes('?') ? '&' : '?';
    const ws = new this._WebSocket(`${this._url}${sep}resume=1&token=${encodeURIComponent(token || '')}`);
    this._ws = ws;
    this._lastHeard = this._clock.now();
    this._idleLimit = WELCOME_TIMEOUT_MS;
    this._startLiveness(ws);
    ws.onopen = () => {
      if (ws === this._ws) {
        this._lastHeard = this._clock.now();
      }
    };
    ws.onmessage = (m) => {
      if (ws === this._ws) {
        this._lastHeard = this._clock.now();
        this._frame(m.data);
      }
    };
    ws.onclose = (ev) => {
      if (ws === this._ws) {
        this._ended(ev.code, ev.reason);
      }
    };
    // A close event follows every error and carries the outcome; the `ws` package throws an error nobody listens to.
    ws.onerror = () => {};
  }

  /**
   * One tick every heartbeat interval, at most a second apart: it drops a connection silent for longer than the idle
   * limit and pings every heartbeat interval once welcomed. Restarted at the welcome, whose interval counts.
   */
  _startLiveness(ws) {
    this._clock.clearInterval(this._timers.heartbeat);
    const tick = Math.max(50, Math.min(this._heartbeatMs, 1000, this._pongTimeoutMs ? this._pongTimeoutMs / 4 : 1000));
    let sincePing = 0;
    this._pingAt = 0;
    this._timers.heartbeat = this._clock.setInterval(() => {
      if (ws !== this._ws) {
        return;
      }
      const now = this._clock.now();
      if (now - this._lastHeard > this._idleLimit) {
        this._abort(ws, `nothing heard for ${this._idleLimit} ms`);
        return;
      }
      // Any frame after the ping counts as its answer: the pong, or an event that overtook it.
      if (this._pongTimeoutMs && this._pingAt > this._lastHeard && now - this._pingAt > this._pongTimeoutMs) {
        this._abort(ws, `no answer to a ping within ${this._pongTimeoutMs} ms`);
        return;
      }
      sincePing += tick;
      if (sincePing >= this._heartbeatMs && this._connected()) {
        sincePing = 0;
        if (this._pingAt <= this._lastHeard) {
          this._pingAt = now; // the oldest unanswered ping is the one the timeout counts from
        }
        this._write({ type: 'ping' });
      }
    }, tick);
  }

  _abort(ws, reason) {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    // Browsers have no abort without a close handshake; 4000 tells the server it was us.
    ws.close(4000, reason.slice(0, 100));
    if (ws === this._ws) {
      this._ended(1006, reason);
    }
  }

  _frame(text) {
    let f;
    try {
      f = JSON.parse(text);
    } catch (err) {
      report(new ParleyError('bad_json', `undecodable frame from server: ${String(text).slice(0, 200)}`));
      return;
    }
    switch (f.type) {
      case 'welcome': return this._welcome(f);
      case 'event': return this._event(f);
      case 'ack': return this._ack(f);
      case 'synced': return this._synced(f);
      case 'ok': return this._answer(f.ref, f);
      case 'receipts': return this._mergeReceipts(f);
      case 'typing': return this._onTyping(f);
      case 'presence':
        f.users.forEach((u) => this._presence.set(u.userId, u));
        if (!this._answer(f.ref, f)) {
          this._emit('presence', f.users);
        }
        return undefined;
      case 'error': return this._error(f);
      case 'match':
        this._answer(f.ref, f);
        this._emit('match', f);
        return undefined;
      case 'held': // a message of ours is in the moderation queue, or was approved or rejected there
        this._heldFrame(f);
        this._emit('held', f);
        return undefined;
      default: return undefined; // pong, and frame types newer than this client
    }
  }

  _welcome(w) {
    this.userId = w.userId;
    this.maxBodyChars = w.maxBodyChars || null;
    this._heartbeatMs = Math.max(50, Math.min(this._heartbeatMs, w.heartbeatIntervalMs || this._heartbeatMs));
    this._idleTimeoutMs = w.idleTimeoutMs || this._idleTimeoutMs;
    this._idleLimit = this._idleTimeoutMs;
    this._replayed = 0;
    this._setState(State.SYNCING);
    this._sendSync();
    for (const m of this._outbox.values()) {
      this._transmit(m);
    }
    this._startLiveness(this._ws);
  }

  _sendSync() {
    const sync = { type: 'sync', cursors: this.cursors(), unlisted: this._unlisted };
    if (this._receiptsSince != null) {
      sync.receiptsSince = this._receiptsSince;
    }
    this._syncRunning = true;
    this._write(sync);
  }

  _event(e) {
    const current = this._cursors.get(e.conversationId);
    if (current !== undefined && e.seq <= current) {
      return; // a duplicate: replay overlapping live delivery, or a second delivery after a reconnect
    }
    if (current !== undefined && e.seq > current + 1) {
      // A gap: not passed on. A sync from the cursors brings the missing events and this one in order; while a
      // sync runs, its replay covers it already.
      if (!this._syncRunning) {
        this._emit('gap', { conversationId: e.conversationId, cursor: current, seq: e.seq });
        this._sendSync();
      }
      return;
    }
    this._cursors.set(e.conversationId, e.seq);
    if (e.kind === 'member_removed' && e.memberId === this.userId) {
      this._cursors.delete(e.conversationId); // as the server's session does: a re-add starts afresh, not a gap
    }
    if (this.state === State.SYNCING) {
      this._replayed++;
      this._saveCursorsSoon(); // a replay can be long: one write per 250 ms, and one at synced
    } else {
      this._saveCursors();
    }
    const held = e.kind === 'message' && e.actorId === this.userId ? this._heldMessages.get(e.clientMsgId) : null;
    if (held && held.conversationId === e.conversationId) {
      // Approved while the decision frame did not reach this client: its own event says it is in the log.
      this._settleHeld(held);
      this._sent(held, { type: 'ack', clientMsgId: e.clientMsgId, conversationId: e.conversationId,
        messageId: e.messageId, seq: e.seq, createdAt: e.createdAt, duplicate: true });
    }
    this._emit('event', e);
    if (this._autoDelivered) {
      this._deliveredToSend.set(e.conversationId, Math.max(e.seq, this._deliveredToSend.get(e.conversationId) || 0));
      if (!this._timers.receipts) {
        this._timers.receipts = this._clock.setTimeout(() => this._flushReceipts(), DELIVERED_DELAY_MS);
      }
    }
  }

  _ack(a) {
    const m = this._outbox.get(a.clientMsgId);
    if (!m) {
      return;
    }
    this._outbox.delete(a.clientMsgId);
    this._saveOutbox();
    this._sent(m, a);
  }

  _sent(m, ack) {
    m.state = MessageState.SENT;
    m.ack = ack;
    m._answered();
    this._emit('message', m);
  }

  /**
   * A `held` frame about a message of ours (docs/protocol.md, Held messages), matched by clientMsgId: `held` moves a
   * pending one out of the outbox (an answer: not re-sent); `approved` makes it sent with an ack made of the frame
   * (its seq); `rejected` makes it rejected. A frame about no message of this client (another device's) only reaches
   * the `held` event.
   */
  _heldFrame(h) {
    const id = h.clientMsgId;
    const m = this._outbox.get(id) || this._heldMessages.get(id);
    if (!m || m.conversationId !== h.conversationId) {
      return;
    }
    if (h.status === 'held') {
      if (m.state === MessageState.HELD) {
        return; // a duplicate answer: nothing new
      }
      this._outbox.delete(id);
      this._heldMessages.set(id, m);
      this._saveOutbox();
      m.state = MessageState.HELD;
      m.held = h;
      m._answered();
      this._emit('message', m);
    } else if (h.status === 'approved' && h.seq != null) {
      this._settleHeld(m);
      this._sent(m, { type: 'ack', clientMsgId: id, conversationId: h.conversationId, messageId: h.messageId,
        seq: h.seq, createdAt: h.createdAt, duplicate: h.duplicate === true });
    } else if (h.status === 'rejected') {
      this._settleHeld(m);
      m.state = MessageState.REJECTED;
      m.held = h;
      m._answered();
      this._emit('message', m);
    }
  }

  _settleHeld(m) {
    this._outbox.delete(m.clientMsgId);
    this._heldMessages.delete(m.clientMsgId);
    this._saveOutbox();
  }

  _synced(s) {
    this._syncRunning = false;
    this._backoff.reset();
    if (s.serverTime != null) {
      this._receiptsSince = s.serverTime;
      this._save('receiptsSince', s.serverTime);
    }
    // Conversations the server started at their last seq (unlisted: "skip") resume from there next time.
    for (const [c, seq] of Object.entries(s.conversations || {})) {
      if (!this._cursors.has(c)) {
        this._cursors.set(c, seq);
      }
    }
    this._saveCursors();
    this._syncs++;
    const resumed = this._syncs > 1 || this._hadCursors;
    this._setState(State.LIVE);
    this._flushReceipts();
    this._emit('synced', { conversations: s.conversations || {}, serverTime: s.serverTime, resumed,
      replayed: this._replayed });
    this._firstSync?.resolve();
  }

  _error(e) {
    const m = e.ref != null ? this._outbox.get(e.ref) : null;
    if (m) {
      if (PERMANENT_ERRORS.has(e.code)) {
        this._outbox.delete(m.clientMsgId);
        this._saveOutbox();
        this._fail(m, e.code, e.message);
      } else if (e.code === 'rate_limited') {
        m.waiting = true;
        this._holdSends(m.conversationId, e.retryAfterMs);
      } else {
        this._retryLater(m, e.retryAfterMs);
      }
      return;
    }
    if (!this._answer(e.ref, e)) {
      this._emit('error', e);
    }
  }

  /**
   * A send refused for a passing reason (unavailable, internal: nothing was stored) goes out again with the same
   * clientMsgId after a growing, jittered delay, on the same connection; a reconnect re-sends it anyway.
   */
  _retryLater(m, retryAfterMs) {
    const ws = this._ws;
    // rate_limited says when a token is there again: wait exactly that (the message stays pending, never failed).
    const delay = typeof retryAfterMs === 'number' && retryAfterMs >= 0
      ? retryAfterMs
      : this._backoff.delayForAttemptMs(m.retries++);
    this._clock.setTimeout(() => {
      if (this._outbox.get(m.clientMsgId) === m && ws !== null && ws === this._ws && this._connected()) {
        this._transmit(m);
      }
    }, delay);
  }

  _ended(code, reason) {
    this._ws = null;
    this._syncRunning = false;
    this._clock.clearInterval(this._timers.heartbeat);
    this._timers.heartbeat = null;
    this._failRequests(`connection closed (${code}) before the answer`);
    this._emit('closed', { code, reason });
    if (this._closing) {
      return;
    }
    // 4001: the token was refused; 4003: its session was revoked. Either way only a different token may help.
    if (code === 4001 || code === 4003) {
      Promise.resolve().then(() => this._token()).then((fresh) => {
        if (fresh == null || fresh === this._lastToken) {
          this._authFailed(reason);
        } else {
          this._scheduleReconnect();
        }
      }, (err) => {
        report(err);
        this._authFailed(reason);
      });
      return;
    }
    const serverDelay = code === 1013 ? retryAfterMs(reason) : -1;
    if (serverDelay >= 0) {
      // The node admits no more connections now: come back when it said, not after the backoff.
      this._setState(State.BACKOFF);
      this._timers.reconnect = this._clock.setTimeout(() => this._open(), this._backoff.serverDelayMs(serverDelay));
      return;
    }
    this._scheduleReconnect();
  }

  _authFailed(reason) {
    this._closing = true;
    this._cancelTimers();
    this._setState(State.CLOSED);
    this._emit('authfailed', reason);
    this._firstSync?.reject(new ParleyError('unauthorized', `authentication failed: ${reason}`));
  }

  _scheduleReconnect() {
    this._setState(State.BACKOFF);
    const delay = this._backoff.nextDelayMs();
    this._timers.reconnect = this._clock.setTimeout(() => this._open(), delay);
  }

  // ---- requests, receipts, typing ---------------------------------------------------------------------------------

  _request(frameOf) {
    if (!this._connected()) {
      return Promise.reject(new ParleyError('offline', 'not connected; try again when connected'));
    }
    const ref = uuid();
    return new Promise((resolve, reject) => {
      this._requests.set(ref, { resolve, reject });
      this._write(frameOf(ref));
    });
  }

  _answer(ref, frame) {
    const r = ref == null ? null : this._requests.get(ref);
    if (!r) {
      return false;
    }
    this._requests.delete(ref);
    if (frame.type === 'error') {
      r.reject(new ParleyError(frame.code, frame.message));
    } else {
      r.resolve(frame);
    }
    return true;
  }

  _failRequests(why) {
    for (const r of this._requests.values()) {
      r.reject(new ParleyError('disconnected', why));
    }
    this._requests.clear();
  }

  _flushReceipts() {
    this._clock.clearTimeout(this._timers.receipts);
    this._timers.receipts = null;
    if (!this._connected()) {
      return; // kept for the next connection
    }
    for (const [c, seq] of this._readToSend) {
      this._write({ type: 'read', conversationId: c, seq });
    }
    for (const [c, seq] of this._deliveredToSend) {
      if ((this._readToSend.get(c) ?? -1) < seq) {
        this._write({ type: 'delivered', conversationId: c, seq });
      }
    }
    this._readToSend.clear();
    this._deliveredToSend.clear();
  }

  _mergeReceipts(r) {
    let c = this._receipts.get(r.conversationId);
    if (!c) {
      c = new Map();
      this._receipts.set(r.conversationId, c);
    }
    for (const x of r.receipts) {
      const old = c.get(x.userId);
      c.set(x.userId, old ? {
        userId: x.userId,
        deliveredSeq: Math.max(old.deliveredSeq, x.deliveredSeq),
        readSeq: Math.max(old.readSeq, x.readSeq),
      } : { userId: x.userId, deliveredSeq: x.deliveredSeq, readSeq: x.readSeq });
    }
    this._emit('receipts', r);
  }

  _onTyping(t) {
    let c = this._typing.get(t.conversationId);
    if (!c) {
      c = new Map();
      this._typing.set(t.conversationId, c);
    }
    if (t.active === false) {
      c.delete(t.userId);
    } else {
      const ttl = t.ttlMs || 6000;
      c.set(t.userId, this._clock.now() + ttl);
      // Tell the application again when the entry has expired, so it can redraw without polling.
      this._clock.setTimeout(() => this._emit('typing', {
        conversationId: t.conversationId, userId: t.userId, active: false, expired: true,
      }), ttl + 20);
    }
    this._emit('typing', t);
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------------

  _connected() {
    return this._ws !== null && (this.state === State.SYNCING || this.state === State.LIVE);
  }

  /**
   * rate_limited on a send: nothing was stored. Every send of that conversation waits until the server's delay has
   * passed (the longest one it gave), then the waiting ones go out again in the order they were sent, so a burst
   * over the limit keeps its order instead of each message retrying on a timer of its own.
   */
  _holdSends(conversationId, retryAfterMs) {
    const delay = typeof retryAfterMs === 'number' && retryAfterMs >= 0 ? retryAfterMs : 1000;
    const until = this._clock.now() + delay;
    const held = this._rateHolds.get(conversationId);
    if (held && held.until >= until) {
      return;
    }
    if (held) {
      this._clock.clearTimeout(held.timer);
    }
    const timer = this._clock.setTimeout(() => {
      this._rateHolds.delete(conversationId);
      if (!this._connected()) {
        return; // the next welcome sends the whole outbox, in order
      }
      for (const w of [...this._outbox.values()]) {
        if (w.conversationId === conversationId && w.waiting) {
          this._transmit(w);
        }
      }
    }, delay);
    this._rateHolds.set(conversationId, { until, timer });
  }

  _transmit(m) {
    if (this._rateHolds.has(m.conversationId)) {
      m.waiting = true; // sent, in order, when the hold ends (_holdSends)
      return;
    }
    m.waiting = false;
    const f = { type: 'send', conversationId: m.conversationId, clientMsgId: m.clientMsgId, body: m.body };
    if (m.replyTo) {
      f.replyTo = m.replyTo;
    }
    this._write(f);
  }

  _write(frame) {
    if (this._ws && this._ws.readyState === 1) {
      this._ws.send(JSON.stringify(frame));
    }
  }

  _expireSends() {
    const now = this._clock.now();
    const expired = [...this._outbox.values()]
      .filter((m) => m.state === MessageState.PENDING && now - m.queuedAt >= this._sendTimeoutMs);
    // Unconfirmed, not failed: it may be stored. It stays in the outbox; a late ack or a re-send's ack settles it.
    expired.forEach((m) => {
      m.state = MessageState.UNCONFIRMED;
      this._emit('message', m);
    });
  }

  _fail(m, code, message) {
    m.state = MessageState.FAILED;
    m.errorCode = code;
    m.errorMessage = message || null;
    m._answered();
    this._emit('message', m);
  }

  _cancelTimers() {
    this._clock.clearInterval(this._timers.heartbeat);
    this._clock.clearTimeout(this._timers.reconnect);
    this._clock.clearTimeout(this._timers.receipts);
    this._timers = { heartbeat: null, reconnect: null, receipts: null };
    for (const held of this._rateHolds.values()) {
      this._clock.clearTimeout(held.timer);
    }
    this._rateHolds.clear();
  }

  _setState(s) {
    if (this.state !== s) {
      this.state = s;
      this._emit('state', s);
    }
  }

  _emit(name, value) {
    for (const fn of this._listeners.get(name) || []) {
      try {
        fn(value);
      } catch (err) {
        report(err);
      }
    }
  }

  _load(name) {
    const raw = this._storage?.getItem(`${this._key}:${name}`);
    if (raw == null) {
      return null;
    }
    try {
      return JSON.parse(raw);
    } catch (err) {
      report(new Error(`ignoring unreadable ${this._key}:${name} in storage: ${err.message}`));
      return null;
    }
  }

  _save(name, value) {
    this._storage?.setItem(`${this._key}:${name}`, JSON.stringify(value));
  }

  _saveCursors() {
    this._clock.clearTimeout(this._cursorSave);
    this._cursorSave = null;
    this._save('cursors', this.cursors());
  }

  /** Coalesces the writes of a replay; `pagehide` and `synced` write at once. */
  _saveCursorsSoon() {
    if (!this._cursorSave) {
      this._cursorSave = this._clock.setTimeout(() => this._saveCursors(), 250);
    }
  }

  _saveOutbox() {
    this._save('outbox', this.pending().map((m) => ({ conversationId: m.conversationId, clientMsgId: m.clientMsgId,
      body: m.body, replyTo: m.replyTo, createdAt: m.createdAt })));
    this._save('held', this.held().map((m) => ({ conversationId: m.conversationId, clientMsgId: m.clientMsgId,
      body: m.body, replyTo: m.replyTo, createdAt: m.createdAt, held: m.held })));
  }
}
