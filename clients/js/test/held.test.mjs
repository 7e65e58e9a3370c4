// The moderation queue (docs/protocol.md, Held messages): a `held` answer is an answer. The message leaves the outbox
// (not re-sent after a reconnect), `answered` resolves with it, the held message survives a reload from storage, and
// the decision (or, when the decision frame was missed, the message's own event) settles it by clientMsgId.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './fakes.mjs';
import { MessageState } from 'parley-client';

const sends = (s) => s.sent.filter((f) => f.type === 'send').map((f) => f.clientMsgId);
const frame = (ws, f) => ws.onmessage({ data: JSON.stringify(f) });
const held = (id, status, extra = {}) => ({ type: 'held', clientMsgId: id, conversationId: 'c1', messageId: `msg-${id}`,
  heldId: 7, status, createdAt: '2026-11-22T12:00:00.000Z', duplicate: false, ...extra });

/** A Map-backed storage, shared by two clients in turn (a page reload). */
function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) };
}

async function live(client, sockets, n) {
  const connected = client.connect();
  await new Promise((r) => setImmediate(r));
  sockets[n].open();
  await connected;
  return sockets[n];
}

test('held resolves answered with state held, leaves pending(), and a reconnect does not re-send it', async () => {
  const { client, clock, sockets } = setup();
  const ws = await live(client, sockets, 0);
  const seen = [];
  client.on('message', (m) => seen.push(m.state));
  const m = client.send('c1', 'buy http://spam.example', { clientMsgId: 'h1' });
  frame(ws, held('h1', 'held'));

  const answer = await m.answered;
  assert.equal(answer.state, MessageState.HELD);
  assert.equal(answer.ack, null);
  assert.equal(answer.held.status, 'held');
  assert.equal(m.state, 'held');
  assert.deepEqual(seen, ['held']);
  assert.deepEqual(client.pending(), []);
  assert.deepEqual(client.held(), [m]);

  ws.onclose?.({ code: 1006, reason: 'lost' });
  await clock.advance(1000);
  assert.equal(sockets.length, 2, 'it reconnected');
  sockets[1].open();
  assert.deepEqual(sends(sockets[1]), [], 'the held message is not sent again');

  frame(sockets[1], held('h1', 'approved', { seq: 4 }));
  assert.equal(m.state, 'sent');
  assert.equal(m.ack.seq, 4);
  assert.deepEqual(seen, ['held', 'sent']);
  assert.deepEqual(client.held(), []);
  client.close();
});

test('rejected: the decision and a re-send answered rejected both make it rejected; answered says so', async () => {
  const { client, sockets } = setup();
  const ws = await live(client, sockets, 0);
  const m = client.send('c1', 'www.a.example www.b.example', { clientMsgId: 'r1' });
  frame(ws, held('r1', 'held'));
  frame(ws, held('r1', 'rejected'));
  assert.equal(m.state, MessageState.REJECTED);
  assert.equal(m.held.status, 'rejected');
  assert.equal((await m.answered).state, 'held', 'answered keeps the first answer');

  const again = client.send('c1', 'www.a.example www.b.example', { clientMsgId: 'r1' });
  frame(ws, held('r1', 'rejected', { duplicate: true }));
  assert.equal((await again.answered).state, 'rejected');
  assert.equal(again.state, 'rejected');
  assert.deepEqual(client.pending(), []);
  client.close();
});

test('a held message survives a reload (not re-sent), and its own event settles it when the decision was missed', async () => {
  const storage = memoryStorage();
  const first = setup({ storage });
  const ws = await live(first.client, first.sockets, 0);
  first.client.send('c1', 'buy http://spam.example', { clientMsgId: 'h2' });
  frame(ws, held('h2', 'held'));
  first.client.close();

  const second = setup({ storage });
  const [m] = second.client.held();
  assert.equal(m.clientMsgId, 'h2');
  assert.equal(m.state, 'held');
  assert.equal((await m.answered).state, 'held');
  const ws2 = await live(second.client, second.sockets, 0);
  assert.deepEqual(sends(ws2), [], 'held is an answer: nothing to re-send');
  frame(ws2, { type: 'event', conversationId: 'c1', seq: 1, kind: 'message', createdAt: '2026-11-22T12:05:00.000Z',
    actorId: 'u1', messageId: 'msg-h2', clientMsgId: 'h2', body: 'buy http://spam.example' });
  assert.equal(m.state, 'sent');
  assert.equal(m.ack.seq, 1);
  assert.deepEqual(second.client.held(), []);
  second.client.close();
  const third = setup({ storage });
  assert.deepEqual(third.client.held(), [], 'settled: gone from storage too');
  third.client.close();
});
