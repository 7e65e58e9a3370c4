// What the client finds in its runtime, and what it says when something is missing: Node 20 has no WebSocket, no
// localStorage and no page location; browsers have all three (and may refuse localStorage).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyApi, ParleyClient } from 'parley-client';

/** A socket that never connects: enough to construct and close a client. */
class IdleSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
  }

  send() {}

  close() {}
}

/** Runs fn with globalThis[name] replaced (or removed when value is undefined), then puts it back. */
function withGlobal(name, descriptor, fn) {
  const old = Object.getOwnPropertyDescriptor(globalThis, name);
  if (descriptor === undefined) {
    delete globalThis[name];
  } else {
    Object.defineProperty(globalThis, name, { configurable: true, ...descriptor });
  }
  try {
    return fn();
  } finally {
    if (old) {
      Object.defineProperty(globalThis, name, old);
    } else {
      delete globalThis[name];
    }
  }
}

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }

  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }

  setItem(k, v) { this.items.set(k, String(v)); }

  removeItem(k) { this.items.delete(k); }
}

test('without a global WebSocket and none passed, the constructor says to pass the WebSocket option', () => {
  withGlobal('WebSocket', undefined, () => {
    assert.throws(() => new ParleyClient({ token: 't', url: 'ws://127.0.0.1:1/ws' }),
      (err) => err instanceof TypeError && /WebSocket option/.test(err.message) && /'ws'/.test(err.message));
  });
});

test('a WebSocket option that is not a class is refused by name', () => {
  assert.throws(() => new ParleyClient({ token: 't', url: 'ws://127.0.0.1:1/ws', WebSocket: {} }),
    (err) => err instanceof TypeError && /the WebSocket option must be a WebSocket class/.test(err.message));
});

test('globalThis.WebSocket is taken when there is one (browsers, Node 22+)', async () => {
  const opened = [];
  class GlobalSocket extends IdleSocket {
    constructor(url) {
      super(url);
      opened.push(url);
    }
  }
  const client = withGlobal('WebSocket', { value: GlobalSocket, writable: true },
    () => new ParleyClient({ token: 'tok', url: 'ws://127.0.0.1:1/ws', storage: null }));
  client.connect().catch(() => {});
  await new Promise(setImmediate);
  client.close();
  assert.deepEqual(opened, ['ws://127.0.0.1:1/ws?resume=1&token=tok']);
});

test('outside a page, url is required and the error says so', () => {
  withGlobal('location', undefined, () => {
    assert.throws(() => new ParleyClient({ token: 't', WebSocket: IdleSocket }),
      (err) => err instanceof TypeError && /url is required outside a browser/.test(err.message));
  });
});

test('in a page, url defaults to the page host, wss on https', async () => {
  const opened = [];
  class Recording extends IdleSocket {
    constructor(url) {
      super(url);
      opened.push(url);
    }
  }
  await withGlobal('location', { value: { protocol: 'https:', host: 'chat.example:8443' } }, async () => {
    const client = new ParleyClient({ token: 't', storage: null, WebSocket: Recording });
    client.connect().catch(() => {});
    await new Promise(setImmediate);
    client.close();
  });
  assert.deepEqual(opened, ['wss://chat.example:8443/ws?resume=1&token=t']);
});

test('without localStorage the client keeps its state in memory, and uses localStorage when there is one', () => {
  withGlobal('localStorage', undefined, () => {
    const client = new ParleyClient({ token: 't', url: 'ws://127.0.0.1:1/ws', WebSocket: IdleSocket });
    const m = client.send('c1', 'hello');
    assert.deepEqual(client.pending(), [m]);
    client.close();
  });
  const storage = new MemoryStorage();
  withGlobal('localStorage', { value: storage }, () => {
    const client = new ParleyClient({ token: 't', url: 'ws://127.0.0.1:1/ws', WebSocket: IdleSocket,
      storageKey: 'k' });
    client.send('c1', 'hello', { clientMsgId: 'm1' });
    assert.match(storage.getItem('k:outbox'), /"clientMsgId":"m1"/);
    client.close();
  });
});

test('a page that may not use localStorage (it throws) gets memory, not an exception', () => {
  withGlobal('localStorage', { get() { throw new Error('SecurityError: access denied'); } }, () => {
    const client = new ParleyClient({ token: 't', url: 'ws://127.0.0.1:1/ws', WebSocket: IdleSocket });
    client.send('c1', 'hello');
    assert.equal(client.pending().length, 1);
    client.close();
  });
});

test('ParleyApi: baseUrl is required outside a page, and taken from the page origin in one', () => {
  withGlobal('location', undefined, () => {
    assert.throws(() => new ParleyApi(), (err) => err instanceof TypeError && /baseUrl is required/.test(err.message));
  });
  withGlobal('location', { value: { origin: 'https://chat.example' } }, () => {
    const api = new ParleyApi();
    assert.equal(api.baseUrl, 'https://chat.example');
    assert.equal(api.webSocketUrl(), 'wss://chat.example/ws');
  });
  assert.equal(new ParleyApi({ baseUrl: 'http://127.0.0.1:8080/' }).webSocketUrl(), 'ws://127.0.0.1:8080/ws');
});

test('ParleyApi calls fetch as browsers require (not as a method of the api: "Illegal invocation")', async () => {
  const calls = [];
  function browserLikeFetch(url, init) {
    if (this !== undefined && this !== globalThis) {
      throw new TypeError("Failed to execute 'fetch' on 'Window': Illegal invocation");
    }
    calls.push([init.method, url, init.headers.authorization]);
    return Promise.resolve(new Response('{"userId":"u_1","username":"alice"}', { status: 200 }));
  }
  const api = new ParleyApi({ baseUrl: 'http://chat.example', token: 'tok', fetch: browserLikeFetch });
  assert.deepEqual(await api.me(), { userId: 'u_1', username: 'alice' });
  assert.deepEqual(calls, [['GET', 'http://chat.example/api/v1/me', 'Bearer tok']]);
});

test('ParleyApi: an answer that is not the API\'s JSON is bad_response with its status and text', async () => {
  const api = new ParleyApi({ baseUrl: 'http://chat.example',
    fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }) });
  await assert.rejects(api.me(), (err) => err.name === 'ParleyApiError' && err.code === 'bad_response'
    && err.status === 502 && err.body === '<html>bad gateway</html>' && err.retryable === false);
});
