// End-to-end: the real server jar, Debian's chromium, two (or three) people in separate browser contexts.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, launchBrowser, screenshot } from './harness.mjs';
import {
  assertClean, bodies, bubble, comeBack, newUser, openDm, openFromList, send, statusOf, textIs, until,
} from './pages.mjs';

let server;
let browser;

before(async () => {
  server = await ServerProcess.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('alice and bob chat in a DM: live messages, typing, receipts, presence, inert XSS, 50 messages while away',
  async () => {
    const login = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    await login.goto(server.url);
    await login.locator('#login-view').waitFor();
    await screenshot(login, 'login');
    await login.close();

    const alice = await newUser(browser, server.url, 'alice');
    const bob = await newUser(browser, server.url, 'bob');

    await openDm(alice, 'bob');
    await send(alice, 'hi bob, see https://example.com/path?x=1.');
    await statusOf(alice, 'hi bob, see https://example.com/path?x=1.', 'delivered');

    // Bob: the new conversation shows up with an unread badge and the preview, then opens.
    const bobRow = bob.page.locator('#conversation-list .conv[data-name="alice"]');
    await bobRow.locator('.badge', { hasText: '1' }).waitFor();
    assert.match(await bobRow.locator('.preview').textContent(), /hi bob, see/);
    await openFromList(bob, 'alice');
    const link = bubble(bob, 'hi bob, see https://example.com/path?x=1.').locator('a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/path?x=1');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await bobRow.locator('.badge').count(), 0, 'opening the conversation clears the badge');

    // Bob opened it: Alice sees it read. And each sees the other online.
    await statusOf(alice, 'hi bob, see https://example.com/path?x=1.', 'read');
    await alice.page.locator('#conv-status', { hasText: 'online' }).waitFor();
    await bob.page.locator('#conv-status', { hasText: 'online' }).waitFor();
    await alice.page.locator('#conversation-list .conv[data-name="bob"] .presence-dot[data-presence="online"]').waitFor();

    // Typing: Bob types, Alice sees it; it goes away when Bob sends.
    await bob.page.fill('#composer-input', 'hey alice');
    await bob.page.type('#composer-input', '!');
    await alice.page.locator('#typing', { hasText: 'bob is typing…' }).waitFor();
    await bob.page.press('#composer-input', 'Enter');
    await bubble(alice, 'hey alice!').waitFor();
    await until('the typing indicator to clear', async () => (await alice.page.textContent('#typing')) === '');

    // Reactions, replies, edits, deletes, each seen on the other side.
    await bubble(bob, 'hi bob, see https://example.com/path?x=1.').hover();
    await bubble(bob, 'hi bob, see https://example.com/path?x=1.').locator('.react-btn[data-emoji="👍"]').click();
    await bubble(alice, 'hi bob, see https://example.com/path?x=1.').locator('.reaction', { hasText: '👍 1' }).waitFor();

    await bubble(alice, 'hey alice!').hover();
    await bubble(alice, 'hey alice!').locator('.reply-btn').click();
    await send(alice, 'replying to you');
    await bubble(bob, 'replying to you').locator('.reply-quote', { hasText: 'hey alice!' }).waitFor();

    await send(alice, 'typo hree');
    await statusOf(alice, 'typo hree', 'read');
    await bubble(alice, 'typo hree').hover();
    await bubble(alice, 'typo hree').locator('.edit-btn').click();
    await alice.page.fill('#composer-input', 'typo here');
    await alice.page.press('#composer-input', 'Enter');
    await bubble(bob, 'typo here').locator('.edited').waitFor();

    await send(alice, 'oops, wrong chat');
    const oops = bubble(alice, 'oops, wrong chat');
    await statusOf(alice, 'oops, wrong chat', 'read');
    await bubble(bob, 'oops, wrong chat').waitFor();
    await oops.hover();
    await oops.locator('.delete-btn').click();
    await oops.locator('.delete-btn').click(); // confirm
    await until('the deleted message to disappear on both sides', async () =>
      (await bubble(bob, 'oops, wrong chat').count()) === 0 && (await bubble(alice, 'oops, wrong chat').count()) === 0);
    assert.ok(await bob.page.locator('#message-list .deleted', { hasText: 'This message was deleted' }).count() >= 1);

    // XSS: shown as the characters typed, nothing runs, no element is created from it.
    const xss = '<img src=x onerror=alert(1)>';
    await send(alice, xss);
    await bubble(bob, xss).waitFor();
    const xssLink = 'javascript:alert(2) and <script>alert(3)</script> <b>bold</b>';
    await send(alice, xssLink);
    await bubble(bob, xssLink).waitFor();
    assert.equal(await bob.page.locator('#message-list img, #message-list script, #message-list b').count(), 0);
    assert.equal(await bob.page.locator('#message-list a[href^="javascript"]').count(), 0);
    assert.equal(await bubble(bob, xss).locator('.body').textContent(), xss);
    assertClean(alice);
    assertClean(bob);
    await screenshot(alice.page, 'conversation');

    // Bob goes away (his browser closes); Alice sees him offline, then sends 50 messages.
    const bobStorage = await bob.context.storageState();
    await bob.context.close();
    await until('alice to see bob offline', async () => {
      const s = await alice.page.textContent('#conv-status');
      return s !== 'online' && s.startsWith('last seen') ? s : null;
    });
    const fifty = Array.from({ length: 50 }, (_, i) => `while you were away ${i + 1}`);
    for (const text of fifty) {
      await send(alice, text);
    }
    await statusOf(alice, fifty[49], 'sent');
    await until('all 50 to be acked', async () =>
      (await alice.page.locator('#message-list .msg[data-status="pending"]').count()) === 0);

    // Bob comes back with his browser's storage: the client resumes from its cursors, shows the badge and says
    // he is caught up; the conversation has all 50, in order.
    const bob2 = await comeBack(browser, server.url, bob, bobStorage);
    await textIs(bob2.page, '#toast', "You're all caught up · 50 new messages");
    await bob2.page.locator('#conversation-list .conv[data-name="alice"] .badge', { hasText: '50' }).waitFor();
    await bob2.page.locator('#conversation-list .conv[data-name="alice"] .presence-dot[data-presence="online"]').waitFor();
    await screenshot(bob2.page, 'conversation-list');
    await openFromList(bob2, 'alice');
    await bubble(bob2, fifty[49]).waitFor();
    const shown = (await bodies(bob2)).filter((b) => b.startsWith('while you were away'));
    assert.deepEqual(shown, fifty);
    await statusOf(alice, fifty[49], 'read');
    await alice.page.locator('#conv-status', { hasText: 'online' }).waitFor();
    assertClean(alice);
    assertClean(bob2);
    await alice.context.close();
    await bob2.context.close();
  });

test('a server restart: reconnecting banner, a send during the outage waits in the outbox, then everyone is caught up',
  async () => {
    const dave = await newUser(browser, server.url, 'dave');
    const erin = await newUser(browser, server.url, 'erin');
    await openDm(dave, 'erin');
    await send(dave, 'before the outage');
    await openFromList(erin, 'dave');
    await statusOf(dave, 'before the outage', 'read');

    await server.stop();
    await dave.page.locator('#banner', { hasText: 'Reconnecting…' }).waitFor();
    await erin.page.locator('#banner', { hasText: 'Reconnecting…' }).waitFor();
    await send(dave, 'sent during the outage');
    await statusOf(dave, 'sent during the outage', 'pending');
    await screenshot(dave.page, 'reconnecting');

    await server.launch();
    await dave.page.locator('#banner').waitFor({ state: 'hidden', timeout: 20000 });
    await erin.page.locator('#banner').waitFor({ state: 'hidden', timeout: 20000 });
    await erin.page.locator('#toast', { hasText: "You're all caught up" }).waitFor();
    await bubble(erin, 'sent during the outage').waitFor();
    await statusOf(dave, 'sent during the outage', 'read');
    // Stored once: the outbox re-sent it with its clientMsgId, whoever reconnected first.
    assert.equal(await bubble(erin, 'sent during the outage').count(), 1);
    assert.equal(await bubble(dave, 'sent during the outage').count(), 1);
    assertClean(dave);
    assertClean(erin);
    await dave.context.close();
    await erin.context.close();
  });

test('groups, adding a member, a too-long message kept with its counter, and scrolling up through history', async () => {
  const frank = await newUser(browser, server.url, 'frank');
  const grace = await newUser(browser, server.url, 'grace');
  const heidi = await newUser(browser, server.url, 'heidi');

  await frank.page.click('#group-details summary');
  await frank.page.fill('#group-title', 'Team');
  await frank.page.fill('#group-members', 'grace');
  await frank.page.click('#group-form button[type="submit"]');
  await frank.page.locator('#conv-title', { hasText: 'Team' }).waitFor();
  await send(frank, 'welcome to the team');
  await grace.page.locator('#conversation-list .conv[data-name="Team"] .badge', { hasText: '1' }).waitFor();
  assert.equal(await heidi.page.locator('#conversation-list .conv[data-name="Team"]').count(), 0);

  await frank.page.click('#manage-btn');
  await frank.page.fill('#add-member-input', 'heidi');
  await frank.page.press('#add-member-input', 'Enter');
  await heidi.page.locator('#conversation-list .conv[data-name="Team"]').waitFor();
  await frank.page.locator('#conv-status', { hasText: 'heidi' }).waitFor();
  await openFromList(grace, 'Team');
  await send(grace, 'hi all');
  await bubble(frank, 'hi all').locator('.author', { hasText: 'grace' }).waitFor();

  // A message over the server's limit is not sent: the text stays, the counter says by how much, no retry is offered.
  const sends = () => frank.sent.filter((f) => f.type === 'send' && f.body.length === 4001);
  const tooLong = 'x'.repeat(4001);
  await send(frank, tooLong);
  await frank.page.locator('#composer-count.over', { hasText: '1 over the limit of 4000' }).waitFor();
  assert.equal(await frank.page.inputValue('#composer-input'), tooLong, 'the text is kept');
  assert.equal(sends().length, 0, 'nothing was sent');
  assert.equal(await frank.page.locator('.retry-btn').count(), 0);
  await frank.page.press('#composer-input', 'Backspace');
  await until('the counter to leave the over state', async () =>
    (await frank.page.locator('#composer-count.over').count()) === 0);
  await frank.page.fill('#composer-input', '');

  // 70 more messages (over REST, as another app would); heidi reloads and scrolls up through them page by page.
  const token = await frank.page.evaluate(() => JSON.parse(localStorage.getItem('parley.session')).token);
  const convId = await frank.page.evaluate(() => decodeURIComponent(location.hash.slice('#/c/'.length)));
  const history = Array.from({ length: 70 }, (_, i) => `history ${i + 1}`);
  for (const [i, body] of history.entries()) {
    let res;
    for (;;) {
      res = await fetch(`${server.url}/api/v1/conversations/${encodeURIComponent(convId)}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientMsgId: `seed-${i}`, body }),
      });
      if (res.status !== 429) {
        break;
      }
      // Over rate.send (30 at once, then 3 a second): the app waits the server's Retry-After (seconds) and sends the
      // same request again, as docs/api.md asks.
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000));
    }
    assert.equal(res.status, 201, await res.text());
  }
  await textIs(heidi.page, '#conversation-list .conv[data-name="Team"] .badge', '71'); // 70 + "hi all": "welcome" predates her
  await heidi.page.reload();
  await openFromList(heidi, 'Team');
  await bubble(heidi, 'history 70').waitFor();
  const firstPage = (await bodies(heidi)).filter((b) => b.startsWith('history '));
  assert.ok(firstPage.length < 70, `the first page is a page, not everything (${firstPage.length})`);
  await until('scrolling up to reach the beginning', async () => {
    await heidi.page.locator('#messages').evaluate((box) => { box.scrollTop = 0; });
    return (await heidi.page.textContent('#history-status')) === 'Beginning of the conversation';
  }, 15000, () => heidi.page.textContent('#history-status'));
  const all = (await bodies(heidi)).filter((b) => b.startsWith('history '));
  assert.deepEqual(all, history);
  assert.deepEqual((await bodies(heidi)).slice(0, 2), ['welcome to the team', 'hi all']);
  await screenshot(heidi.page, 'group');
  for (const u of [frank, grace, heidi]) {
    assertClean(u);
    await u.context.close();
  }
});
