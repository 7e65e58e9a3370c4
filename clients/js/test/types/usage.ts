// Compiled by test/typecheck.test.mjs with tsc --noEmit (never run): the declarations of types/index.d.ts as an
// application uses them, through the package's own name and its "exports". A wrong or missing declaration fails it.

import {
  Backoff, ErrorCodes, MessageState, OutgoingMessage, ParleyApi, ParleyApiError, ParleyClient, ParleyError,
  PERMANENT_ERRORS, State,
} from 'parley-client';
import type {
  Ack, AroundPage, Change, Conversation, GapInfo, MatchFrame, Member, Message, MessagePage, ParleyEvent, Presence,
  SearchPage, SearchResult, Session, SyncedInfo, User,
  WebSocketLike,
} from 'parley-client';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: any) => void) | null = null;
  onmessage: ((ev: { data: any }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: any) => void) | null = null;
  constructor(readonly url: string) {}
  send(_data: string): void {}
  close(_code?: number, _reason?: string): void {}
}

export async function app(): Promise<void> {
  const api = new ParleyApi({ baseUrl: 'http://127.0.0.1:8080' });
  const session: Session = await api.login('alice', 'correct horse');
  const me: User = await api.me();
  const bob: User = await api.userByUsername('bob');
  const dm: Conversation = await api.openDirect({ username: 'bob' });
  const group: Conversation = await api.createGroup('Team', [bob.userId]);
  const members: Member[] = await api.members(group.id);
  const added: ParleyEvent[] = await api.addMembers(group.id, ['u_carol']);
  await api.setRole(group.id, bob.userId, 'admin');
  const renamed: ParleyEvent = await api.renameConversation(group.id, 'Launch');
  const newTitle: string | undefined = renamed.title;
  await api.removeMember(group.id, 'u_carol');
  const all: Conversation[] = await api.conversations();
  await api.conversation(all[0].id);
  const page: MessagePage = await api.messages(dm.id, { before: 120, limit: 50 });
  const found: SearchPage = await api.search('上海 report', { sort: 'newest', limit: 20 });
  const hit: SearchResult | undefined = found.results[0];
  if (hit) {
    const context: AroundPage = await api.around(hit.conversationId, hit.seq, 30);
    const [start, end] = hit.highlights[0] ?? [0, 0];
    console.log(context.hasMoreBefore, hit.snippet.slice(start, end), found.nextCursor);
  }
  for await (const p of api.history(dm.id, { limit: 100 })) {
    const first: Message | undefined = p.messages[0];
    if (first?.replyTo) {
      const snippet: string | null = first.replyTo.snippet;
      void snippet;
    }
  }
  const events = await api.events(dm.id, { after: 0 });
  const ack: Ack = await api.send(dm.id, 'hello', { clientMsgId: 'm1' });
  const one: Message = await api.message(dm.id, ack.messageId);
  const edited: Change = await api.edit(dm.id, one.messageId, 'hello!');
  await api.delete(dm.id, one.messageId);
  const versions = await api.edits(dm.id, one.messageId);
  await api.replies(dm.id, one.messageId, { after: 0, limit: 10 });
  await api.react(dm.id, one.messageId, '👍');
  await api.react(dm.id, one.messageId, '👍', false);
  const r = await api.messageReceipts(dm.id, one.messageId);
  const cursors = await api.receipts(dm.id);
  const { readSeq } = await api.markRead(dm.id, ack.seq);
  const { sent } = await api.typing(dm.id, false);
  const audit = await api.audit(group.id, { limit: 20 });
  const p1: Presence = await api.presence(bob.userId);
  const ps: Presence[] = await api.queryPresence([bob.userId]);
  const raw = await api.request<{ status: string }>('GET', '/me');
  void [me, members, added, page, events, edited, versions, r, cursors, readSeq, sent, audit, p1, ps, raw, newTitle];

  const client = new ParleyClient({
    token: () => session.token,
    url: api.webSocketUrl(),
    storage: null,
    storageKey: `parley:${session.userId}`,
    unlisted: 'skip',
    WebSocket: FakeSocket,
  });
  const off = client.on('event', (e: ParleyEvent) => console.log(e.conversationId, e.seq, e.kind, e.body));
  client.on('synced', (s: SyncedInfo) => console.log(s.resumed, s.replayed, s.conversations));
  client.on('gap', (g: GapInfo) => console.log(g.conversationId, g.cursor, g.seq));
  client.on('match', (m: MatchFrame) => console.log(m.event, m.conversationId, m.partner, m.graceMs));
  const waiting: MatchFrame = await client.matchJoin({ interests: ['chess'], language: 'en' });
  console.log(waiting.online, waiting.waiting);
  await client.matchNext();
  await client.matchReport('rude');
  client.on('state', (s) => console.log(s === State.LIVE));
  client.on('message', (m) => console.log(m.state === MessageState.SENT ? m.ack?.seq : m.errorCode));
  client.on('closed', ({ code, reason }) => console.log(code, reason));
  off();
  await client.connect();
  const m: OutgoingMessage = client.send(dm.id, 'hi');
  client.reply(dm.id, ack.messageId, 'a reply');
  client.retry(m);
  const ok = await client.edit(dm.id, ack.messageId, 'edited');
  await client.delete(dm.id, ack.messageId);
  await client.react(dm.id, ack.messageId, '👍', true);
  const online: Presence[] = await client.queryPresence([bob.userId]);
  client.markRead(dm.id, 3);
  client.typing(dm.id);
  const receipts: Map<string, { readSeq: number }> = client.receipts(dm.id);
  const who: string[] = [...client.readBy(dm.id, 3), ...client.deliveredTo(dm.id, 3), ...client.typingIn(dm.id)];
  const pr: Presence | null = client.presence(bob.userId);
  const pending: OutgoingMessage[] = client.pending();
  const c: Record<string, number> = client.cursors();
  client.abortConnection();
  client.close();
  client.clearStorage();
  void [ok, online, receipts, who, pr, pending, c, client.state, client.userId];

  try {
    await api.me();
  } catch (err) {
    if (err instanceof ParleyApiError) {
      const status: number = err.status;
      const retry: boolean = err.retryable;
      void [status, retry, err.code, err.body];
    } else if (err instanceof ParleyError) {
      console.log(err.code);
    }
  }
  const slot = await api.attachmentSlot('c1', { name: 'a.png', contentType: 'image/png', size: 3 });
  const headers: Record<string, string> = slot.upload.headers;
  const signed: string = (await api.attachmentUrl(slot.id, { thumbnail: true })).url;
  const withFiles = await api.sendAttachments('c1', [slot.id], { caption: 'hi' });
  void [headers, signed, withFiles.seq];
  const permanent: boolean = PERMANENT_ERRORS.has('body_too_long') && !ErrorCodes.unavailable.retryable;
  const delay: number = new Backoff(250, 30000).nextDelayMs();
  void [permanent, delay];
}

// @ts-expect-error: token is required
new ParleyClient({ url: 'ws://127.0.0.1:8080/ws' });
// @ts-expect-error: not an event the client emits
new ParleyClient({ token: 't' }).on('nonsense', () => {});
