// Type declarations of the Parley JavaScript client (src/index.js). Hand-written: test/exports.test.mjs checks that
// they name every export of the module, and test/types/usage.ts (tsc --noEmit) that they compile as used.
// The shapes are those of docs/protocol.md and docs/api.md.

// ---- error codes (src/protocol.js, generated from the server's ErrorCode) ------------------------------------------

export type ServerErrorCode =
  | 'bad_json' | 'unknown_type' | 'missing_field' | 'invalid_field' | 'body_empty' | 'body_too_long'
  | 'conversation_not_found' | 'message_not_found' | 'edit_window_closed' | 'forbidden' | 'user_not_found'
  | 'unauthorized' | 'conflict' | 'bad_credentials' | 'bad_request' | 'not_found' | 'method_not_allowed'
  | 'payload_too_large' | 'unsupported_media_type' | 'unavailable' | 'internal'
  | 'session_revoked' | 'invalid_refresh_token' | 'refresh_token_reused' | 'session_not_found' | 'device_not_found'
  | 'rate_limited'
  | 'attachment_too_large' | 'attachment_type_unsupported' | 'attachment_type_mismatch' | 'attachment_empty'
  | 'attachment_name_invalid' | 'attachment_slot_expired' | 'attachment_already_finalized' | 'attachment_incomplete'
  | 'attachment_checksum_mismatch' | 'attachment_not_ready' | 'attachment_not_usable' | 'attachment_not_found'
  | 'match_session_taken' | 'name_reserved'
  | 'query_empty' | 'query_too_long'
  | 'muted';

/** Codes the WebSocket client raises itself for what never reached the server (docs/client-js.md). */
export type ClientErrorCode = 'closed' | 'offline' | 'disconnected' | 'timeout';

/** Codes the REST client raises itself: no answer, or an answer that is not the API's JSON. */
export type ApiClientErrorCode = 'network' | 'bad_response';

/** Every code's HTTP status, and whether the same request may succeed when sent again unchanged. */
export declare const ErrorCodes: Readonly<Record<string, Readonly<{ status: number; retryable: boolean }>>>;

/** The codes after which re-sending a message cannot succeed (those ErrorCodes marks not retryable). */
export declare const PERMANENT_ERRORS: ReadonlySet<string>;

export declare class ParleyError extends Error {
  constructor(code: string, message?: string);
  readonly name: string;
  /** A server error code (ServerErrorCode), or one of the client's own (ClientErrorCode, ApiClientErrorCode). */
  code: ServerErrorCode | ClientErrorCode | ApiClientErrorCode | (string & {});
}

// ---- wire shapes ------------------------------------------------------------------------------------------------

export type EventKind =
  | 'conversation_created' | 'member_added' | 'member_removed' | 'member_role' | 'message' | 'message_edited'
  | 'message_deleted' | 'reaction_added' | 'reaction_removed' | 'conversation_renamed'
  | 'member_muted' | 'member_unmuted' | (string & {});

/** A log event (the WebSocket `event` frame without `type`): fields that do not apply to the kind are absent. */
export interface ParleyEvent {
  conversationId: string;
  seq: number;
  kind: EventKind;
  createdAt: string;
  actorId: string;
  messageId?: string;
  clientMsgId?: string;
  body?: string | null;
  replyTo?: string;
  replySnippet?: string | null;
  deleted?: boolean;
  emoji?: string;
  memberId?: string;
  role?: Role;
  title?: string;
  /** member_muted: when the mute ends (absent: until unmuted). */
  until?: string;
  [field: string]: unknown;
}

export interface Ack {
  type: 'ack';
  clientMsgId: string;
  conversationId: string;
  messageId: string;
  seq: number;
  createdAt: string;
  duplicate: boolean;
}

export interface Receipt {
  userId: string;
  deliveredSeq: number;
  readSeq: number;
}

export interface ReceiptsFrame {
  type: 'receipts';
  conversationId: string;
  receipts: Receipt[];
}

export interface TypingNotice {
  conversationId: string;
  userId: string;
  active: boolean;
  ttlMs?: number;
  /** true on the notice the client itself fires when an entry has expired. */
  expired?: boolean;
}

export interface Presence {
  userId: string;
  status: 'online' | 'offline';
  lastSeen: string | null;
}

/** An `error` frame that answers nothing pending. */
export interface ErrorFrame {
  type: 'error';
  code: string;
  message?: string;
  ref?: string;
}

/** The `ok` frame that answers edit, delete, react and unreact. */
export interface OkFrame {
  type: 'ok';
  ref: string;
  [field: string]: unknown;
}

// ---- the WebSocket client (src/parley-client.js) -----------------------------------------------------------------

export declare const State: Readonly<{
  IDLE: 'idle'; CONNECTING: 'connecting'; SYNCING: 'syncing'; LIVE: 'live'; BACKOFF: 'backoff'; CLOSED: 'closed';
}>;
export type State = (typeof State)[keyof typeof State];

export declare const MessageState: Readonly<{
  PENDING: 'pending'; SENT: 'sent'; FAILED: 'failed'; UNCONFIRMED: 'unconfirmed'; HELD: 'held'; REJECTED: 'rejected';
}>;
export type MessageState = (typeof MessageState)[keyof typeof MessageState];

/** Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)]. */
export declare class Backoff {
  constructor(initialMs?: number, maxMs?: number, random?: () => number);
  initialMs: number;
  maxMs: number;
  attempt: number;
  ceilingMs(): number;
  nextDelayMs(): number;
  delayForAttemptMs(n: number): number;
  /** After a 1013 close: the server's delay plus up to a tenth of it of jitter; not counted as a failure. */
  serverDelayMs(serverMs: number): number;
  reset(): void;
}

/**
 * The server's first answer to a send (`OutgoingMessage.answered`): `sent` with `ack` (its seq), `held` with `held`
 * (in the moderation queue, no seq yet: show it as waiting for review), `rejected` with `held` (a re-send of a message
 * a server admin rejected), `failed` with `errorCode` (not stored), `unconfirmed` (close() came first).
 */
export interface SendAnswer {
  state: MessageState;
  ack: Ack | null;
  held: HeldFrame | null;
  errorCode: string | null;
}

/**
 * A message in the outbox: pending, then sent (with `ack`), failed (with `errorCode`), unconfirmed, or held (with
 * `held`: waiting for review, not re-sent) and later sent (approved) or rejected.
 */
export declare class OutgoingMessage {
  constructor(conversationId: string, clientMsgId: string, body: string, replyTo?: string | null, createdAt?: number,
    queuedAt?: number);
  conversationId: string;
  clientMsgId: string;
  body: string;
  replyTo: string | null;
  /** Epoch ms when it was sent by the application. */
  createdAt: number;
  state: MessageState;
  ack: Ack | null;
  errorCode: string | null;
  errorMessage: string | null;
  queuedAt: number;
  retries: number;
  /** The last `held` frame about it (held, approved or rejected); null when none came. */
  held: HeldFrame | null;
  /** Resolves (never rejects) with the server's first answer; a retry gives a new one. */
  answered: Promise<SendAnswer>;
}

/** What the client needs of storage: localStorage, or any object with these three. */
export interface ParleyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The monotonic clock (ms) and timers the client uses for everything that waits (tests pass a fake one). */
export interface ParleyClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
}

/** What the client uses of a WebSocket: the browser's, Node 22's, the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketClass = new (url: string) => WebSocketLike;

export type TokenSource = string | (() => string | null | undefined | Promise<string | null | undefined>);

export interface ParleyClientOptions {
  /** Called before every connect; a different token after a 4001 is tried, the same one stops the client. */
  token: TokenSource;
  /** The WebSocket endpoint (ws(s)://host/ws). Default: the page's host; required outside a browser. */
  url?: string;
  /** Default: localStorage where there is one, else memory; null keeps everything in memory. */
  storage?: ParleyStorage | null;
  /** Prefix of the stored keys; use one per user. Default "parley". */
  storageKey?: string;
  /** Conversations without a cursor: replay them from seq 1 (default), or skip to their current end. */
  unlisted?: 'replay' | 'skip';
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  sendTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Drop the connection when nothing answers a ping within this many ms (off by default). */
  pongTimeoutMs?: number;
  /** Report received events as delivered by itself (default true). */
  autoDelivered?: boolean;
  /** A WebSocket class: globalThis.WebSocket by default; in Node 20, `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketClass | (new (url: string) => any);
  random?: () => number;
  clock?: ParleyClock;
}

export interface SyncedInfo {
  conversations: Record<string, number>;
  serverTime?: number;
  /** true after a reconnect, a resync, or when the client started from stored cursors. */
  resumed: boolean;
  /** The events that came before this `synced`. */
  replayed: number;
}

export interface GapInfo {
  conversationId: string;
  /** The highest seq handed to the application before the gap. */
  cursor: number;
  /** The seq that skipped ahead of it. */
  seq: number;
}

export interface ParleyClientEvents {
  event: ParleyEvent;
  synced: SyncedInfo;
  state: State;
  message: OutgoingMessage;
  receipts: ReceiptsFrame;
  typing: TypingNotice;
  presence: Presence[];
  error: ErrorFrame;
  closed: { code: number; reason: string };
  authfailed: string;
  gap: GapInfo;
  match: MatchFrame;
  held: HeldFrame;
}

/**
 * A message of this user in the moderation queue, or a server admin's decision on it (docs/protocol.md, Held
 * messages): the server's `held` frame. For a message of this client, the `message` event comes first with its new
 * state (held, sent with the seq, or rejected).
 */
export interface HeldFrame {
  type: 'held';
  clientMsgId: string;
  conversationId: string;
  messageId: string;
  heldId: number;
  status: 'held' | 'approved' | 'rejected';
  /** Only with `approved`: where the message is in the log. */
  seq?: number;
  createdAt: string;
  duplicate: boolean;
}

/** Talk to a stranger (docs/protocol.md, Matching): the server's `match` frame. */
export interface MatchFrame {
  type: 'match';
  event:
    | 'waiting' | 'matched' | 'rejoined' | 'partner_away' | 'partner_back' | 'partner_left' | 'ended' | 'left'
    | 'reported' | 'lost' | (string & {});
  ref?: string;
  conversationId?: string;
  /** The partner's pseudonym for this pair; says nothing of the account. */
  partner?: string;
  /** Your own pseudonym for this pair. */
  you?: string;
  online?: number;
  waiting?: number;
  graceMs?: number;
  reason?: string;
  sessionId?: string;
}

export declare class ParleyClient {
  constructor(options: ParleyClientOptions);
  /** The server's longest message body in characters (from welcome), null before the first welcome. */
  readonly maxBodyChars: number | null;
  readonly state: State;
  /** The user of the session, from the server's welcome (null before it). */
  readonly userId: string | null;
  on<K extends keyof ParleyClientEvents>(name: K, fn: (value: ParleyClientEvents[K]) => void): () => void;
  /** Resolves at the first `synced`; rejects with ParleyError (unauthorized, closed). */
  connect(): Promise<void>;
  send(conversationId: string, body: string, options?: { clientMsgId?: string; replyTo?: string }): OutgoingMessage;
  reply(conversationId: string, replyTo: string, body: string): OutgoingMessage;
  retry(message: OutgoingMessage): void;
  edit(conversationId: string, messageId: string, body: string): Promise<OkFrame>;
  delete(conversationId: string, messageId: string): Promise<OkFrame>;
  react(conversationId: string, messageId: string, emoji: string, add?: boolean): Promise<OkFrame>;
  queryPresence(userIds: Iterable<string>): Promise<Presence[]>;
  matchJoin(options?: { interests?: string[]; language?: string; takeover?: boolean }): Promise<MatchFrame>;
  matchLeave(): Promise<MatchFrame>;
  matchNext(): Promise<MatchFrame>;
  matchEnd(): Promise<MatchFrame>;
  matchBlock(): Promise<MatchFrame>;
  matchReport(reason?: string): Promise<MatchFrame>;
  markRead(conversationId: string, seq: number): void;
  typing(conversationId: string, active?: boolean): void;
  receipts(conversationId: string): Map<string, Receipt>;
  readBy(conversationId: string, seq: number): string[];
  deliveredTo(conversationId: string, seq: number): string[];
  typingIn(conversationId: string): string[];
  presence(userId: string): Presence | null;
  pending(): OutgoingMessage[];
  /** Messages answered `held` with no decision yet: waiting for review, not re-sent, kept in storage. */
  held(): OutgoingMessage[];
  cursors(): Record<string, number>;
  abortConnection(): void;
  close(): void;
  clearStorage(): void;
}

// ---- the REST client (src/parley-api.js) -------------------------------------------------------------------------

export declare class ParleyApiError extends ParleyError {
  constructor(status: number, code: string, message?: string, body?: unknown);
  /** The HTTP status (0 when no answer came: code `network`). */
  status: number;
  retryable: boolean;
  /** The answer's body (the parsed JSON, or the text when it was not JSON), or null. */
  body: unknown;
}

export interface ParleyApiOptions {
  /** The server's origin, e.g. http://127.0.0.1:8080. Default: the page's origin; required outside a browser. */
  baseUrl?: string;
  token?: TokenSource | null;
  fetch?: typeof fetch;
}

export interface Session {
  userId: string;
  username: string;
  /** A short-lived access token (claim sid = sessionId): refresh it before expiresAt. */
  token: string;
  expiresAt: string;
  /** Good for one refresh: keep the one each refresh answers with. */
  refreshToken: string;
  sessionId: string;
}

/** A signed-in device of the user (GET /api/v1/sessions). */
export interface DeviceSession {
  id: string;
  name: string | null;
  platform: string | null;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  external: boolean;
  current: boolean;
}

export interface User {
  userId: string;
  /** null for users provisioned from external tokens. */
  username: string | null;
  /** null until the user sets one (ParleyApi.setDisplayName). */
  displayName: string | null;
}

export type Role = 'owner' | 'admin' | 'member';

export interface Member {
  userId: string;
  username: string | null;
  role: Role;
  joinedAt: string;
  readSeq: number;
  deliveredSeq: number;
  joinedSeq: number;
  displayName: string | null;
}

export interface Conversation {
  id: string;
  /** stranger: a talk-to-a-stranger pair's conversation, whose members appear by pseudonym (docs/api.md). */
  type: 'direct' | 'group' | 'stranger';
  title: string | null;
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  readSeq: number;
  unreadCount: number;
  lastMessage: ParleyEvent | null;
  members: Member[];
}

export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

export interface Message {
  messageId: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  body: string | null;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  replyTo?: { messageId: string; snippet: string | null };
  reactions: Reaction[];
}

export interface Page {
  hasMore: boolean;
  limit: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

export interface MessagePage extends Page {
  messages: Message[];
}

export interface AroundPage extends MessagePage {
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
}

export interface SearchOptions {
  conversation?: string;
  from?: string;
  /** An ISO-8601 instant, a date (YYYY-MM-DD, UTC) or epoch milliseconds. */
  after?: string | number;
  before?: string | number;
  sort?: 'relevance' | 'newest';
  cursor?: string;
  limit?: number;
}

export interface SearchResult {
  conversationId: string;
  seq: number;
  messageId: string;
  senderId: string;
  createdAt: number;
  editedAt?: number;
  /** Plain text; highlights are [start, end) UTF-16 offsets into it. */
  snippet: string;
  highlights: [number, number][];
}

export interface SearchPage {
  results: SearchResult[];
  limit: number;
  nextCursor?: string;
}

export interface EventPage extends Page {
  events: ParleyEvent[];
}

/** No cursor: the newest; `before`: the newest below that seq; `after`: the oldest above it (not both). */
export interface PageQuery {
  before?: number;
  after?: number;
  limit?: number;
}

export interface Change {
  messageId: string;
  changed: boolean;
  /** Absent when nothing changed. */
  event?: ParleyEvent;
}

export interface EditHistory {
  messageId: string;
  versions: { seq: number; body: string; at: string }[];
}

export interface MessageReceipts {
  messageId: string;
  seq: number;
  deliveredTo: string[];
  readBy: string[];
}

export interface AuditEntry {
  id: number;
  actorId: string;
  action: 'message_deleted' | 'member_removed' | (string & {});
  targetMessageId: string | null;
  targetUserId: string | null;
  seq: number | null;
  at: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  hasMore: boolean;
}

export declare class ParleyApi {
  constructor(options?: ParleyApiOptions);
  readonly baseUrl: string;
  setToken(token: TokenSource | null): void;
  /** ws(s)://host/ws of the same server, for ParleyClient's url. */
  webSocketUrl(): string;

  register(username: string, password: string): Promise<Session>;
  login(username: string, password: string): Promise<Session>;
  /** A new access and refresh token of the same session; later calls use the new token. */
  refresh(refreshToken: string): Promise<Session>;
  /** Revokes this token's session. */
  logout(): Promise<null>;
  sessions(): Promise<{ sessions: DeviceSession[] }>;
  me(): Promise<User>;
  userByUsername(username: string): Promise<User>;
  /** Sets (1-64 characters) or clears (null) the caller's display name. */
  setDisplayName(displayName: string | null): Promise<User>;
  /** Users whose username or display name starts with `query` (ASCII case ignored), at most `limit` (default 20). */
  searchUsers(query: string, limit?: number): Promise<User[]>;

  openDirect(other: string | { userId: string } | { username: string }): Promise<Conversation>;
  createGroup(title: string, memberIds: Iterable<string>): Promise<Conversation>;
  conversations(): Promise<Conversation[]>;
  conversation(conversationId: string): Promise<Conversation>;
  members(conversationId: string): Promise<Member[]>;
  addMembers(conversationId: string, userIds: Iterable<string>): Promise<ParleyEvent[]>;
  removeMember(conversationId: string, userId: string): Promise<ParleyEvent>;
  setRole(conversationId: string, userId: string, role: 'admin' | 'member'): Promise<ParleyEvent>;
  /** Renames a group (owner and admins): the `conversation_renamed` event, whose `title` is the new one. */
  renameConversation(conversationId: string, title: string): Promise<ParleyEvent>;

  messages(conversationId: string, page?: PageQuery): Promise<MessagePage>;
  history(conversationId: string, page?: { before?: number; limit?: number }): AsyncGenerator<MessagePage, void>;
  events(conversationId: string, page?: PageQuery): Promise<EventPage>;
  around(conversationId: string, seq: number, limit?: number): Promise<AroundPage>;
  search(q: string, options?: SearchOptions): Promise<SearchPage>;
  send(conversationId: string, body: string, options?: { clientMsgId?: string; replyTo?: string }): Promise<Ack>;
  message(conversationId: string, messageId: string): Promise<Message>;
  edit(conversationId: string, messageId: string, body: string): Promise<Change>;
  delete(conversationId: string, messageId: string): Promise<Change>;
  edits(conversationId: string, messageId: string): Promise<EditHistory>;
  replies(conversationId: string, messageId: string, page?: { after?: number; limit?: number }): Promise<MessagePage>;
  react(conversationId: string, messageId: string, emoji: string, add?: boolean): Promise<Change>;
  messageReceipts(conversationId: string, messageId: string): Promise<MessageReceipts>;
  receipts(conversationId: string): Promise<Receipt[]>;
  markRead(conversationId: string, seq: number): Promise<{ readSeq: number }>;
  typing(conversationId: string, active?: boolean): Promise<{ sent: boolean }>;
  audit(conversationId: string, page?: { before?: number; limit?: number }): Promise<AuditPage>;

  presence(userId: string): Promise<Presence>;
  queryPresence(userIds: Iterable<string>): Promise<Presence[]>;

  /** An upload slot: one request of exactly `size` bytes to `upload.url` with `upload.method` and `upload.headers`. */
  attachmentSlot(conversationId: string,
    file: { name: string; contentType: string; size: number; sha256?: string }): Promise<AttachmentSlot>;
  finalizeAttachment(attachmentId: string): Promise<Attachment>;
  attachment(attachmentId: string): Promise<Attachment>;
  /** A signed URL (at most 60 s), relative to the server for the embedded store. */
  attachmentUrl(attachmentId: string, options?: { thumbnail?: boolean }): Promise<{ url: string; expiresAt: string }>;
  sendAttachments(conversationId: string, attachmentIds: string[],
    options?: { caption?: string; clientMsgId?: string }): Promise<Ack & { events?: ParleyEvent[] }>;

  /** One call below /api/v1; rejects with ParleyApiError. */
  request<T = any>(method: string, path: string, body?: unknown, authorized?: boolean): Promise<T>;
}

/** An attachment as the server describes it (docs/api.md, Attachments). */
export interface Attachment {
  id: string;
  status: 'slot' | 'pending' | 'ready' | 'rejected';
  name: string;
  contentType: string;
  size: number;
  width?: number;
  height?: number;
  thumbnail?: boolean;
  conversationId?: string;
  uploaderId?: string;
  messageId?: string;
}

/** The answer to ParleyApi.attachmentSlot. */
export interface AttachmentSlot extends Attachment {
  status: 'slot';
  upload: { url: string; method: string; headers: Record<string, string>; expiresAt: string };
}

/** Attachments over REST: upload and download with progress (docs/client-js.md). */
export declare class ParleyAttachments {
  constructor(api: ParleyApi);
  readonly api: ParleyApi;
  upload(conversationId: string, blob: Blob | Uint8Array,
    options?: { name?: string; type?: string; onProgress?: (sent: number, total: number) => void;
      signal?: AbortSignal }): Promise<Attachment>;
  send(conversationId: string, clientMsgId: string, attachmentIds: string[], caption?: string): Promise<unknown>;
  info(attachmentId: string): Promise<Attachment>;
  url(attachmentId: string, options?: { thumbnail?: boolean }): Promise<{ url: string; expiresAt: string }>;
  download(attachmentId: string,
    options?: { thumbnail?: boolean; onProgress?: (received: number, total: number) => void;
      signal?: AbortSignal }): Promise<Blob>;
}
