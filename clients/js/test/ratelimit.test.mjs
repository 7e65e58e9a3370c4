// rate_limited on a burst: every send of the conversation waits for the server's delay, then the waiting ones go
// out again in the order they were sent (a timer per message would send them in the order of their delays: shuffled,
// which the browser test of 50 messages caught). A fake socket and a clock that moves only when told.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyClient } from 'parley-client';

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

function setup(options = {}) {
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
