// Parley REST client for browsers and Node 20+: every endpoint of docs/api.md, one method each, answers as the server
// sends them, refusals as ParleyApiError with the server's code and HTTP status. See docs/client-js.md (REST).

import { ErrorCodes } from './protocol.js';
import { ParleyError } from './parley-client.js';

/**
 * A refused or failed REST call: `code` is the server's error code (or `network` / `bad_response`), `status` the
 * HTTP status of the answer (0 when none came).
 */
export class ParleyApiError extends ParleyError {
  constructor(status, code, message, body) {
    super(code, message);
    this.name = 'ParleyApiError';
    this.status = status;
    /** Whether the same request may succeed when sent again unchanged (protocol.js; a network failure may). */
    this.retryable = code === 'network' || Boolean(ErrorCodes[code]?.retryable);
    this.body = body === undefined ? null : body;
  }
}

function defaultBaseUrl() {
  const origin = globalThis.location?.origin;
  if (!origin || origin === 'null') {
    throw new TypeError('baseUrl is required outside a browser page (there is no page origin): pass it, e.g. '
      + "new ParleyApi({ baseUrl: 'http://127.0.0.1:8080' })");
  }
  return origin;
}

const seg = encodeURIComponent;

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v != null) {
      q.set(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function uuid() {
  return globalThis.crypto.randomUUID();
}

/**
 * new ParleyApi({baseUrl?, token?, fetch?}): `baseUrl` is the server's origin (`http://host:port`; the page's origin
 * in a browser), `token` a string or a function returning one (or a promise of one), called for every request.
 * `register` and `login` use the token they answer with from then on.
 */
export class ParleyApi {
  constructor(options) {
    const o = options || {};
    this.baseUrl = (o.baseUrl || defaultBaseUrl()).replace(/\/+$/, '');
    const fetch = o.fetch || globalThis.fetch;
    if (typeof fetch !== 'function') {
      throw new TypeError('this runtime has no fetch: pass one as the fetch option');
    }
    // Called as a plain function: a browser's fetch refuses any other `this` ("Illegal invocation").
    this._fetch = (url, init) => fetch.call(globalThis, url, init);
    this.setToken(o.token ?? null);
  }

  /** The token for the next requests: a string, a function returning one (or a promise), or null for none. */
  setToken(token) {
    this._token = typeof token === 'function' ? token : () => token;
  }

  /** The WebSocket endpoint of the same server, for ParleyClient's `url` option: ws(s)://host/ws. */
  webSocketUrl() {
    return `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
  }

  // ---- accounts ---------------------------------------------------------------------------------------------------

  /** -> {userId, username, token, expiresAt}; later calls use the token. */
  async register(username, password) {
    const r = await this.request('POST', '/auth/register', { username, password }, false);
    this.setToken(r.token);
    return r;
  }

  /** -> {userId, username, token, expiresAt, refreshToken, sessionId}; later calls use the token. */
  async login(username, password) {
    const r = await this.request('POST', '/auth/login', { username, password }, false);
    this.setToken(r.token);
    return r;
  }

  /**
   * Exchanges a refresh token (from register, login or an earlier refresh) for a new access token and a new refresh
   * token of the same session: -> {userId, username, token, expiresAt, refreshToken, sessionId}; later calls use the
   * new token. Each refresh token is good once: keep the new one. A replayed one revokes the session
   * (refresh_token_reused), unless it comes within the server's auth.refresh-reuse-grace (30 s) of its first use: the
   * same call again after a lost answer gets another pair.
   */
  async refresh(refreshToken) {
    const r = await this.request('POST', '/auth/refresh', { refreshToken }, false);
    this.setToken(r.token);
    return r;
  }

  /** Logout: revokes this token's session (its sockets close with 4003). */
  logout() {
    return this.request('DELETE', '/sessions/current');
  }

  /** -> {sessions: [...]}: the user's device sessions. */
  sessions() {
    return this.request('GET', '/sessions');
  }

  /** -> {userId, username, displayName} of the token's user. */
  me() {
    return this.request('GET', '/me');
  }

  /** Sets (1-64 characters, trimmed) or clears (null) the caller's display name -> {userId, username, displayName}. */
  setDisplayName(displayName) {
    return this.request('PATCH', '/me', { displayName });
  }

  /** -> [{userId, username, displayName}] whose username or display name starts with `query`, by username. */
  async searchUsers(query, limit) {
    const qs = new URLSearchParams({ q: query });
    if (limit != null) {
      qs.set('limit', String(limit));
    }
    return (await this.request('GET', `/users?${qs}`)).users;
  }

  /** -> {userId, username, displayName}; ParleyApiError user_not_found when nobody has that (case-sensitive) name. */
  userByUsername(username) {
    return this.request('GET', `/users/by-username/${seg(username)}`);
  }

  // ---- conversations ----------------------------------------------------------------------------------------------

  /** The one direct conversation with a user, created on first use: {userId} or {username} -> conversation. */
  openDirect(other) {
    const o = typeof other === 'string' ? { username: other } : other;
    return this.request('POST', '/conversations', { type: 'direct', ...o });
  }

  /** A group owned by the caller; `memberIds` are user ids (userByUsername finds one) -> conversation. */
  createGroup(title, memberIds) {
    return this.request('POST', '/conversations', { type: 'group', title, members: [...(memberIds || [])] });
  }

  /** -> [conversation], most recently active first, each with its last message and unread count. */
  async conversations() {
    return (await this.request('GET', '/conversations')).conversations;
  }

  conversation(conversationId) {
    return this.request('GET', `/conversations/${seg(conversationId)}`);
  }

  /** -> [member]. */
  async members(conversationId) {
    return (await this.request('GET', `/conversations/${seg(conversationId)}/members`)).members;
  }

  /** -> [event]: one member_added per user added (existing members are skipped). */
  async addMembers(conversationId, userIds) {
    return (await this.request('POST', `/conversations/${seg(conversationId)}/members`, { userIds: [...userIds] }))
      .events;
  }

  /** Removes a member, or leaves when userId is the caller's -> the member_removed event. */
  async removeMember(conversationId, userId) {
    return (await this.request('DELETE', `/conversations/${seg(conversationId)}/members/${seg(userId)}`)).event;
  }

  /** role: "admin" or "member" (owner only) -> the member_role event. */
  async setRole(conversationId, userId, role) {
    return (await this.request('PUT', `/conversations/${seg(conversationId)}/members/${seg(userId)}/role`, { role }))
      .event;
  }

  /** Renames a group (owner and admins; 1-200 characters) -> the conversation_renamed event with the new title. */
  async renameConversation(conversationId, title) {
    return (await this.request('PATCH', `/conversations/${seg(conversationId)}`, { title })).event;
  }

  // ---- messages ---------------------------------------------------------------------------------------------------

  /**
   * A page of messages in their current state, ascending by seq: {messages, hasMore, limit, firstSeq, lastSeq}.
   * No cursor: the newest; `before`: the newest below that seq (scrolling up); `after`: the oldest above it.
   */
  messages(conversationId, page) {
    const { before, after, limit } = page || {};
    return this.request('GET', `/conversations/${seg(conversationId)}/messages${query({ before, after, limit })}`);
  }

  /**
   * Pages of history from the newest back to the first message (or from `before` back), each as `messages` answers
   * it; stops after the page whose hasMore is false. for await (const page of api.history(c, {limit: 100})) ...
   */
  async* history(conversationId, page) {
    let { before, limit } = page || {};
    for (;;) {
      const p = await this.messages(conversationId, { before, limit });
      yield p;
      if (!p.hasMore || p.firstSeq == null) {
        return;
      }
      before = p.firstSeq;
    }
  }

  /**
   * The page with the message at `seq` in its context (opening a search hit): up to limit/2 messages before it, it
   * and the ones after; {messages, hasMore, hasMoreBefore, hasMoreAfter, limit, firstSeq, lastSeq}.
   */
  around(conversationId, seq, limit) {
    return this.request('GET', `/conversations/${seg(conversationId)}/messages${query({ around: seq, limit })}`);
  }

  /**
   * Searches the messages of every conversation the user is a member of (docs/api.md, "Search"):
   * {results: [{conversationId, seq, messageId, senderId, createdAt, editedAt?, snippet, highlights}], limit,
   * nextCursor?}. `q` is required; the options are conversation, from, after, before, sort ('relevance' or
   * 'newest'), cursor (the previous page's nextCursor) and limit. Sent as POST so a long query fits.
   */
  search(q, options) {
    const body = { q };
    for (const [k, v] of Object.entries(options || {})) {
      if (v != null) {
        body[k] = v;
      }
    }
    return this.request('POST', '/search', body);
  }

  /** The raw log, paged like messages: {events, hasMore, limit, firstSeq, lastSeq}. */
  events(conversationId, page) {
    const { before, after, limit } = page || {};
    return this.request('GET', `/conversations/${seg(conversationId)}/events${query({ before, after, limit })}`);
  }

  /**
   * Sends over REST -> the ack {type, clientMsgId, conversationId, messageId, seq, createdAt, duplicate}, once stored.
   * options: {clientMsgId (a UUID by default: pass your own to retry safely), replyTo}.
   */
  send(conversationId, body, options) {
    const o = options || {};
    const frame = { clientMsgId: o.clientMsgId || uuid(), body };
    if (o.replyTo) {
      frame.replyTo = o.replyTo;
    }
    return this.request('POST', `/conversations/${seg(conversationId)}/messages`, frame);
  }

  /** One message in its current state (a deleted one as its tombstone). */
  message(conversationId, messageId) {
    return this.request('GET', `/conversations/${seg(conversationId)}/messages/${seg(messageId)}`);
  }

  /** -> change {messageId, changed, event}. */
  edit(conversationId, messageId, body) {
    return this.request('PATCH', `/conversations/${seg(conversationId)}/messages/${seg(messageId)}`, { body });
  }

  /** -> change {messageId, changed, event}. */
  delete(conversationId, messageId) {
    return this.request('DELETE', `/conversations/${seg(conversationId)}/messages/${seg(messageId)}`);
  }

  /** -> {messageId, versions: [{seq, body, at}]}, the original first. */
  edits(conversationId, messageId) {
    return this.request('GET', `/conversations/${seg(conversationId)}/messages/${seg(messageId)}/edits`);
  }

  /** The replies to a message, oldest first: {messages, hasMore, limit, firstSeq, lastSeq}. */
  replies(conversationId, messageId, page) {
    const { after, limit } = page || {};
    return this.request('GET',
      `/conversations/${seg(conversationId)}/messages/${seg(messageId)}/replies${query({ after, limit })}`);
  }

  /** Adds (add = true) or removes the caller's reaction, exactly one emoji -> change. */
  react(conversationId, messageId, emoji, add = true) {
    return this.request(add ? 'PUT' : 'DELETE',
      `/conversations/${seg(conversationId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`);
  }

  /** -> {messageId, seq, deliveredTo: [userId], readBy: [userId]} (without the sender and later members). */
  messageReceipts(conversationId, messageId) {
    return this.request('GET', `/conversations/${seg(conversationId)}/messages/${seg(messageId)}/receipts`);
  }

  /** -> [{userId, deliveredSeq, readSeq}] for every member. */
  async receipts(conversationId) {
    return (await this.request('GET', `/conversations/${seg(conversationId)}/receipts`)).receipts;
  }

  /** Moves the caller's read cursor forward (never back) -> {readSeq}. */
  markRead(conversationId, seq) {
    return this.request('POST', `/conversations/${seg(conversationId)}/read`, { seq });
  }

  /** -> {sent}: whether the server's throttle let it out. */
  typing(conversationId, active = true) {
    return this.request('POST', `/conversations/${seg(conversationId)}/typing`, { active });
  }

  /** Owners and admins: {entries: [{id, actorId, action, targetMessageId, targetUserId, seq, at}], hasMore}. */
  audit(conversationId, page) {
    const { before, limit } = page || {};
    return this.request('GET', `/conversations/${seg(conversationId)}/audit${query({ before, limit })}`);
  }

  // ---- attachments (docs/api.md "Attachments"; the bytes themselves: ParleyAttachments) ------------------------

  /**
   * Asks for an upload slot: {name, contentType, size, sha256?} -> {id, status: 'slot', name, contentType, size,
   * conversationId, uploaderId, upload: {url, method, headers, expiresAt}}. The URL (relative to the server for the
   * embedded store, absolute for S3) takes one upload of exactly `size` bytes with exactly those headers.
   */
  attachmentSlot(conversationId, file) {
    const { name, contentType, size, sha256 } = file || {};
    const body = { name, contentType, size };
    if (sha256 != null) {
      body.sha256 = sha256;
    }
    return this.request('POST', `/conversations/${seg(conversationId)}/attachments`, body);
  }

  /** Checks the uploaded bytes (only the uploader) -> the attachment, `pending` until scanned or `ready`. */
  finalizeAttachment(attachmentId) {
    return this.request('POST', `/attachments/${seg(attachmentId)}/finalize`);
  }

  /** -> the attachment {id, status, name, contentType, size, width, height, thumbnail, conversationId, ...}. */
  attachment(attachmentId) {
    return this.request('GET', `/attachments/${seg(attachmentId)}`);
  }

  /**
   * A signed URL for the file (or its thumbnail), made after a membership check and valid at most 60 s ->
   * {url, expiresAt}; `url` as the server answers it (relative for the embedded store). Ask again when it expires.
   */
  attachmentUrl(attachmentId, options) {
    const thumbnail = options && options.thumbnail ? true : null;
    return this.request('GET', `/attachments/${seg(attachmentId)}/download${query({ thumbnail, redirect: false })}`);
  }

  /**
   * Sends a message made of finalized attachments (1 to 10 ids) and an optional caption -> the ack, with `events`
   * (one attachment event per file). options: {caption, clientMsgId (a UUID by default: pass your own to retry)}.
   */
  sendAttachments(conversationId, attachmentIds, options) {
    const o = options || {};
    const body = { clientMsgId: o.clientMsgId || uuid(), attachments: [...attachmentIds] };
    if (o.caption != null) {
      body.caption = o.caption;
    }
    return this.request('POST', `/conversations/${seg(conversationId)}/attachment-messages`, body);
  }

  // ---- presence ---------------------------------------------------------------------------------------------------

  /** -> {userId, status: "online" | "offline", lastSeen} for oneself or a user sharing a conversation. */
  presence(userId) {
    return this.request('GET', `/presence/${seg(userId)}`);
  }

  /** -> [{userId, status, lastSeen}], leaving out the users the caller may not see (at most 500 asked). */
  async queryPresence(userIds) {
    return (await this.request('POST', '/presence/query', { userIds: [...userIds] })).users;
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------------

  /**
   * One call: `path` below /api/v1, `body` sent as JSON when given. Resolves with the parsed answer; rejects with
   * ParleyApiError (the server's code and status; `network` when no answer came; `bad_response` when it was not the
   * JSON the API answers with).
   */
  async request(method, path, body, authorized = true) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const token = authorized ? await this._token() : null;
    if (token) {
      headers.authorization = `Bearer ${token}`;
    }
    let res;
    try {
      res = await this._fetch(`${this.baseUrl}/api/v1${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const e = new ParleyApiError(0, 'network', `${method} ${path}: no answer (${err.message})`);
      e.cause = err;
      throw e;
    }
    const text = await res.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new ParleyApiError(res.status, 'bad_response',
          `${method} ${path}: answer ${res.status} is not JSON: ${text.slice(0, 200)}`, text);
      }
    }
    if (!res.ok) {
      const e = json && typeof json.error === 'object' ? json.error : null;
      if (!e || typeof e.code !== 'string') {
        throw new ParleyApiError(res.status, 'bad_response',
          `${method} ${path}: answer ${res.status} without an error body`, json ?? text);
      }
      throw new ParleyApiError(res.status, e.code, e.message || e.code, json);
    }
    return json;
  }
}
