// ParleyAttachments and ParleyApi's attachment calls in Node 20 against a small local HTTP server that answers the
// attachment routes of docs/api.md (slot, the signed PUT, finalize, download with redirect=false, the signed GET,
// attachment-messages) and checks what it receives: exact size and the slot's headers on the PUT, the bearer token
// on the API calls. The helpers against the real server are exercised by
// the Java SDK's twin (parley-server SdkAttachmentsTest) and the web tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ParleyApi, ParleyAttachments } from 'parley-client';

async function tinyServer() {
  const stored = new Map();
  const finalized = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const json = (status, o) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/api/v1/') && req.headers.authorization !== 'Bearer t-alice') {
      return json(401, { error: { code: 'unauthorized', message: 'no token' } });
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/conversations/c1/attachments') {
      const s = JSON.parse(body);
      if (s.size > 1_000_000) {
        return json(413, { error: { code: 'attachment_too_large', message: 'larger than 1000000 bytes' } });
      }
      stored.set('att_1', { ...s, bytes: null });
      return json(201, { id: 'att_1', status: 'slot', name: s.name, contentType: s.contentType, size: s.size,
        upload: { url: `/blobs/a/att_1?size=${s.size}`, method: 'PUT',
          headers: { 'Content-Type': s.contentType, 'X-Slot-Check': 'k1' },
          expiresAt: new Date().toISOString() } });
    }
    if (req.method === 'PUT' && url.pathname === '/blobs/a/att_1') {
      const s = stored.get('att_1');
      if (req.headers['x-slot-check'] !== 'k1') {
        return json(403, { error: { code: 'forbidden', message: 'the slot\'s headers were not sent' } });
      }
      if (req.headers['content-type'] !== s.contentType || body.length !== s.size) {
        return json(422, { error: { code: 'attachment_type_mismatch', message: 'wrong type or size' } });
      }
      s.bytes = body;
      res.writeHead(200);
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/attachments/att_1/finalize') {
      const s = stored.get('att_1');
      if (!s.bytes) return json(409, { error: { code: 'attachment_incomplete', message: 'no bytes' } });
      finalized.push('att_1');
      return json(200, { id: 'att_1', status: 'pending', name: s.name, contentType: s.contentType, size: s.size });
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/conversations/c1/attachment-messages') {
      const m = JSON.parse(body);
      return json(201, { type: 'ack', clientMsgId: m.clientMsgId, conversationId: 'c1', messageId: 'm1', seq: 5,
        duplicate: false, echo: m, events: [] });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/attachments/att_1/download') {
      if (url.searchParams.get('redirect') !== 'false') {
        return json(400, { error: { code: 'bad_request', message: 'expected redirect=false' } });
      }
      if (url.searchParams.get('thumbnail') === 'true') {
        return json(200, { url: '/blobs/a/att_1?thumb=1&sig=x', expiresAt: new Date().toISOString() });
      }
      return json(200, { url: '/blobs/a/att_1?sig=x', expiresAt: new Date().toISOString() });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/attachments/nope/download') {
      return json(404, { error: { code: 'attachment_not_found', message: 'attachment not found' } });
    }
    if (req.method === 'GET' && url.pathname === '/blobs/a/att_1') {
      const s = stored.get('att_1');
      res.writeHead(200, { 'content-type': s.contentType, 'content-length': s.bytes.length });
      return res.end(s.bytes);
    }
    json(404, { error: { code: 'not_found', message: req.url } });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, finalized, base: `http://127.0.0.1:${server.address().port}` };
}

test('upload puts exactly the slot\'s bytes and type, reports progress, finalizes; download streams them back', async () => {
  const { server, base } = await tinyServer();
  try {
    const api = new ParleyApi({ baseUrl: base, token: 't-alice' });
    const att = new ParleyAttachments(api);
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const sent = [];
    const a = await att.upload('c1', new Blob([bytes], { type: 'application/pdf' }),
      { name: 'r.pdf', onProgress: (n, total) => sent.push([n, total]) });
    assert.equal(a.status, 'pending');
    assert.deepEqual(sent.at(-1), [bytes.length, bytes.length]);
    const got = [];
    const blob = await att.download('att_1', { onProgress: (n) => got.push(n) });
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), bytes);
    assert.equal(got.at(-1), bytes.length);
    await assert.rejects(att.download('nope'), (e) => e.code === 'attachment_not_found' && e.status === 404);
  } finally {
    server.close();
  }
});

test('ParleyApi attachment calls: the slot\'s body, attachment-messages with ids and caption, signed URLs', async () => {
  const { server, base } = await tinyServer();
  try {
    const api = new ParleyApi({ baseUrl: base, token: 't-alice' });
    const slot = await api.attachmentSlot('c1', { name: 'a.png', contentType: 'image/png', size: 3 });
    assert.equal(slot.status, 'slot');
    assert.deepEqual(slot.upload.headers, { 'Content-Type': 'image/png', 'X-Slot-Check': 'k1' });
    await assert.rejects(api.finalizeAttachment('att_1'), (e) => e.code === 'attachment_incomplete' && e.status === 409);
    const ack = await api.sendAttachments('c1', ['att_1', 'att_2'], { caption: 'look', clientMsgId: 'c-9' });
    assert.deepEqual(ack.echo, { clientMsgId: 'c-9', attachments: ['att_1', 'att_2'], caption: 'look' });
    const plain = await api.sendAttachments('c1', ['att_1']);
    assert.match(plain.echo.clientMsgId, /^[0-9a-f-]{36}$/);
    assert.equal('caption' in plain.echo, false);
    assert.equal((await api.attachmentUrl('att_1')).url, '/blobs/a/att_1?sig=x');
    assert.equal((await api.attachmentUrl('att_1', { thumbnail: true })).url, '/blobs/a/att_1?thumb=1&sig=x');
    await assert.rejects(api.attachmentSlot('c1', { name: 'big.zip', contentType: 'application/zip', size: 2_000_000 }),
      (e) => e.code === 'attachment_too_large' && e.status === 413 && /1000000/.test(e.message));
  } finally {
    server.close();
  }
});

test('an upload cancelled through its signal rejects with AbortError and finalizes nothing', async () => {
  const { server, base, finalized } = await tinyServer();
  try {
    const att = new ParleyAttachments(new ParleyApi({ baseUrl: base, token: 't-alice' }));
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(att.upload('c1', new Blob([new Uint8Array(10)], { type: 'text/plain' }),
      { name: 'x.txt', signal: ctl.signal }), (e) => e.name === 'AbortError');
    const late = new AbortController();
    const upload = att.upload('c1', new Blob([new Uint8Array(10)], { type: 'text/plain' }),
      { name: 'x.txt', signal: late.signal, onProgress: () => late.abort() });
    await assert.rejects(upload, (e) => e.name === 'AbortError');
    assert.deepEqual(finalized, []);
  } finally {
    server.close();
  }
});
