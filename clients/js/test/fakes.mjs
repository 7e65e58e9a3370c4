// The fakes the client's unit tests run on: a clock that moves only when told (advance runs what fell due, in due
// order) and a WebSocket that records what the client sends; open() plays a welcome and a synced.

import { ParleyClient } from 'parley-client';

export class Clock {
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

export function setup(options = {}) {
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
