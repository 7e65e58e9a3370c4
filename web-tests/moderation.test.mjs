// The moderation queue in the web app (docs/protocol.md, Held messages): a new account's link-heavy message is held;
// the sender sees it as waiting for review (also after a reload, and it is not sent again), nobody else sees it, and a
// server admin's rejection shows as rejected, with Discard. The real jar with moderation.enabled, Debian's chromium.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, launchBrowser } from './harness.mjs';
import { PASSWORD, assertClean, bubble, newUser, openDm, send, statusOf } from './pages.mjs';

let server;
let browser;

before(async () => {
  server = await ServerProcess.start({ PARLEY_MODERATION_ENABLED: 'true', PARLEY_AUTH_ADMINS: 'root' });
  // auth.admins applies at start to users that exist then: register root, then start again.
  const r = await fetch(`${server.url}/api/v1/auth/register`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: PASSWORD }) });
  assert.equal(r.status, 201, await r.text());
  await server.restart();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

async function asRoot(method, path) {
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: PASSWORD }) });
  const { token } = await login.json();
  const r = await fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, `${method} ${path}: ${r.status}`);
  return r.json();
}

test('a held message: waiting for review (after a reload too), unseen by the peer, then rejected with Discard', async () => {
  const alice = await newUser(browser, server.url, 'alice');
  const bob = await newUser(browser, server.url, 'bob');
  await openDm(alice, 'bob');
  const spam = 'buy http://spam.example now';
  await send(alice, spam);
  await statusOf(alice, spam, 'held');
  assert.match(await bubble(alice, spam).locator('.status').textContent(), /waiting for review/);

  await alice.page.reload();
  await alice.page.locator('#app-view').waitFor();
  await statusOf(alice, spam, 'held');

  const { items } = await asRoot('GET', '/admin/queue');
  assert.equal(items.length, 1, 'held once: the reload did not send it again');
  assert.equal(items[0].body, spam);
  await openDm(bob, 'alice');
  assert.equal(await bubble(bob, spam).count(), 0, 'the peer does not see a held message');

  await asRoot('POST', `/admin/queue/${items[0].id}/reject`);
  await statusOf(alice, spam, 'rejected');
  assert.match(await bubble(alice, spam).locator('.status').textContent(), /rejected by a moderator/);
  await bubble(alice, spam).locator('.discard-btn').click();
  await bubble(alice, spam).waitFor({ state: 'detached' });
  assertClean(alice);
  assertClean(bob);
  await alice.context.close();
  await bob.context.close();
});
