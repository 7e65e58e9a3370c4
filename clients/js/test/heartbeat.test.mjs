// pongTimeoutMs: a connection whose pings go unanswered is dropped (and the client reconnects) within the timeout,
// long before the server's idle timeout; off by default. A fake socket and a clock that moves only when told.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyClient, State } from 'parley-client';

class Clock {
  constructor() {
    this.t = 0;
    this.timers = new Map();
    this.ids = 0;
  }

  now() { return this.t; }

  setTimeout(fn, ms) { return this.add(fn, ms, 0); }

  setInterval(fn, ms) { return this.add(fn, ms, ms); }

  clearTimeout(id) { this.timers.delete(id); }

  clearInterval(id) { this.timers.delete(id); }

  add(fn, ms, period) {
    this.timers.set(++this.ids, { fn, due: this.t + ms, period });
    return this.ids;
  }

  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.due <= end).sort((a, b) => a[1].due - b[1].due)[0];
      if (!due) {
        break;
      }
      const [id, x] = due;
      this.t = x.due;
      if (x.period) {
        x.due += x.period;
      } else {
        this.timers.delete(id);
      }
      x.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}

function setup(options) {
  const clock = new Clock();
  const sockets = [];
  class Socket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null;
      sockets.push(this);
    }

    send(text) { this.sent.push(JSON.parse(text)); }

    close(code) { this.closedWith = code; }

    open() {
      this.readyState = 1;
      this.onopen?.();
      this.onmessage?.({ data: JSON.stringify({ type: 'welcome', sessionId: 's', userId: 'u1', heartbeatIntervalMs: 25000,
        idleTimeoutMs: 60000, maxFrameBytes: 65536, maxBodyChars: 4000 }) });
      this.onmessage?.({ data: JSON.stringify({ type: 'synced', conversations: 0 }) });
    }

    pings() { return this.sent.filter((f) => f.type === 'ping').length; }
  }
  const client = new ParleyClient({ token: 't', url: 'ws://parley.test/ws', storage: null, WebSocket: Socket, clock,
    random: () => 0, ...options });
  return { client, clock, sockets };
}

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
