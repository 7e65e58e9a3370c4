// The web app as people use it beside Slack or Element (issue 20): a phone at 390 px, dark mode, accessibility checked
// by axe-core, honest connection states, errors that say what to do, and the conversation features. The real jar,
// Debian's chromium, separate browser contexts per person.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { CuttableProxy, ServerProcess, launchBrowser, screenshot } from './harness.mjs';
import { PASSWORD, assertClean, bubble, newUser, openDm, openFromList, send, statusOf, textIs, until } from './pages.mjs';

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

const PHONE = { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true };

/** axe-core on the page as it is: no serious or critical violation (colour contrast is serious). */
async function assertAxe(page, where) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`), [],
    `axe on ${where}`);
  return result;
}

/** Boxes of the visible, enabled controls inside `selector` smaller than 44 x 44 CSS px. */
async function smallTargets(page, selector) {
  return page.locator(selector).evaluate((root) => [...root.querySelectorAll('button, summary, input, textarea, a.conv-open')]
    .filter((e) => e.offsetParent !== null && getComputedStyle(e).opacity !== '0')
    .map((e) => ({ e: e.id || e.className || e.tagName, r: e.getBoundingClientRect() }))
    .filter((x) => x.r.width < 44 || x.r.height < 44)
    .map((x) => `${x.e} ${Math.round(x.r.width)}x${Math.round(x.r.height)}`));
}

test('login: Enter submits the visible form, the server says which rule a username broke, axe finds nothing serious',
  async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('#login-view').waitFor();
    await assertAxe(page, 'the login screen');
    await page.click('#switch-mode');
    await textIs(page, '#login-heading', 'Create a Parley account');
    await page.fill('#username', 'no spaces allowed');
    await page.fill('#password', PASSWORD);
    await page.press('#password', 'Enter');
    await textIs(page, '#login-error', "Username must be 3 to 32 characters: letters, digits, '_', '.', '-'.");
    // Enter on the register form registers (a new name cannot log in: it would say wrong password).
    await page.fill('#username', 'enter_registers');
    await page.press('#password', 'Enter');
    await page.locator('#app-view').waitFor();
    await textIs(page, '#me', 'enter_registers');
    await page.click('#logout');
    await page.locator('#login-view').waitFor();
    await page.fill('#username', 'enter_registers');
    await page.fill('#password', 'not the password');
    await page.press('#password', 'Enter');
    await textIs(page, '#login-error', 'Wrong username or password. Check both, or create an account.');
    await context.close();
  });

test('a phone at 390 px: two screens with a back control, 44 px targets, nothing wider than the screen, a composer '
  + 'that grows, dark mode from the system and a remembered switch, axe in both themes', async () => {
  const ann = await newUser(browser, server.url, 'ann', PHONE);
  const ben = await newUser(browser, server.url, 'ben', { ...PHONE, colorScheme: 'dark' });
  const page = ann.page;
  assert.equal(await page.locator('#sidebar').isVisible(), true);
  assert.equal(await page.locator('#conversation-view').isVisible(), false, 'the list alone on a phone');
  await openDm(ann, 'ben');
  assert.equal(await page.locator('#sidebar').isVisible(), false, 'the conversation alone on a phone');
  assert.equal(await page.locator('#back-btn').isVisible(), true);
  await send(ann, 'a sentence long enough to wrap over a few lines on a phone, which must read as words');
  await statusOf(ann, 'a sentence long enough to wrap over a few lines on a phone, which must read as words', 'delivered');
  const box = await bubble(ann, 'a sentence long enough to wrap over a few lines on a phone, which must read as words').boundingBox();
  assert.ok(box.width > 250, `the bubble uses the screen (${box.width} px)`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
  const composer = await page.locator('#composer-input').boundingBox();
  assert.ok(composer.width > 200, `the composer is usable (${composer.width} px)`);
  assert.ok(composer.y + composer.height <= 800, 'the composer is on screen');
  assert.deepEqual(await smallTargets(page, '#conv-header'), []);
  assert.deepEqual(await smallTargets(page, '#composer'), []);

  // The composer grows with its text (Shift+Enter: a new line), up to a limit, and shrinks back once sent.
  const h0 = (await page.locator('#composer-input').boundingBox()).height;
  await page.click('#composer-input');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.type(`line ${i + 1}`);
    await page.keyboard.press('Shift+Enter');
  }
  const h1 = (await page.locator('#composer-input').boundingBox()).height;
  assert.ok(h1 > h0 + 40, `grew from ${h0} to ${h1}`);
  await page.keyboard.press('Enter');
  await until('the composer to shrink back', async () =>
    (await page.locator('#composer-input').boundingBox()).height <= h0 + 1);
  await screenshot(page, 'phone-conversation');
  await assertAxe(page, 'the conversation at 390 px, light');

  // Back (the control, and the browser's own back) returns to the list.
  await page.click('#back-btn');
  await page.locator('#sidebar').waitFor();
  assert.equal(await page.locator('#conversation-view').isVisible(), false);
  assert.deepEqual(await smallTargets(page, '#sidebar'), []);
  await screenshot(page, 'phone-list');
  await openFromList(ann, 'ben');
  await page.goBack();
  await page.locator('#sidebar').waitFor();

  // Ben's system is dark: the app is dark; his switch makes it light and the choice survives a reload.
  const bg = () => ben.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await bg(), 'rgb(15, 17, 21)');
  await assertAxe(ben.page, 'the list at 390 px, dark');
  await openFromList(ben, 'ann');
  await bubble(ben, 'a sentence long enough to wrap over a few lines on a phone, which must read as words').waitFor();
  await send(ben, 'dark mode here');
  await statusOf(ben, 'dark mode here', 'read');
  await assertAxe(ben.page, 'the conversation at 390 px, dark');
  await screenshot(ben.page, 'phone-dark');
  assert.equal(await ben.page.getAttribute('#theme-btn', 'aria-pressed'), 'true');
  await ben.page.click('#back-btn');
  await ben.page.click('#theme-btn');
  assert.equal(await bg(), 'rgb(244, 245, 247)');
  await ben.page.reload();
  await ben.page.locator('#app-view').waitFor();
  assert.equal(await bg(), 'rgb(244, 245, 247)', 'the manual choice is remembered');
  assert.equal(await ben.page.getAttribute('#theme-btn', 'aria-pressed'), 'false');
  assertClean(ann);
  assertClean(ben);
  await ann.context.close();
  await ben.context.close();
});

test('keyboard and screen readers: every message\'s actions in the tab order, focus visible, a live region that '
  + 'does not steal focus, axe on the list and the conversation', async () => {
  const cat = await newUser(browser, server.url, 'cat');
  const dan = await newUser(browser, server.url, 'dan');
  await openDm(cat, 'dan');
  await send(cat, 'plain words, no link, no reaction');
  await openFromList(dan, 'cat');
  await bubble(dan, 'plain words, no link, no reaction').waitFor();
  await assertAxe(dan.page, 'the conversation (light)');

  // From the message itself, Tab walks its actions in order.
  await bubble(dan, 'plain words, no link, no reaction').focus();
  const order = [];
  for (let i = 0; i < 4; i++) {
    await dan.page.keyboard.press('Tab');
    order.push(await dan.page.evaluate(() => document.activeElement.className));
  }
  assert.deepEqual(order, ['reply-btn', 'react-btn', 'react-btn', 'more-react-btn']);
  const outline = await dan.page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  assert.equal(await bubble(dan, 'plain words, no link, no reaction').locator('.actions').evaluate((e) =>
    getComputedStyle(e).opacity), '1', 'the actions show while focus is inside the message');
  // Enter on the focused action works: the picker opens, arrows move, Enter reacts, focus comes back.
  await dan.page.keyboard.press('Enter');
  await dan.page.locator('#emoji-picker').waitFor();
  await dan.page.keyboard.press('ArrowRight');
  await dan.page.keyboard.press('ArrowRight');
  await dan.page.keyboard.press('Enter');
  await bubble(cat, 'plain words, no link, no reaction').locator('.reaction', { hasText: '😂 1' }).waitFor();
  await until('focus to come back to the control that opened the picker', async () =>
    (await dan.page.evaluate(() => document.activeElement.className)) === 'more-react-btn');

  // A new message is announced by the log region; focus stays in the composer.
  assert.equal(await dan.page.getAttribute('#message-list', 'role'), 'log');
  assert.equal(await dan.page.getAttribute('#message-list', 'aria-live'), 'polite');
  await dan.page.focus('#composer-input');
  await send(cat, 'arrives while dan types');
  await bubble(dan, 'arrives while dan types').waitFor();
  assert.equal(await dan.page.evaluate(() => document.activeElement.id), 'composer-input');
  await dan.page.click('#theme-btn');
  await assertAxe(dan.page, 'the conversation (dark, by the switch)');
  await cat.page.locator('#conversation-list .conv').first().waitFor();
  await assertAxe(cat.page, 'the list and conversation (light)');
  assertClean(cat);
  assertClean(dan);
  await cat.context.close();
  await dan.context.close();
});

test('offline: the browser\'s event shows it at once, a pending message says it waits for the network, and it goes '
  + 'out when the network is back; the banner covers nothing', async () => {
  const eve = await newUser(browser, server.url, 'eve');
  const fay = await newUser(browser, server.url, 'fay');
  await openDm(eve, 'fay');
  await send(eve, 'hello before');
  await openFromList(fay, 'eve');
  await statusOf(eve, 'hello before', 'read');
  const headerBefore = await eve.page.locator('#conv-header').boundingBox();
  const t0 = Date.now();
  await eve.context.setOffline(true);
  await eve.page.locator('#banner', { hasText: 'You are offline' }).waitFor({ timeout: 5000 });
  assert.ok(Date.now() - t0 < 5000);
  const banner = await eve.page.locator('#banner').boundingBox();
  const header = await eve.page.locator('#conv-header').boundingBox();
  assert.ok(banner.y + banner.height <= header.y + 0.5, 'the banner sits above the header, not over it');
  assert.ok(header.y > headerBefore.y, 'the header moved down to make room');
  await send(eve, 'typed while offline');
  const pending = eve.page.locator('#message-list .msg.outgoing[data-status="pending"]');
  await pending.locator('.status', { hasText: 'waiting for the network' }).waitFor();
  await screenshot(eve.page, 'offline');
  await eve.context.setOffline(false);
  await eve.page.locator('#banner').waitFor({ state: 'hidden', timeout: 15000 });
  await bubble(fay, 'typed while offline').waitFor();
  assertClean(eve);
  assertClean(fay);
  await eve.context.close();
  await fay.context.close();
});

test('a cut network the browser does not notice: the heartbeat shows it within 5 s, and the others see the user '
  + 'offline within ws.idle-timeout + ws.heartbeat-interval + presence.batch-window', async () => {
  // Short server windows so the bound is seconds: idle 3 s, heartbeat 1 s, batch 500 ms -> 4.5 s.
  const quick = await ServerProcess.start({ PARLEY_WS_IDLE_TIMEOUT: '3s', PARLEY_WS_HEARTBEAT_INTERVAL: '1s' });
  const proxy = await CuttableProxy.start(quick.port);
  try {
    const gil = await newUser(browser, proxy.url, 'gil');
    const hal = await newUser(browser, quick.url, 'hal');
    await openDm(gil, 'hal');
    await send(gil, 'hi hal');
    await openFromList(hal, 'gil');
    await hal.page.locator('#conv-status', { hasText: 'online' }).waitFor();
    await gil.page.locator('#conv-status', { hasText: 'online' }).waitFor();

    const t0 = Date.now();
    proxy.cut();
    await gil.page.locator('#banner', { hasText: 'Reconnecting' }).waitFor({ timeout: 5000 });
    const noticed = Date.now() - t0;
    await until('hal to see gil offline', async () => {
      const s = await hal.page.textContent('#conv-status');
      return s.startsWith('last seen') ? s : null;
    }, 4500 + 2000);
    const offlineAfter = Date.now() - t0;
    assert.ok(noticed < 5000, `noticed after ${noticed} ms`);
    assert.ok(offlineAfter < 6500, `offline for others after ${offlineAfter} ms (bound 4.5 s + polling)`);
    assert.equal(await hal.page.textContent('#conv-status'), 'last seen just now', 'seen live, so exact');
    await send(gil, 'while cut');
    await gil.page.locator('#message-list .msg.outgoing .status', { hasText: 'waiting for the server' }).waitFor();
    proxy.restore();
    await bubble(hal, 'while cut').waitFor({ timeout: 35000 });
    await hal.page.locator('#conv-status', { hasText: 'online' }).waitFor({ timeout: 15000 });
    assertClean(gil);
    assertClean(hal);
    await gil.context.close();
    await hal.context.close();
  } finally {
    await proxy.close();
    await quick.destroy();
  }
});

test('conversation features: Markdown basics kept safe, date separators, edit history, emoji in the composer, the '
  + 'unread total in the tab title, a draft that survives a reload', async () => {
  const ivy = await newUser(browser, server.url, 'ivy');
  const jon = await newUser(browser, server.url, 'jon');
  await openDm(ivy, 'jon');
  const md = '**bold** *italic* `a <b>code</b>` see https://example.org/x and [x](javascript:alert(1)) snake_case_name';
  await send(ivy, md);
  await openFromList(jon, 'ivy');
  const body = bubble(jon, 'bold italic a <b>code</b> see https://example.org/x and [x](javascript:alert(1)) snake_case_name')
    .locator('.body');
  await body.waitFor();
  assert.equal(await body.locator('strong').textContent(), 'bold');
  assert.equal(await body.locator('em').textContent(), 'italic');
  assert.equal(await body.locator('code').textContent(), 'a <b>code</b>');
  assert.deepEqual(await body.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ['https://example.org/x']);
  assert.equal(await jon.page.locator('#message-list b, #message-list script').count(), 0);
  await jon.page.locator('#message-list .day-sep', { hasText: 'Today' }).waitFor();
  assert.match(await jon.page.locator('#message-list .msg time').first().getAttribute('title'), /^(just now|1 min ago)$/);

  // An edited message has its history: the original and each edit.
  await send(ivy, 'frist try');
  await bubble(ivy, 'frist try').hover();
  await bubble(ivy, 'frist try').locator('.edit-btn').click();
  await ivy.page.fill('#composer-input', 'first try');
  await ivy.page.press('#composer-input', 'Enter');
  await bubble(jon, 'first try').locator('.edited').waitFor();
  await bubble(jon, 'first try').hover();
  await bubble(jon, 'first try').locator('.history-btn').click();
  await jon.page.locator('#info-dialog').waitFor();
  assert.deepEqual(await jon.page.locator('#info-body li .info-text').allTextContents(), ['frist try', 'first try']);
  await jon.page.keyboard.press('Escape');
  await jon.page.locator('#info-dialog').waitFor({ state: 'hidden' });

  // The emoji picker in the composer inserts at the caret.
  await jon.page.fill('#composer-input', 'thanks ');
  await jon.page.click('#emoji-btn');
  await jon.page.click('#emoji-picker button[data-emoji="🙏"]');
  assert.equal(await jon.page.inputValue('#composer-input'), 'thanks 🙏');
  await jon.page.press('#composer-input', 'Enter');
  await bubble(ivy, 'thanks 🙏').waitFor();

  // The tab title counts what is unread elsewhere.
  await jon.page.click('#logout'); // jon away
  await send(ivy, 'one');
  await send(ivy, 'two');
  const jon2 = await newUserLogin(browser, server.url, 'jon');
  await until('the title to count 2 unread', async () => (await jon2.page.title()) === '(2) Parley', 10000,
    () => jon2.page.title());
  await openFromList(jon2, 'ivy');
  await until('the title to clear', async () => (await jon2.page.title()) === 'Parley');

  // A draft survives a reload.
  await jon2.page.fill('#composer-input', 'half-written thought');
  await jon2.page.waitForTimeout(400); // the draft is saved 300 ms after the last keystroke
  await jon2.page.reload();
  await jon2.page.locator('#conv-title', { hasText: 'ivy' }).waitFor();
  assert.equal(await jon2.page.inputValue('#composer-input'), 'half-written thought');
  assertClean(ivy);
  assertClean(jon2);
  await ivy.context.close();
  await jon.context.close();
  await jon2.context.close();
});

test('groups: members managed by the server\'s role rules, "read by", and a read status that one absent member '
  + 'does not hold up', async () => {
  const kim = await newUser(browser, server.url, 'kim');
  const lee = await newUser(browser, server.url, 'lee');
  const moe = await newUser(browser, server.url, 'moe');
  await moe.context.close(); // moe never comes back: the group's statuses must not wait for moe
  await kim.page.click('#group-details summary');
  await kim.page.fill('#group-title', 'Crew');
  await kim.page.fill('#group-members', 'lee, moe');
  await kim.page.click('#group-form button[type="submit"]');
  await kim.page.locator('#conv-title', { hasText: 'Crew' }).waitFor();
  await send(kim, 'crew meeting at 3');
  await openFromList(lee, 'Crew');
  await statusOf(kim, 'crew meeting at 3', 'read');
  await bubble(kim, 'crew meeting at 3').locator('.status', { hasText: 'read by 1 of 2' }).waitFor();
  await bubble(kim, 'crew meeting at 3').hover();
  await bubble(kim, 'crew meeting at 3').locator('.receipts-btn').click();
  await kim.page.locator('#info-dialog').waitFor();
  const rows = await kim.page.locator('#info-body li').allTextContents();
  assert.deepEqual(rows, ['leeread', 'moenot delivered yet']);
  await kim.page.click('#info-close');

  // Roles: the owner makes lee an admin; lee (admin) cannot change roles, can remove plain members; the owner cannot
  // leave while others remain (the server's rule, its reason shown); lee leaves.
  await kim.page.click('#manage-btn');
  await kim.page.locator('#member-list .member[data-user="lee"] .role-btn', { hasText: 'Make admin' }).click();
  await kim.page.locator('#member-list .member[data-user="lee"] .member-role', { hasText: 'admin' }).waitFor();
  await lee.page.click('#manage-btn');
  await lee.page.locator('#member-list .member[data-user="lee"] .member-role', { hasText: 'admin' }).waitFor();
  assert.equal(await lee.page.locator('#member-list .role-btn').count(), 0);
  assert.equal(await lee.page.locator('#member-list .member[data-user="kim"] .remove-btn').count(), 0);
  await lee.page.locator('#member-list .member[data-user="moe"] .remove-btn').click();
  await until('mo to leave the member line', async () =>
    !(await kim.page.textContent('#conv-status')).includes('moe'));
  assert.equal(await kim.page.getAttribute('#leave-btn', 'aria-disabled'), 'true');
  await kim.page.click('#leave-btn', { force: true }); // still clickable: the server's refusal says why
  await kim.page.locator('#manage-error', { hasText: /^Not allowed: .+/ }).waitFor();
  await lee.page.click('#leave-btn');
  await lee.page.locator('#conversation-list .conv[data-name="Crew"]').waitFor({ state: 'detached' });
  await kim.page.locator('#conv-status', { hasText: /^kim$/ }).waitFor();
  await screenshot(kim.page, 'group-members');
  assertClean(kim);
  assertClean(lee);
  await kim.context.close();
  await lee.context.close();
});

test('profile and finding people: a display name set in the profile shows to others with its initials, and the '
  + 'DM box suggests people from the server\'s search', async () => {
  const pat = await newUser(browser, server.url, 'pat');
  const quinn = await newUser(browser, server.url, 'quinn');
  await pat.page.click('#profile-btn');
  await pat.page.fill('#display-name-input', 'Pat Smith');
  await pat.page.press('#display-name-input', 'Enter');
  await textIs(pat.page, '#toast', 'Others now see you as Pat Smith.');
  await textIs(pat.page, '#me', 'Pat Smith');
  assert.equal(await pat.page.textContent('#me-avatar .avatar'), 'PS');

  await quinn.page.fill('#dm-username', 'pa');
  const option = quinn.page.locator('#user-suggestions option[value="pat"]');
  await option.waitFor({ state: 'attached' });
  assert.equal(await option.getAttribute('label'), 'Pat Smith (pat)');
  await quinn.page.fill('#dm-username', 'pat');
  await quinn.page.press('#dm-username', 'Enter');
  await textIs(quinn.page, '#conv-title', 'Pat Smith');
  assert.equal(await quinn.page.locator('#conv-presence .avatar').evaluate((e) => e.firstChild.textContent), 'PS');
  await send(quinn, 'hi Pat');
  await pat.page.locator('#conversation-list .conv[data-name="quinn"]').waitFor();
  await pat.page.reload();
  await textIs(pat.page, '#me', 'Pat Smith');
  assertClean(pat);
  assertClean(quinn);
  await pat.context.close();
  await quinn.context.close();
});

test('group rename: an owner renames from the members panel, every member\'s list and header follow live, an admin '
  + 'may too, and a plain member sees no rename control and is refused by the server when forcing one', async () => {
  const ren = await newUser(browser, server.url, 'ren');
  const sam = await newUser(browser, server.url, 'sam');
  const tia = await newUser(browser, server.url, 'tia');
  await ren.page.click('#group-details summary');
  await ren.page.fill('#group-title', 'Before');
  await ren.page.fill('#group-members', 'sam, tia');
  await ren.page.click('#group-form button[type="submit"]');
  await ren.page.locator('#conv-title', { hasText: 'Before' }).waitFor();
  await send(ren, 'hello crew');
  await openFromList(sam, 'Before'); // sam has it open: the header must change
  await tia.page.locator('#conversation-list .conv[data-name="Before"]').waitFor(); // tia sees only the list

  await ren.page.click('#manage-btn');
  assert.equal(await ren.page.inputValue('#rename-input'), 'Before');
  await ren.page.fill('#rename-input', 'After');
  await ren.page.press('#rename-input', 'Enter');
  await textIs(ren.page, '#conv-title', 'After');
  await textIs(sam.page, '#conv-title', 'After');
  await tia.page.locator('#conversation-list .conv[data-name="After"]').waitFor();
  await sam.page.locator('#conversation-list .conv[data-name="After"]').waitFor({ state: 'attached' });
  assert.equal(await tia.page.locator('#conversation-list .conv[data-name="Before"]').count(), 0);
  assert.equal(await ren.page.textContent('#manage-error'), '');

  // A plain member: no rename control; forcing the form open, the server says no and the title stays.
  await sam.page.click('#manage-btn');
  await sam.page.locator('#member-list .member[data-user="sam"]').waitFor();
  assert.equal(await sam.page.locator('#rename-form').isVisible(), false, 'no rename control for a member');
  assert.equal(await sam.page.locator('#rename-btn').isVisible(), false);
  await sam.page.evaluate(() => { document.getElementById('rename-form').hidden = false; });
  await sam.page.fill('#rename-input', 'Hijacked');
  await sam.page.click('#rename-btn');
  await sam.page.locator('#manage-error', { hasText: /^Not allowed: .+/ }).waitFor();
  await textIs(sam.page, '#conv-title', 'After');
  await textIs(ren.page, '#conv-title', 'After');

  // An admin renames too; the owner sees it live, and a reload shows the server's title.
  await ren.page.locator('#member-list .member[data-user="tia"] .role-btn', { hasText: 'Make admin' }).click();
  await openFromList(tia, 'After');
  await tia.page.click('#manage-btn');
  await tia.page.locator('#rename-form').waitFor();
  await tia.page.fill('#rename-input', 'Final name');
  await tia.page.click('#rename-btn');
  await textIs(ren.page, '#conv-title', 'Final name');
  await textIs(sam.page, '#conv-title', 'Final name');
  assert.equal(await ren.page.inputValue('#rename-input'), 'Final name', 'the field follows the title');
  await sam.page.reload();
  await sam.page.locator('#conversation-list .conv[data-name="Final name"]').waitFor();
  assertClean(ren);
  assertClean(sam);
  assertClean(tia);
  await ren.context.close();
  await sam.context.close();
  await tia.context.close();
});

/**
 * Every control a finger can hit inside `selector`: buttons, links, inputs, text areas, selects, summaries and
 * anything focusable, as laid out (message actions count while transparent: a tap shows them), with its box.
 * Links inside a message's text are inline text (WCAG 2.5.8's inline exception), so they are left out here.
 */
async function targets(page, selector) {
  return page.locator(selector).evaluate((root) => [...root.querySelectorAll(
    'button, a[href], input, textarea, select, summary, [role="button"], [tabindex]:not([tabindex="-1"])')]
    .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
    .filter((e) => !e.closest('.msg .body'))
    .map((e) => {
      const r = e.getBoundingClientRect();
      const name = e.id ? `#${e.id}` : `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`;
      return { name, w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10 };
    }));
}

async function assertTouchTargets(page, selector, where, mustInclude) {
  const found = await targets(page, selector);
  const names = new Set(found.map((t) => t.name));
  for (const name of mustInclude) {
    assert.ok(names.has(name), `${where}: ${name} was measured (saw ${[...names].join(', ')})`);
  }
  assert.deepEqual(found.filter((t) => t.w < 44 || t.h < 44).map((t) => `${t.name} ${t.w}x${t.h}`), [],
    `${where}: controls smaller than 44x44 px at 390 px with touch`);
  return found.length;
}

test('touch targets: at 390 px with touch (pointer: coarse), every control of the login, list and conversation '
  + 'screens, message actions and reaction chips included, is at least 44x44 px', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('#login-view').waitFor();
  assert.equal(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), true, 'touch emulation applies');
  await assertTouchTargets(page, '#login-view', 'login', ['#username', '#password', '#login-btn', '#switch-mode']);
  await page.click('#switch-mode');
  await assertTouchTargets(page, '#login-view', 'register', ['#register-btn', '#switch-mode']);
  await context.close();

  const una = await newUser(browser, server.url, 'una', PHONE);
  const vic = await newUser(browser, server.url, 'vic');
  await una.page.click('#group-details summary');
  await una.page.click('#profile-btn');
  await assertTouchTargets(una.page, '#sidebar', 'the list', ['#profile-btn', '#theme-btn', '#logout',
    '#display-name-input', '#dm-username', '#group-title', '#group-members', 'summary.']);
  await una.page.fill('#group-title', 'Thumbs');
  await una.page.fill('#group-members', 'vic');
  await una.page.click('#group-form button[type="submit"]');
  await una.page.locator('#conv-title', { hasText: 'Thumbs' }).waitFor();
  await una.page.click('#back-btn'); // on a phone the new group opens as its own screen
  await una.page.locator('#sidebar').waitFor();
  await assertTouchTargets(una.page, '#sidebar', 'the list with a conversation', ['button.conv-open']);
  await una.page.locator('#conversation-list .conv[data-name="Thumbs"] .conv-open').click();
  await una.page.locator('#conv-title', { hasText: 'Thumbs' }).waitFor();

  // A conversation with everything a message can carry: own and others' messages, an edit (history), a reaction
  // chip, a reply in progress, the members panel of an owner, the emoji picker and a dialog.
  await send(una, 'frist');
  await bubble(una, 'frist').tap();
  await bubble(una, 'frist').locator('.edit-btn').tap();
  await una.page.fill('#composer-input', 'first');
  await una.page.press('#composer-input', 'Enter');
  await bubble(una, 'first').locator('.edited').waitFor();
  await openFromList(vic, 'Thumbs');
  await send(vic, 'see https://example.org/x');
  await bubble(vic, 'first').hover();
  await bubble(vic, 'first').locator('.react-btn[data-emoji="👍"]').click();
  await bubble(una, 'first').locator('.reaction[data-emoji="👍"]').waitFor();
  await bubble(una, 'see https://example.org/x').waitFor();
  await bubble(una, 'see https://example.org/x').tap();
  await bubble(una, 'see https://example.org/x').locator('.react-btn[data-emoji="❤️"]').tap();
  await bubble(una, 'see https://example.org/x').locator('.reaction.mine[data-emoji="❤️"]').waitFor();
  await bubble(una, 'see https://example.org/x').tap();
  await bubble(una, 'see https://example.org/x').locator('.reply-btn').tap();
  await una.page.locator('#reply-bar').waitFor();
  await una.page.click('#manage-btn');
  await una.page.locator('#member-list .member[data-user="vic"] .remove-btn').waitFor();
  const measured = await assertTouchTargets(una.page, '#conversation-view', 'the conversation', ['#back-btn',
    '#manage-btn', '#rename-input', '#rename-btn', '#add-member-input', '#leave-btn', 'button.secondary.role-btn',
    'button.danger.remove-btn', 'button.reaction.mine', 'button.reaction', 'button.reply-btn', 'button.react-btn',
    'button.more-react-btn', 'button.history-btn', 'button.receipts-btn', 'button.edit-btn', 'button.delete-btn',
    '#reply-cancel', '#emoji-btn', '#composer-input', '#send-btn']);
  assert.ok(measured >= 25, `measured ${measured} controls in the conversation`);
  assert.ok(await una.page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');

  await una.page.click('#emoji-btn');
  await una.page.locator('#emoji-picker').waitFor();
  await assertTouchTargets(una.page, '#emoji-picker', 'the emoji picker', ['button.emoji']);
  await una.page.keyboard.press('Escape');
  await bubble(una, 'first').tap();
  await bubble(una, 'first').locator('.history-btn').tap();
  await una.page.locator('#info-dialog').waitFor();
  await assertTouchTargets(una.page, '#info-dialog', 'a dialog', ['#info-close']);
  assertClean(una);
  assertClean(vic);
  await una.context.close();
  await vic.context.close();
});

/** Logs in an existing user in a new context. */
async function newUserLogin(b, baseUrl, username) {
  const context = await b.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  const user = { username, context, page, dialogs: [], errors: [], sent: [] };
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => user.errors.push(String(e)));
  page.on('dialog', (d) => { user.dialogs.push(d.message()); return d.dismiss(); });
  await page.goto(baseUrl);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.press('#password', 'Enter');
  await page.locator('#app-view').waitFor();
  return user;
}
