// The web app over HTTPS and WSS: the real jar serving a certificate of a CA made for this test (openssl), and
// chromium trusting exactly that CA's key (--ignore-certificate-errors-spki-list with its SPKI hash), not every
// certificate: a browser without the hash refuses the page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ServerProcess, launchBrowser } from './harness.mjs';
import { assertClean, bubble, newUser, openDm, openFromList, send, statusOf } from './pages.mjs';

let dir;
let ca;
let server;
let browser;

/** A CA (self-signed, EC P-256) and a leaf for 127.0.0.1/localhost it signs; the leaf file holds leaf then CA. */
async function makeCa(into) {
  const run = (...args) => execFileSync('openssl', args, { cwd: into, stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=Parley web-tests CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', 'ca.key', '-out', 'ca.crt');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', 'leaf.key', '-out', 'leaf.csr');
  await writeFile(path.join(into, 'leaf.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'leaf.ext', '-out', 'leaf.crt');
  // PKCS#8 for tls.key-file.
  run('pkcs8', '-topk8', '-nocrypt', '-in', 'leaf.key', '-out', 'leaf.pk8');
  const caPem = await readFile(path.join(into, 'ca.crt'), 'utf8');
  const leafPem = await readFile(path.join(into, 'leaf.crt'), 'utf8');
  await writeFile(path.join(into, 'chain.pem'), leafPem + caPem);
  return { caPem, certFile: path.join(into, 'chain.pem'), keyFile: path.join(into, 'leaf.pk8') };
}

/** base64(SHA-256(SubjectPublicKeyInfo)): the form --ignore-certificate-errors-spki-list takes. */
function spkiHash(pem) {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-tls-'));
  ca = await makeCa(dir);
  server = await ServerProcess.start({ tls: { certFile: ca.certFile, keyFile: ca.keyFile, ca: ca.caPem } });
  browser = await launchBrowser([`--ignore-certificate-errors-spki-list=${spkiHash(ca.caPem)}`]);
});

after(async () => {
  await browser?.close();
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

test('the web app over https and wss: two people chat, the socket is wss, HSTS is sent', async () => {
  assert.match(server.url, /^https:/);
  const alice = await newUser(browser, server.url, 'alice_tls');
  const bob = await newUser(browser, server.url, 'bob_tls');
  const sockets = [];
  alice.page.on('websocket', (ws) => sockets.push(ws.url()));

  const response = await alice.page.reload();
  assert.equal(response.headers()['strict-transport-security'], 'max-age=31536000');
  await alice.page.locator('#app-view').waitFor();
  await openDm(alice, 'bob_tls');
  await send(alice, 'hello over wss');
  await statusOf(alice, 'hello over wss', 'delivered');
  await bob.page.locator('#conversation-list .conv[data-name="alice_tls"]').waitFor();
  await openFromList(bob, 'alice_tls');
  await bubble(bob, 'hello over wss').waitFor();
  assert.ok(sockets.length > 0, 'the page opened a WebSocket');
  for (const url of sockets) {
    assert.match(url, new RegExp(`^wss://127\\.0\\.0\\.1:${server.port}/ws`));
  }
  assertClean(alice);
  assertClean(bob);
  await alice.context.close();
  await bob.context.close();
});

test('a browser that does not trust the test CA refuses the page', async () => {
  const plain = await launchBrowser();
  try {
    const page = await plain.newPage();
    await assert.rejects(page.goto(server.url), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await plain.close();
  }
});
