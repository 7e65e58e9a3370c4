// The JS client package (clients/js) in Node against the real server jar: every REST endpoint of docs/api.md through
// ParleyApi, its typed errors, and ParleyClient over a real WebSocket (the global one, or `ws` on Node 20).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WS from 'ws';
import { ParleyApi, ParleyApiError, ParleyAttachments, ParleyClient, State } from '../clients/js/src/index.js';
import { ServerProcess } from './harness.mjs';
import { until } from './pages.mjs';

const WebSocket = globalThis.WebSocket || WS;

let server;

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  await server?.destroy();
});

let users = 0;
/** A new user with an API that carries their token. */
async function user(name) {
  const api = new ParleyApi({ baseUrl: server.url });
  const username = `${name}${++users}`;
  const session = await api.register(username, `${username}-password`);
  return { api, session, id: session.userId, username };
}

/** Resolves with the ParleyApiError the promise rejects with; fails when it resolves or rejects otherwise. */
async function refusal(promise) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ParleyApiError, `not a ParleyApiError: ${err}`);
    return err;
  }
  assert.fail('the call succeeded');
}

function next(client, name, accept = () => true) {
  return new Promise((resolve) => {
    const off = client.on(name, (v) => {
      if (accept(v)) {
        off();
        resolve(v);
      }
    });
  });
}

test('accounts: register, login, me, display names, the user search, users by username, and refusals with their code and status', async () => {
  const alice = await user('alice');
  assert.match(alice.session.token, /\./);
  const again = new ParleyApi({ baseUrl: server.url });
  const login = await again.login(alice.username, `${alice.username}-password`);
  assert.equal(login.userId, alice.id);
  assert.deepEqual(await again.me(), { userId: alice.id, username: alice.username, displayName: null });
  assert.deepEqual(await alice.api.userByUsername(alice.username),
    { userId: alice.id, username: alice.username, displayName: null });
  assert.deepEqual(await alice.api.setDisplayName('Alice L.'),
    { userId: alice.id, username: alice.username, displayName: 'Alice L.' });
  assert.deepEqual((await alice.api.searchUsers('ALICE L', 5)).map((u) => u.userId), [alice.id]);
  const tooLong = await refusal(alice.api.setDisplayName('x'.repeat(65)));
  assert.equal(tooLong.code, 'invalid_field');
  assert.equal((await alice.api.setDisplayName(null)).displayName, null);

  const missing = await refusal(alice.api.userByUsername('nobody-here'));
  assert.equal(missing.code, 'user_not_found');
  assert.equal(missing.status, 404);
  assert.equal(missing.retryable, false);
  const wrong = await refusal(new ParleyApi({ baseUrl: server.url }).login(alice.username, 'not-the-password'));
  assert.deepEqual([wrong.code, wrong.status], ['bad_credentials', 401]);
  const taken = await refusal(new ParleyApi({ baseUrl: server.url }).register(alice.username, 'whatever-password'));
  assert.deepEqual([taken.code, taken.status], ['conflict', 409]);
  const anonymous = await refusal(new ParleyApi({ baseUrl: server.url }).me());
  assert.deepEqual([anonymous.code, anonymous.status], ['unauthorized', 401]);
});

test('conversations and members: direct, group, list, one, members, add, role, remove', async () => {
  const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
  const dm = await alice.api.openDirect({ username: bob.username });
  assert.equal(dm.type, 'direct');
  assert.equal((await bob.api.openDirect({ userId: alice.id })).id, dm.id);
  assert.equal((await alice.api.openDirect(bob.username)).id, dm.id);

  const group = await alice.api.createGroup('Team', [bob.id]);
  assert.equal(group.title, 'Team');
  assert.deepEqual((await alice.api.conversations()).map((c) => c.id).sort(), [dm.id, group.id].sort());
  assert.equal((await bob.api.conversation(group.id)).id, group.id);
  assert.deepEqual((await alice.api.members(group.id)).map((m) => m.role).sort(), ['member', 'owner']);

  const added = await alice.api.addMembers(group.id, [carol.id]);
  assert.deepEqual(added.map((e) => [e.kind, e.memberId]), [['member_added', carol.id]]);
  assert.equal((await alice.api.setRole(group.id, bob.id, 'admin')).kind, 'member_role');
  assert.equal((await alice.api.removeMember(group.id, carol.id)).kind, 'member_removed');
  assert.deepEqual((await alice.api.members(group.id)).map((m) => m.userId).sort(), [alice.id, bob.id].sort());

  const gone = await refusal(carol.api.conversation(group.id));
  assert.deepEqual([gone.code, gone.status], ['conversation_not_found', 404]);
  const notOwner = await refusal(bob.api.setRole(group.id, alice.id, 'member'));
  assert.deepEqual([notOwner.code, notOwner.status], ['forbidden', 403]);
});

test('rename: owner and admins rename a group, a member and a direct conversation are refused', async () => {
  const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
  const group = await alice.api.createGroup('Before', [bob.id, carol.id]);
  const renamed = await alice.api.renameConversation(group.id, 'After');
  assert.deepEqual([renamed.kind, renamed.title, renamed.actorId], ['conversation_renamed', 'After', alice.id]);
  assert.equal((await carol.api.conversation(group.id)).title, 'After');
  await alice.api.setRole(group.id, bob.id, 'admin');
  assert.equal((await bob.api.renameConversation(group.id, 'By bob')).title, 'By bob');
  const member = await refusal(carol.api.renameConversation(group.id, 'Mine'));
  assert.deepEqual([member.code, member.status], ['forbidden', 403]);
  const blank = await refusal(alice.api.renameConversation(group.id, '  '));
  assert.deepEqual([blank.code, blank.status], ['invalid_field', 400]);
  const dm = await alice.api.openDirect({ userId: bob.id });
  const direct = await refusal(alice.api.renameConversation(dm.id, 'Us'));
  assert.deepEqual([direct.code, direct.status], ['forbidden', 403]);
  assert.equal((await alice.api.conversation(group.id)).title, 'By bob');
});

test('messages: send (and its retry), pages both ways, history, events, one, edit, edits, replies, reactions, '
  + 'receipts, read, typing, delete, audit', async () => {
  const [alice, bob] = [await user('alice'), await user('bob')];
  const group = await alice.api.createGroup('Paging', [bob.id]);
  const acks = [];
  for (let i = 1; i <= 7; i++) {
    acks.push(await bob.api.send(group.id, `message ${i}`, { clientMsgId: `m${i}` }));
  }
  assert.equal(acks[0].type, 'ack');
  assert.equal(acks[0].duplicate, false);
  const retried = await bob.api.send(group.id, 'message 1', { clientMsgId: 'm1' });
  assert.deepEqual([retried.duplicate, retried.seq, retried.messageId], [true, acks[0].seq, acks[0].messageId]);

  const newest = await alice.api.messages(group.id, { limit: 3 });
  assert.deepEqual(newest.messages.map((m) => m.body), ['message 5', 'message 6', 'message 7']);
  assert.equal(newest.hasMore, true);
  const older = await alice.api.messages(group.id, { before: newest.firstSeq, limit: 3 });
  assert.deepEqual(older.messages.map((m) => m.body), ['message 2', 'message 3', 'message 4']);
  const after = await alice.api.messages(group.id, { after: acks[4].seq });
  assert.deepEqual(after.messages.map((m) => m.body), ['message 6', 'message 7']);
  const pages = [];
  for await (const page of alice.api.history(group.id, { limit: 3 })) {
    pages.push(page.messages.map((m) => m.body));
  }
  assert.deepEqual(pages, [['message 5', 'message 6', 'message 7'], ['message 2', 'message 3', 'message 4'],
    ['message 1']]);
  const both = await refusal(alice.api.messages(group.id, { before: 5, after: 2 }));
  assert.deepEqual([both.code, both.status], ['bad_request', 400]);

  const log = await alice.api.events(group.id, { after: 0, limit: 200 });
  assert.deepEqual(log.events.slice(0, 3).map((e) => e.kind), ['conversation_created', 'member_added', 'member_added']);

  const first = acks[0].messageId;
  assert.equal((await alice.api.message(group.id, first)).body, 'message 1');
  const edited = await bob.api.edit(group.id, first, 'message 1, edited');
  assert.deepEqual([edited.changed, edited.event.kind], [true, 'message_edited']);
  assert.deepEqual((await alice.api.edits(group.id, first)).versions.map((v) => v.body),
    ['message 1', 'message 1, edited']);
  const notSender = await refusal(alice.api.edit(group.id, first, 'not mine'));
  assert.deepEqual([notSender.code, notSender.status], ['forbidden', 403]);

  const reply = await alice.api.send(group.id, 'a reply', { replyTo: first });
  assert.deepEqual((await alice.api.replies(group.id, first)).messages.map((m) => m.messageId), [reply.messageId]);
  assert.equal((await alice.api.message(group.id, reply.messageId)).replyTo.messageId, first);

  assert.equal((await alice.api.react(group.id, first, '👍')).changed, true);
  // Read through a page: GET .../messages/{messageId} answers without reactions (a server bug, reported).
  const [reacted] = (await bob.api.messages(group.id, { after: acks[0].seq - 1, limit: 1 })).messages;
  assert.deepEqual(reacted.reactions, [{ emoji: '👍', count: 1, userIds: [alice.id] }]);
  assert.equal((await alice.api.react(group.id, first, '👍', false)).changed, true);
  const notEmoji = await refusal(alice.api.react(group.id, first, 'thumbs up'));
  assert.deepEqual([notEmoji.code, notEmoji.status], ['invalid_field', 400]);

  assert.deepEqual(await alice.api.markRead(group.id, acks[2].seq), { readSeq: acks[2].seq });
  const receipts = await alice.api.messageReceipts(group.id, acks[1].messageId);
  assert.deepEqual(receipts.readBy, [alice.id]);
  const cursors = await bob.api.receipts(group.id);
  assert.equal(cursors.find((r) => r.userId === alice.id).readSeq, acks[2].seq);
  assert.equal(typeof (await alice.api.typing(group.id)).sent, 'boolean');
  assert.equal(typeof (await alice.api.typing(group.id, false)).sent, 'boolean');

  const deleted = await alice.api.delete(group.id, acks[6].messageId); // the owner moderates bob's message
  assert.deepEqual([deleted.changed, deleted.event.kind], [true, 'message_deleted']);
  assert.equal((await bob.api.message(group.id, acks[6].messageId)).deleted, true);
  const audit = await alice.api.audit(group.id, { limit: 10 });
  assert.deepEqual(audit.entries.map((e) => [e.action, e.targetMessageId]), [['message_deleted', acks[6].messageId]]);
  const memberAudit = await refusal(bob.api.audit(group.id));
  assert.deepEqual([memberAudit.code, memberAudit.status], ['forbidden', 403]);
  const unknown = await refusal(alice.api.message(group.id, 'msg_none'));
  assert.deepEqual([unknown.code, unknown.status], ['message_not_found', 404]);
});

test('attachments: slot with its upload headers, upload, finalize, attachment message with its events, the peer\'s '
  + 'signed URL with the same bytes, and refusals with their code and status', async () => {
  const ann = await user('ann');
  const ben = await user('ben');
  const dm = await ann.api.openDirect({ username: ben.username });
  const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
  const slot = await ann.api.attachmentSlot(dm.id, { name: 'a.pdf', contentType: 'application/pdf', size: pdf.length });
  assert.equal(slot.status, 'slot');
  assert.deepEqual(slot.upload.headers, { 'Content-Type': 'application/pdf' });
  assert.match(slot.upload.url, /^\/blobs\//);
  assert.equal((await refusal(ann.api.finalizeAttachment(slot.id))).code, 'attachment_incomplete');
  const file = await new ParleyAttachments(ann.api).upload(dm.id, new Blob([pdf], { type: 'application/pdf' }),
    { name: 'b.pdf' });
  assert.ok(['pending', 'ready'].includes(file.status), file.status); // no scanner: ready once looked at
  const ack = await ann.api.sendAttachments(dm.id, [file.id], { caption: 'the report' });
  assert.equal(ack.events.length, 1);
  assert.equal(ack.events[0].attachment.id, file.id);
  await until('the attachment to be ready', async () => (await ben.api.attachment(file.id)).status === 'ready');
  assert.equal((await ben.api.attachment(file.id)).name, 'b.pdf');
  const { url } = await ben.api.attachmentUrl(file.id);
  const got = new Uint8Array(await (await fetch(`${server.url}${url}`)).arrayBuffer());
  assert.deepEqual(got, pdf);
  const big = await refusal(ann.api.attachmentSlot(dm.id, { name: 'x.zip', contentType: 'application/zip',
    size: 200 * 1024 * 1024 }));
  assert.deepEqual([big.status, big.code], [413, 'attachment_too_large']);
  const odd = await refusal(ann.api.attachmentSlot(dm.id, { name: 'x.exe', contentType: 'application/x-msdownload',
    size: 10 }));
  assert.deepEqual([odd.status, odd.code], [415, 'attachment_type_unsupported']);
  const used = await refusal(ann.api.sendAttachments(dm.id, [file.id]));
  assert.deepEqual([used.status, used.code], [422, 'attachment_not_usable']);
});

test('presence over REST, and a network failure as ParleyApiError network', async () => {
  const [alice, bob] = [await user('alice'), await user('bob')];
  await alice.api.openDirect({ userId: bob.id });
  const p = await alice.api.presence(bob.id);
  assert.deepEqual([p.userId, p.status], [bob.id, 'offline']);
  assert.deepEqual((await alice.api.queryPresence([bob.id, 'u_stranger'])).map((u) => u.userId), [bob.id]);

  const closed = new ParleyApi({ baseUrl: 'http://127.0.0.1:1', token: 't' });
  const err = await refusal(closed.me());
  assert.deepEqual([err.code, err.status, err.retryable], ['network', 0, true]);
});

test('ParleyClient in Node on the real server: connect, live event from a REST send, own send acked', async () => {
  const [alice, bob] = [await user('alice'), await user('bob')];
  const dm = await alice.api.openDirect({ userId: bob.id });
  const client = new ParleyClient({ token: () => alice.session.token, url: alice.api.webSocketUrl(), storage: null,
    WebSocket });
  try {
    await client.connect();
    assert.equal(client.state, State.LIVE);
    assert.equal(client.userId, alice.id);
    const live = next(client, 'event', (e) => e.kind === 'message' && e.actorId === bob.id);
    await bob.api.send(dm.id, 'hi alice');
    assert.equal((await live).body, 'hi alice');

    const acked = next(client, 'message', (m) => m.state === 'sent');
    const own = next(client, 'event', (e) => e.clientMsgId === 'own-1');
    client.send(dm.id, 'hi bob', { clientMsgId: 'own-1' });
    const m = await acked;
    assert.equal((await bob.api.message(dm.id, m.ack.messageId)).body, 'hi bob');
    assert.equal((await own).seq, m.ack.seq); // the server sends one's own message back after the ack
    assert.equal(client.cursors()[dm.id], m.ack.seq);
  } finally {
    client.close();
  }
});
