// The client in Node 20 with the `ws` package passed as its WebSocket option, over a real socket on a free port: a
// small server (ws's WebSocketServer) that speaks the handshake, sync and send of docs/protocol.md. The client against
// the real Parley server is web-tests/client-api.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ParleyClient, State } from 'parley-client';

/** Resolves with the next value `name` gives the client's listeners that `accept` takes. */
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

/** A server that welcomes, answers sync with synced (cursors echoed) and acks sends with the next seq. */
async function tinyServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const seen = [];
  let seq = 0;
  wss.on('connection', (ws, req) => {
    seen.push(req.url);
    ws.send(JSON.stringify({ type: 'welcome', sessionId: 's1', userId: 'alice', heartbeatIntervalMs: 25000,
      idleTimeoutMs: 60000, maxFrameBytes: 65536, maxBodyChars: 4000 }));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      seen.push(f.type);
      if (f.type === 'sync') {
        ws.send(JSON.stringify({ type: 'synced', conversations: { c1: seq }, serverTime: 1 }));
      } else if (f.type === 'send') {
        seq++;
        ws.send(JSON.stringify({ type: 'ack', clientMsgId: f.clientMsgId, conversationId: f.conversationId,
          messageId: `m${seq}`, seq, createdAt: new Date().toISOString(), duplicate: false }));
        ws.send(JSON.stringify({ type: 'event', conversationId: f.conversationId, seq, kind: 'message',
          createdAt: new Date().toISOString(), actorId: 'alice', messageId: `m${seq}`, clientMsgId: f.clientMsgId,
          body: f.body }));
      }
    });
  });
  return { url: `ws://127.0.0.1:${wss.address().port}/ws`, seen, close: () => new Promise((r) => wss.close(r)) };
}

test('with ws passed in: connect, sync, send, ack and the live event, then a clean close', async () => {
  const server = await tinyServer();
  const client = new ParleyClient({ token: 't1', url: server.url, storage: null, WebSocket });
  try {
    await client.connect();
    assert.equal(client.state, State.LIVE);
    const event = next(client, 'event');
    const sent = next(client, 'message', (m) => m.state === 'sent');
    const m = client.send('c1', 'hello from node');
    assert.equal((await sent).ack.seq, 1);
    assert.equal((await event).body, 'hello from node');
    assert.equal(m.state, 'sent');
    assert.deepEqual(client.cursors(), { c1: 1 });
    assert.deepEqual(server.seen, ['/ws?resume=1&token=t1', 'sync', 'send']);
  } finally {
    client.close();
    await server.close();
  }
});

test('with ws passed in: a refused connection is a lost connection (closed 1006, backoff), not a crash', async () => {
  const port = await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const client = new ParleyClient({ token: 't', url: `ws://127.0.0.1:${port}/ws`, storage: null, WebSocket,
    backoffInitialMs: 60000, backoffMaxMs: 60000 });
  const closed = next(client, 'closed');
  const backoff = next(client, 'state', (s) => s === State.BACKOFF);
  client.connect().catch(() => {});
  try {
    assert.equal((await closed).code, 1006);
    await backoff;
  } finally {
    client.close();
  }
});
