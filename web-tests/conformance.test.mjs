// Plays every recorded exchange of conformance/exchanges, and those of conformance/js-only that the Java SDK does not
// play yet (format: conformance/README.md), against parley-client.js,
// with a fake WebSocket class and a fake clock injected through the client's options: no browser, no server, no
// real time (time moves only by the recorded advances). The Java SDK's ConformanceTest plays the same files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParleyClient } from '../clients/js/src/parley-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(here, '..', 'conformance', 'exchanges');
const JS_ONLY = path.resolve(here, '..', 'conformance', 'js-only');
const ACTIONS = new Set(['call', 'open', 'in', 'serverClose', 'advance']);
const DEFAULT_OBSERVE = ['event', 'message', 'synced', 'authfailed', 'error'];

/** Runs the microtasks and promise callbacks queued so far (the client's token and 4001 paths are async). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Timers in due order (ties in the order scheduled), on a clock that moves only in advance(). */
class FakeClock {
  constructor() {
    this.t = 0;
    this.order = 0;
    this.timers = new Map();
    this.ids = 0;
  }

  now() { return this.t; }

  setTimeout(fn, ms) { return this._add(fn, ms, 0); }

  setInterval(fn, ms) { return this._add(fn, ms, ms); }

  clearTimeout(id) { this.timers.delete(id); }

  clearInterval(id) { this.timers.delete(id); }

  _add(fn, ms, period) {
    const id = ++this.ids;
    this.timers.set(id, { fn, due: this.t + Math.max(0, ms || 0), order: this.order++, period });
    return id;
  }

  async advance(ms) {
    const target = this.t + ms;
    for (;;) {
      let next = null;
      for (const [id, x] of this.timers) {
        if (x.due <= target && (!next || x.due < next[1].due || (x.due === next[1].due && x.order < next[1].order))) {
          next = [id, x];
        }
      }
      if (!next) {
        break;
      }
      const [id, x] = next;
      this.t = x.due;
      if (x.period > 0) {
        x.due += x.period;
        x.order = this.order++;
      } else {
        this.timers.delete(id);
      }
      x.fn();
      await settle();
    }
    this.t = target;
  }
}

/** Full jitter pinned to one end of the window: floor(r * (ceiling + 1)) is the ceiling ("max") or 0 ("min"). */
const jitter = (mode) => (mode === 'min' ? () => 0 : () => 1 - 1e-9);

/** Plain JSON equality with `"*"` (any value, present) and `"$name"` (bind on first sight, then equal). */
function match(expected, actual, vars, where = '') {
  if (expected === '*') {
    return actual === undefined ? `${where} is absent` : null;
  }
  if (typeof expected === 'string' && expected.startsWith('$')) {
    const name = expected.slice(1);
    if (actual === undefined || actual === null) {
      return `${where} is absent`;
    }
    if (!(name in vars)) {
      vars[name] = actual;
      return null;
    }
    return match(vars[name], actual, vars, where);
  }
  if (actual === undefined) {
    return `${where} is absent`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${where} is ${JSON.stringify(actual)}, not ${expected.length} items`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = match(expected[i], actual[i], vars, `${where}[${i}]`);
      if (d) {
        return d;
      }
    }
    return null;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${where} is ${JSON.stringify(actual)}`;
    }
    for (const k of Object.keys(actual)) {
      if (!(k in expected)) {
        return `${where}.${k} is not expected`;
      }
    }
    for (const k of Object.keys(expected)) {
      const d = match(expected[k], actual[k], vars, `${where}.${k}`);
      if (d) {
        return d;
      }
    }
    return null;
  }
  return expected === actual ? null : `${where} differs`;
}

function substitute(v, vars) {
  if (typeof v === 'string' && v.startsWith('$')) {
    const name = v.slice(1);
    assert.ok(name in vars, `${v} is not bound yet`);
    return vars[name];
  }
  if (Array.isArray(v)) {
    return v.map((x) => substitute(x, vars));
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, vars)]));
  }
  return v;
}

function memoryStorage(initial) {
  const m = new Map(Object.entries(initial));
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
}

async function play(exchange) {
  const o = exchange.client || {};
  const observe = new Set(exchange.observe || DEFAULT_OBSERVE);
  const clock = new FakeClock();
  const wire = [];
  const app = [];
  const vars = {};
  const messages = new Map();
  const requests = new Map();
  const sockets = [];
  const tokens = o.tokens && o.tokens.length ? o.tokens : ['t1'];
  let tokenCalls = 0;

  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.ended = false;
      sockets.push(this);
      wire.push({ connect: url });
    }

    send(text) {
      if (this.readyState === 1) {
        wire.push({ out: JSON.parse(text) });
      }
    }

    close(code) {
      if (!this.ended) {
        this.ended = true;
        this.readyState = 3;
        // The browser cannot drop a socket without a handshake; the client closes with 4000 instead (client-js.md).
        wire.push(code === 4000 ? { drop: true } : { outClose: code });
      }
    }
  }

  const initial = o.initialCursors ? { 'parley:cursors': JSON.stringify(o.initialCursors) } : {};
  const client = new ParleyClient({
    url: o.url || 'ws://parley.test/ws',
    token: () => tokens[Math.min(tokenCalls++, tokens.length - 1)],
    storage: memoryStorage(initial),
    backoffInitialMs: o.backoffInitialMs || 250,
    backoffMaxMs: o.backoffMaxMs || 30000,
    sendTimeoutMs: o.sendTimeoutMs || 30000,
    heartbeatIntervalMs: o.heartbeatIntervalMs || 25000,
    autoDelivered: o.autoDelivered === true,
    WebSocket: FakeWebSocket,
    random: jitter(o.jitter),
    clock,
  });
  const note = (on, record) => {
    if (observe.has(on)) {
      app.push({ on, ...record });
    }
  };
  client.on('event', (e) => note('event', { conversationId: e.conversationId, seq: e.seq, kind: e.kind }));
  client.on('synced', (s) => note('synced', { conversations: s.conversations }));
  client.on('state', (s) => note('state', { state: s }));
  client.on('message', (m) => {
    if (m.state === 'sent') {
      note('message', { clientMsgId: m.clientMsgId, state: 'sent', seq: m.ack.seq });
    } else if (m.state === 'failed') {
      note('message', { clientMsgId: m.clientMsgId, state: 'failed', errorCode: m.errorCode });
    } else if (m.state === 'unconfirmed' || m.state === 'held' || m.state === 'rejected') {
      note('message', { clientMsgId: m.clientMsgId, state: m.state });
    }
  });
  client.on('error', (e) => note('error', e.ref == null ? { code: e.code } : { code: e.code, ref: e.ref }));
  client.on('authfailed', () => note('authfailed', {}));
  client.on('closed', (c) => note('closed', { code: c.code }));
  client.on('match', (m) => {
    const n = { event: m.event };
    if (m.conversationId != null) n.conversationId = m.conversationId;
    if (m.partner != null) n.partner = m.partner;
    if (m.reason != null) n.reason = m.reason;
    note('match', n);
  });
  client.on('gap', (g) => note('gap', { conversationId: g.conversationId, cursor: g.cursor, seq: g.seq }));

  let where = 'setup';
  const fail = (why) => assert.fail(`${exchange.name}, ${where}: ${why}`);
  const last = () => sockets[sockets.length - 1] || fail('the client opened no socket');
  const track = (name, promise) => {
    const r = { outcome: 'pending' };
    requests.set(name, r);
    promise.then(() => { r.outcome = 'ok'; }, (err) => { r.outcome = err.code || String(err); });
  };
  const text = (s, field) => {
    const v = substitute(s[field], vars);
    if (v == null) {
      fail(`call needs '${field}'`);
    }
    return v;
  };
  const quiet = (when) => {
    if (wire.length) {
      fail(`unexpected client output ${when}: ${JSON.stringify(wire)}`);
    }
    if (app.length) {
      fail(`unexpected notifications ${when}: ${JSON.stringify(app)}`);
    }
  };

  function call(s) {
    const conv = s.conversationId;
    switch (s.call) {
      case 'connect':
        client.connect().catch(() => {}); // an authentication failure is checked through the notifications
        return;
      case 'send': {
        const opts = {};
        if (s.replyTo !== undefined) {
          opts.replyTo = text(s, 'replyTo');
        } else if (s.clientMsgId !== undefined) {
          opts.clientMsgId = text(s, 'clientMsgId');
        }
        const m = client.send(conv, text(s, 'body'), opts);
        const name = s.as || m.clientMsgId;
        messages.set(name, m);
        if (name in vars && vars[name] !== m.clientMsgId) {
          fail(`$${name} is already ${vars[name]}`);
        }
        vars[name] = m.clientMsgId;
        return;
      }
      case 'retry': return client.retry(messages.get(s.message) || fail(`no message sent as '${s.message}'`));
      case 'edit': return track(s.as, client.edit(conv, text(s, 'messageId'), text(s, 'body')));
      case 'delete': return track(s.as, client.delete(conv, text(s, 'messageId')));
      case 'react': return track(s.as, client.react(conv, text(s, 'messageId'), text(s, 'emoji'), s.add !== false));
      case 'queryPresence': return track(s.as, client.queryPresence(s.userIds));
      case 'matchJoin': return track(s.as, client.matchJoin({ interests: s.interests || [], language: s.language ?? undefined, takeover: s.takeover === true }));
      case 'matchLeave': return track(s.as, client.matchLeave());
      case 'matchNext': return track(s.as, client.matchNext());
      case 'matchEnd': return track(s.as, client.matchEnd());
      case 'matchBlock': return track(s.as, client.matchBlock());
      case 'matchReport': return track(s.as, client.matchReport(s.reason ?? undefined));
      case 'markRead': return client.markRead(conv, s.seq);
      case 'typing': return client.typing(conv, s.active !== false);
      case 'abortConnection': return client.abortConnection();
      case 'close': return client.close();
      default: return fail(`unknown call ${s.call}`);
    }
  }

  function check(c) {
    const actual = {};
    if ('state' in c) {
      actual.state = client.state;
    }
    if ('cursors' in c) {
      actual.cursors = client.cursors();
    }
    if ('pending' in c) {
      actual.pending = client.pending().map((m) => m.clientMsgId);
    }
    if ('messages' in c) {
      actual.messages = {};
      for (const name of Object.keys(c.messages)) {
        const m = messages.get(name) || fail(`no message sent as '${name}'`);
        actual.messages[name] = m.state === 'failed' ? `failed:${m.errorCode}` : m.state;
      }
    }
    if ('requests' in c) {
      actual.requests = {};
      for (const name of Object.keys(c.requests)) {
        actual.requests[name] = (requests.get(name) || fail(`no request made as '${name}'`)).outcome;
      }
    }
    const d = match(c, actual, vars);
    if (d) {
      fail(`check ${JSON.stringify(c)} but the client has ${JSON.stringify(actual)} (${d})`);
    }
  }

  try {
    let i = 0;
    for (const step of exchange.steps) {
      i++;
      where = `step ${i} ${JSON.stringify(step)}`;
      const kind = 'call' in step ? 'call' : Object.keys(step).find((k) => k !== 'note') || 'note';
      await settle();
      if (ACTIONS.has(kind)) {
        quiet(`before step ${i}`);
      }
      switch (kind) {
        case 'call': call(step); break;
        case 'open': {
          const ws = last();
          ws.readyState = 1;
          ws.onopen?.({});
          break;
        }
        case 'in': {
          const ws = last();
          if (!ws.ended) {
            ws.onmessage?.({ data: JSON.stringify(substitute(step.in, vars)) });
          }
          break;
        }
        case 'serverClose': {
          const ws = last();
          if (!ws.ended) {
            ws.ended = true;
            ws.readyState = 3;
            ws.onclose?.({ code: step.serverClose.code, reason: step.serverClose.reason || '' });
          }
          break;
        }
        case 'advance': await clock.advance(step.advance); break;
        case 'out': case 'connect': case 'outClose': case 'drop': {
          const actual = wire.shift() || fail(`expected ${JSON.stringify(step)} but the client did nothing more on the wire`);
          const d = match({ [kind]: step[kind] }, actual, vars);
          if (d) {
            fail(`expected ${JSON.stringify({ [kind]: step[kind] })} but the client did ${JSON.stringify(actual)} (${d})`);
          }
          break;
        }
        case 'app': {
          const actual = app.shift() || fail(`expected the app to be told ${JSON.stringify(step.app)} but it was told nothing more`);
          const d = match(step.app, actual, vars);
          if (d) {
            fail(`expected the app to be told ${JSON.stringify(step.app)} but it was told ${JSON.stringify(actual)} (${d})`);
          }
          break;
        }
        case 'check': check(step.check); break;
        case 'note': break;
        default: fail(`unknown step kind '${kind}'`);
      }
    }
    where = 'end';
    await settle();
    quiet('at the end');
  } finally {
    client.close(); // stops its timers (all on the fake clock anyway)
  }
}

const jsons = (dir) => (!existsSync(dir) ? [] : readdirSync(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
const files = [...jsons(DIR), ...jsons(JS_ONLY)];
test('conformance exchanges exist', () => assert.ok(jsons(DIR).length > 0, `no exchanges in ${DIR}`));
for (const f of files) {
  const exchange = JSON.parse(readFileSync(f, 'utf8'));
  test(`conformance: ${path.relative(path.dirname(DIR), f)}`, () => play(exchange));
}
