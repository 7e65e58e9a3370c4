// pongTimeoutMs: a connection whose pings go unanswered is dropped (and the client reconnects) within the timeout,
// long before the server's idle timeout; off by default. A fake socket and a clock that moves only when told.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { State } from 'parley-client';
import { setup } from './fakes.mjs';

test('with pongTimeoutMs, unanswered pings drop the connection within heartbeat + timeout, and it reconnects', async () => {
  const { client, clock, sockets } = setup({ heartbeatIntervalMs: 2000, pongTimeoutMs: 2000 });
  client.connect().catch(() => {});
  await clock.advance(0);
  sockets[0].open();
  await clock.advance(0);
  assert.equal(client.state, State.LIVE);
  // The network is cut: nothing comes back from here on.
  await clock.advance(2000);
  assert.equal(sockets[0].pings(), 1);
  assert.equal(sockets[0].closedWith, null);
  await clock.advance(2500);
  assert.equal(sockets[0].closedWith, 4000, 'dropped 4.5 s after the cut, well inside 5 s');
  assert.notEqual(client.state, State.LIVE);
  await clock.advance(1000);
  assert.equal(sockets.length, 2, 'and it tries again');
  client.close();
});

test('answered pings keep the connection; without pongTimeoutMs only the idle timeout drops it', async () => {
  const a = setup({ heartbeatIntervalMs: 2000, pongTimeoutMs: 2000 });
  a.client.connect().catch(() => {});
  await a.clock.advance(0);
  a.sockets[0].open();
  for (let i = 0; i < 10; i++) {
    await a.clock.advance(2000);
    a.sockets[0].onmessage({ data: JSON.stringify({ type: 'pong' }) });
  }
  assert.equal(a.sockets[0].closedWith, null);
  assert.ok(a.sockets[0].pings() >= 9);
  a.client.close();

  const b = setup({ heartbeatIntervalMs: 2000 });
  b.client.connect().catch(() => {});
  await b.clock.advance(0);
  b.sockets[0].open();
  await b.clock.advance(59000);
  assert.equal(b.sockets[0].closedWith, null, 'silent for 59 s, inside the 60 s idle timeout');
  await b.clock.advance(2000);
  assert.equal(b.sockets[0].closedWith, 4000);
  b.client.close();
});
