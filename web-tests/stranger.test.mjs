// End-to-end: "Talk to a stranger" (stranger.js) in Debian's chromium against the real server jar: waiting with the
// online count, the match, a message each way, Report, Next (the partner sees that the stranger left), End, and a second tab
// refused until it takes over.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, launchBrowser, screenshot } from './harness.mjs';
import { assertClean, newUser, textIs, until } from './pages.mjs';

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

const status = (user) => user.page.locator('#stranger-status').textContent();

test('two strangers meet, chat, one presses Next and the other sees them leave; a second tab must take over',
  async () => {
    const alice = await newUser(browser, server.url, 'alice');
    const bob = await newUser(browser, server.url, 'bob');

    await alice.page.click('#stranger-open');
    await until('alice waiting with the counts', async () => /Waiting for a stranger… 1 online, 1 waiting/
      .test(await status(alice)));
    assert.equal(await alice.page.locator('#stranger-send').isDisabled(), true);

    await bob.page.click('#stranger-open');
    await until('both matched', async () => /You are talking to stranger-/.test(await status(alice))
      && /You are talking to stranger-/.test(await status(bob)), 10000,
    async () => ({ alice: await status(alice), bob: await status(bob) }));
    assert.doesNotMatch(await status(alice), /bob/);
    assert.doesNotMatch(await status(bob), /alice/);

    await alice.page.fill('#stranger-input', 'hi stranger');
    await alice.page.click('#stranger-send');
    await bob.page.locator('#stranger-messages .stranger-line.theirs', { hasText: 'hi stranger' }).waitFor();
    await alice.page.locator('#stranger-messages .stranger-line.mine', { hasText: 'hi stranger' }).waitFor();
    // Each side sees the other only by pseudonym: bob's line for alice's message carries the name alice was told.
    const aliceIs = /They see you as (stranger-\w+)/.exec(await status(alice))[1];
    assert.equal(await bob.page.locator('#stranger-messages .stranger-line.theirs b').first().textContent(),
      `${aliceIs}: `);
    assert.doesNotMatch(await bob.page.locator('#stranger-view').textContent(), /alice/);
    await bob.page.fill('#stranger-input', '<img src=x onerror=alert(1)> hello');
    await bob.page.press('#stranger-input', 'Enter');
    await alice.page.locator('#stranger-messages .stranger-line.theirs', { hasText: 'hello' }).waitFor();
    assert.equal(await alice.page.locator('#stranger-messages img').count(), 0, 'text stays text');
    await screenshot(alice.page, 'stranger-chat');
    await alice.page.click('#stranger-report');
    await until('the report is confirmed', async () => /sent to the moderators/.test(await status(alice)));

    await bob.page.click('#stranger-next');
    await until('alice sees bob leave', async () => /The stranger left the chat/.test(await status(alice)));
    await until('bob waits again (the skip keeps the two apart)', async () => /Waiting for a stranger/
      .test(await status(bob)));
    assert.equal(await alice.page.locator('#stranger-send').isDisabled(), true);

    // Alice's second tab: refused while the first is matching, then takes over; the first tab is told.
    const tab2 = await alice.context.newPage();
    await tab2.goto(server.url);
    await tab2.locator('#app-view').waitFor();
    await tab2.click('#stranger-open');
    await textIs(tab2, '#stranger-status', 'You are already talking to a stranger in another tab. Use this tab instead');
    await tab2.click('#stranger-takeover');
    await until('the first tab lost it', async () => /another tab took over/.test(await status(alice)));
    // Bob skipped alice a moment ago: the cooldown keeps the two apart, so both wait.
    await until('the second tab waits beside bob', async () => /Waiting for a stranger… 2 online, 2 waiting/
      .test(await tab2.locator('#stranger-status').textContent()));

    await bob.page.click('#stranger-close');
    assertClean(alice);
    assertClean(bob);
  });
