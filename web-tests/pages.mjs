// What a user does in the Parley web app, as playwright steps. Every wait has a deadline and says what it waited for.

import assert from 'node:assert/strict';

export const PASSWORD = 'correct horse battery';

/** A browser context logged in as a new user. Collects dialogs and page errors so tests can assert there were none. */
export async function newUser(browser, baseUrl, username, contextOptions) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, ...contextOptions });
  const page = await context.newPage();
  const user = { username, context, page, dialogs: [], errors: [], sent: [] };
  watch(user);
  await page.goto(baseUrl);
  await page.locator('#login-view').waitFor();
  await page.click('#switch-mode'); // the register form
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('#register-btn');
  await page.locator('#app-view').waitFor();
  return user;
}

/** The same user in a new context, carrying the old one's storage (session, cursors): a browser coming back. */
export async function comeBack(browser, baseUrl, user, storageState) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, storageState });
  const page = await context.newPage();
  const back = { username: user.username, context, page, dialogs: [], errors: [], sent: [] };
  watch(back);
  await page.goto(baseUrl);
  await page.locator('#app-view').waitFor();
  return back;
}

function watch(user) {
  user.page.setDefaultTimeout(WAIT_MS);
  user.page.on('dialog', (d) => {
    user.dialogs.push(`${d.type()}: ${d.message()}`);
    return d.dismiss();
  });
  user.page.on('pageerror', (e) => user.errors.push(String(e)));
  // Every frame the page sends on its WebSockets, parsed (tests look at what the client really sent).
  user.page.on('websocket', (ws) => ws.on('framesent', (f) => user.sent.push(JSON.parse(String(f.payload)))));
}

export async function openDm(user, peer) {
  await user.page.fill('#dm-username', peer);
  await user.page.press('#dm-username', 'Enter');
  await user.page.locator('#conv-title', { hasText: peer }).waitFor();
}

export async function openFromList(user, name) {
  await user.page.locator(`#conversation-list .conv[data-name="${name}"] .conv-open`).click();
  await user.page.locator('#conv-title', { hasText: name }).waitFor();
}

export async function send(user, text) {
  await user.page.fill('#composer-input', text);
  await user.page.press('#composer-input', 'Enter');
}

/** The message bubble whose body is exactly `text`. */
export function bubble(user, text) {
  return user.page.locator('#message-list .msg').filter({
    has: user.page.locator('.body', { hasText: new RegExp(`^${escape(text)}$`) }),
  });
}

export function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Waits until the bubble with this text has the given data-status (pending, sent, delivered, read, failed). */
export async function statusOf(user, text, status, timeout = WAIT_MS) {
  await bubble(user, text).and(user.page.locator(`[data-status="${status}"]`)).waitFor({ timeout });
}

/**
 * How long a wait lasts unless a test says otherwise: 10 s, and 20 s in CI, where the whole suite runs on 2 cores
 * beside a build and single steps (a bcrypt login, a page's first sync) were seen to take longer than 10 s.
 */
export const WAIT_MS = process.env.CI ? 20000 : 10000;

/**
 * Polls `check` (async, returns a truthy value when done) until the deadline; fails naming `what` and, when given,
 * what `observe` sees at that moment.
 */
export async function until(what, check, timeout = WAIT_MS, observe = null) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seen = observe ? await observe() : last;
  assert.fail(`timed out after ${timeout} ms waiting for ${what} (saw: ${JSON.stringify(seen)})`);
}

/** Bodies of the messages shown, top to bottom. */
export function bodies(user) {
  return user.page.locator('#message-list .msg .body').allTextContents();
}

/** Waits for an element's text to be exactly `expected`. */
export async function textIs(page, selector, expected, timeout = WAIT_MS) {
  const read = () => page.textContent(selector);
  await until(`${selector} to read ${JSON.stringify(expected)}`, async () => (await read()) === expected, timeout, read);
}

export function assertClean(user) {
  assert.deepEqual(user.dialogs, [], `${user.username} saw dialogs`);
  assert.deepEqual(user.errors, [], `${user.username} had page errors`);
}
