// Search in the web app (issue 17): a message sent in another conversation is found, its snippet highlighted with
// <mark> and any HTML in it kept as text; "More results" pages with the cursor; a hit opens its conversation around
// the message, marked, with older and newer pages on scrolling both ways and live messages after the newest; the
// scope "This conversation"; a member removed from a group finds nothing of it any more. The real jar; history is
// seeded over REST by the JS client (rate.send off for this server: the limits are tested in Java).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { ParleyApi } from '../clients/js/src/index.js';
import { ServerProcess, launchBrowser } from './harness.mjs';
import { PASSWORD, assertClean, bodies, bubble, newUser, openDm, openFromList, send, textIs, until } from './pages.mjs';

let server;
let browser;

before(async () => {
  server = await ServerProcess.start({ PARLEY_RATE_SEND: '0', PARLEY_RATE_REST: '0' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

const PHONE = { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true };

async function login(username) {
  const api = new ParleyApi({ baseUrl: server.url });
  await api.login(username, PASSWORD);
  return api;
}

/** Waits until the server's index finds `q` for this user (indexing is asynchronous, ~200 ms). */
async function indexed(api, q, n = 1) {
  await until(`"${q}" to be indexed`, async () => (await api.search(q, { limit: 50 })).results.length >= n);
}

async function search(user, q, scope = 'all') {
  await user.page.fill('#search-input', q);
  await user.page.selectOption('#search-scope', scope);
  await user.page.click('#search-form button[type="submit"]');
  await until(`${user.username}'s search for ${q}`, async () =>
    !(await user.page.textContent('#search-status')).startsWith('Searching'));
}

test('a hit in another conversation: highlighted snippet, opened around the message, older and newer pages, live '
  + 'messages after the end; scope and paging', async () => {
  const ida = await newUser(browser, server.url, 'ida');
  const jon = await newUser(browser, server.url, 'jon');
  const kim = await newUser(browser, server.url, 'kim');
  const idaApi = await login('ida');
  const jonId = (await idaApi.userByUsername('jon')).userId;
  const group = await idaApi.createGroup('Trip', [jonId]);
  const hitAt = 40;
  for (let i = 0; i < 80; i++) {
    const body = i === hitAt ? 'the <b>zebra</b> crossing <img src=x onerror=alert(1)> at noon' : `trip note ${i}`;
    await idaApi.send(group.id, body);
  }
  const jonApi = await login('jon');
  await indexed(jonApi, 'zebra');
  await indexed(jonApi, 'note', 50);

  // Jon sits in his DM with kim when he searches.
  await openDm(jon, 'kim');
  await send(jon, 'hello kim');
  await search(jon, 'zebra');
  await textIs(jon.page, '#search-status', '1 message found in all conversations');
  const hit = jon.page.locator('#search-results .search-hit');
  assert.equal(await hit.locator('mark').allTextContents().then((t) => t.join('|')), 'zebra');
  assert.match(await hit.locator('.hit-snippet').textContent(), /<img src=x onerror=alert\(1\)>/,
    'HTML in a message is shown as text');
  assert.equal(await hit.locator('img, b').count(), 0);
  assert.match(await hit.locator('.hit-meta').textContent(), /^ida in Trip · /);
  const axe = await new AxeBuilder({ page: jon.page }).analyze();
  assert.deepEqual(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), []);

  // Scope: the open conversation (the DM with kim) has no zebra.
  await search(jon, 'zebra', 'open');
  await textIs(jon.page, '#search-status', 'No messages found in kim');
  // Paging: 80 notes, 20 a page.
  await search(jon, 'note');
  assert.equal(await jon.page.locator('#search-results li').count(), 20);
  await jon.page.click('#search-more');
  await until('a second page of hits', async () => (await jon.page.locator('#search-results li').count()) === 40);

  await search(jon, 'zebra');
  await hit.click();
  await jon.page.locator('#conv-title', { hasText: 'Trip' }).waitFor();
  const marked = jon.page.locator('#message-list .msg.highlight');
  await marked.waitFor();
  assert.match(await marked.locator('.body').textContent(), /zebra/);
  assert.equal(await marked.getAttribute('aria-current'), 'true');
  assert.ok(await marked.evaluate((m) => {
    const box = document.getElementById('messages').getBoundingClientRect();
    const r = m.getBoundingClientRect();
    return r.top >= box.top && r.bottom <= box.bottom;
  }), 'the hit is scrolled into view');
  let shown = await bodies(jon);
  assert.ok(shown.includes('trip note 39') && shown.includes('trip note 41'), 'messages on both sides of the hit');
  assert.ok(!shown.includes('trip note 79') && !shown.includes('trip note 0'), 'a window, not the whole history');
  assert.equal(await jon.page.locator('#jump-latest').isVisible(), true);

  // A message sent meanwhile is not put after the window (there is a gap): the list shows it, the window waits.
  await idaApi.send(group.id, 'live during the window');
  await jon.page.locator('#conversation-list .conv[data-name="Trip"] .preview', { hasText: 'live during the window' })
    .waitFor();
  assert.equal(await bubble(jon, 'live during the window').count(), 0);
  // Scrolling down pages newer messages up to the newest, then the one held back; then live messages join the end.
  await until('the newest messages after scrolling down', async () => {
    await jon.page.locator('#messages').evaluate((b) => { b.scrollTop = b.scrollHeight; });
    return (await bodies(jon)).includes('live during the window');
  }, 15000, () => bodies(jon));
  await until('the jump control to go once at the end', async () => !(await jon.page.locator('#jump-latest').isVisible()));
  await idaApi.send(group.id, 'live after the window');
  await bubble(jon, 'live after the window').waitFor();
  assert.deepEqual((await bodies(jon)).slice(-3), ['trip note 79', 'live during the window', 'live after the window']);
  // Scrolling up pages older messages down to the first.
  await until('the first message after scrolling up', async () => {
    await jon.page.locator('#messages').evaluate((b) => { b.scrollTop = 0; });
    return (await bodies(jon)).includes('trip note 0');
  }, 15000, () => bodies(jon));
  shown = await bodies(jon);
  const notes = shown.filter((t) => t.startsWith('trip note')).map((t) => Number(t.slice(10)));
  assert.deepEqual(notes, [...Array(80).keys()].filter((i) => i !== hitAt), 'every message once, in order');

  // Opened again from the list: the newest messages, nothing marked.
  await openFromList(jon, 'kim');
  await openFromList(jon, 'Trip');
  await bubble(jon, 'live after the window').waitFor();
  assert.equal(await jon.page.locator('#message-list .msg.highlight').count(), 0);
  for (const u of [ida, jon]) {
    assertClean(u);
  }
  await Promise.all([ida.context.close(), jon.context.close(), kim.context.close()]);
});

test('on a phone: a hit opens the conversation screen; a member removed from the group no longer finds its '
  + 'messages', async () => {
  const lea = await newUser(browser, server.url, 'lea');
  const max = await newUser(browser, server.url, 'max', { ...PHONE, colorScheme: 'dark' });
  const leaApi = await login('lea');
  const maxId = (await leaApi.userByUsername('max')).userId;
  const group = await leaApi.createGroup('Secrets', [maxId]);
  await leaApi.send(group.id, 'the password is swordfish');
  const maxApi = await login('max');
  await indexed(maxApi, 'swordfish');

  await search(max, 'swordfish');
  await textIs(max.page, '#search-status', '1 message found in all conversations');
  assert.ok(await max.page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
  const axe = await new AxeBuilder({ page: max.page }).analyze();
  assert.deepEqual(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`), [], 'axe on the hits, phone, dark');
  await max.page.click('#search-results .search-hit');
  await max.page.locator('#conv-title', { hasText: 'Secrets' }).waitFor();
  assert.equal(await max.page.locator('#sidebar').isVisible(), false, 'the conversation screen alone on a phone');
  await max.page.locator('#message-list .msg.highlight').waitFor();
  await max.page.click('#back-btn');

  await leaApi.removeMember(group.id, maxId);
  await until('max to find nothing of Secrets', async () => (await maxApi.search('swordfish')).results.length === 0);
  await search(max, 'swordfish');
  await textIs(max.page, '#search-status', 'No messages found in all conversations');
  assert.equal(await max.page.locator('#search-results li').count(), 0);
  await max.page.click('#search-close');
  assert.equal(await max.page.locator('#search-panel').isHidden(), true);
  for (const u of [lea, max]) {
    assertClean(u);
    await u.context.close();
  }
});
