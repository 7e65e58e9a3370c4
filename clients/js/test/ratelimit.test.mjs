// rate_limited on a burst: every send of the conversation waits for the server's delay, then the waiting ones go
// out again in the order they were sent (a timer per message would send them in the order of their delays: shuffled,
// which the browser test of 50 messages caught). A fake socket and a clock that moves only when told.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './fakes.mjs';

const sends = (s) => s.sent.filter((f) => f.type === 'send').map((f) => f.body);

test('a rate-limited burst is re-sent in its order after the longest delay, and new sends wait behind it', async () => {
  const { client, clock, sockets } = setup();
  const connected = client.connect();
  await new Promise((r) => setImmediate(r));
  sockets[0].open();
  await connected;
  const ms = ['m1', 'm2', 'm3', 'm4'].map((b) => client.send('c1', b));
  const other = client.send('c2', 'elsewhere');
  assert.deepEqual(sends(sockets[0]), ['m1', 'm2', 'm3', 'm4', 'elsewhere']);
  const ws = sockets[0];
  ws.sent.length = 0;
  // m1 is stored; m2..m4 are refused, later ones with shorter delays (the next token comes sooner for them).
  ws.onmessage({ data: JSON.stringify({ type: 'ack', clientMsgId: ms[0].clientMsgId, conversationId: 'c1', seq: 1,
    messageId: 'x1', createdAt: 1 }) });
  [[1, 300], [2, 299], [3, 298]].forEach(([i, d]) => ws.onmessage({ data: JSON.stringify({ type: 'error',
    code: 'rate_limited', message: 'slow down', ref: ms[i].clientMsgId, retryAfterMs: d }) }));
  const m5 = client.send('c1', 'm5');
  assert.deepEqual(sends(ws), [], 'nothing of c1 goes out while it waits, not even a new send');
  await clock.advance(299);
  assert.deepEqual(sends(ws), [], 'the hold lasts the longest delay the server gave');
  await clock.advance(1);
  assert.deepEqual(sends(ws), ['m2', 'm3', 'm4', 'm5'], 'in the order they were sent');
  for (const m of [...ms.slice(1), m5]) {
    assert.equal(m.state, 'pending', 'a rate-limited message is never failed');
  }
  assert.equal(other.state, 'pending');
  client.close();
  assert.equal(clock.timers.size, 0, 'close() stops the hold timer too');
});
