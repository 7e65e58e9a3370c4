// Short-lived access tokens in the web app (issue 15's sessions): the app refreshes a token that is due before it
// uses it, tabs of one browser share the session without replaying a refresh token (a replay revokes the session),
// and Log out ends the session on the server, so the user's other tab is logged out too. The real jar; the test
// makes the stored token due by moving its expiry into the past, as if the tabs had been asleep for 15 minutes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, launchBrowser } from './harness.mjs';
import { newUser, textIs, until } from './pages.mjs';

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

const stored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('parley.session')));
const me = (token) => fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });

test('two tabs wake up with an expired token: one refreshes, the other adopts it, both stay in; Log out ends both',
  async () => {
    const tina = await newUser(browser, server.url, 'tina');
    const first = await stored(tina.page);
    assert.ok(first.refreshToken, 'login keeps the refresh token');
    const second = await tina.context.newPage();
    // What each tab said on its console, for the report of a failure.
    const consoles = new Map([[tina.page, []], [second, []]]);
    for (const [page, lines] of consoles) {
      page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
    }
    await second.goto(server.url);
    await second.locator('#app-view').waitFor();

    let was = first;
    for (let round = 1; round <= 2; round++) {
      await tina.page.evaluate(() => {
        const s = JSON.parse(localStorage.getItem('parley.session'));
        localStorage.setItem('parley.session', JSON.stringify({ ...s, expiresAt: new Date(Date.now() - 1000).toISOString() }));
      });
      await Promise.all([tina.page.reload(), second.reload()]);
      const now = await until(`round ${round}: a new token is stored`, async () => {
        const s = await stored(second);
        return s && s.refreshToken !== was.refreshToken && Date.parse(s.expiresAt) > Date.now() ? s : null;
      }, 20000, async () => ({ stored: await stored(second), errors: tina.errors,
        views: [await tina.page.locator('#login-view').isVisible(), await second.locator('#login-view').isVisible()],
        loginError: await second.locator('#login-error').textContent() }));
      for (const [name, page] of [['first tab', tina.page], ['second tab', second]]) {
        await until(`round ${round}: the ${name} shows the app`, () => page.locator('#app-view').isVisible(), 10000,
          async () => ({ loginError: await page.locator('#login-error').textContent(), stored: await stored(page),
            errors: tina.errors, consoleOf: consoles.get(page) }));
        await textIs(page, '#me', 'tina');
      }
      assert.equal(now.sessionId, first.sessionId, 'the same device session throughout');
      // The session is alive: a replayed refresh token would have revoked it, and this token with it.
      assert.equal((await me(now.token)).status, 200, `round ${round}: GET /me with the refreshed token`);
      was = now;
    }

    await tina.page.click('#logout');
    await tina.page.locator('#login-view').waitFor();
    await second.locator('#login-view').waitFor();
    await textIs(second, '#login-error', 'Your session has expired. Please log in again.');
    await until('the session is revoked on the server', async () => (await me(was.token)).status === 401);
    assert.deepEqual(tina.errors, []);
    await tina.context.close();
  });

test('a tab that changes the profile after another tab refreshed keeps the new refresh token in storage', async () => {
  const uma = await newUser(browser, server.url, 'uma');
  const other = await uma.context.newPage();
  await other.goto(server.url);
  await other.locator('#app-view').waitFor();
  await textIs(other, '#me', 'uma');
  const before = await stored(uma.page);

  // Only the other tab wakes with a due token: it refreshes and stores the new pair. The first tab still holds the
  // old pair in memory (its access token is valid for 15 more minutes, its refresh token is used up).
  await other.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('parley.session'));
    localStorage.setItem('parley.session', JSON.stringify({ ...s, expiresAt: new Date(Date.now() - 1000).toISOString() }));
  });
  await other.reload();
  const refreshed = await until('the other tab stored a new pair', async () => {
    const s = await stored(other);
    return s && s.refreshToken !== before.refreshToken && Date.parse(s.expiresAt) > Date.now() ? s : null;
  });

  // The first tab sets a display name: the profile goes into what is stored, the tokens stay the newer ones.
  await uma.page.click('#profile-btn');
  await uma.page.fill('#display-name-input', 'Uma Q');
  await uma.page.press('#display-name-input', 'Enter');
  await textIs(uma.page, '#me', 'Uma Q');
  const after = await stored(uma.page);
  assert.equal(after.displayName, 'Uma Q');
  assert.equal(after.refreshToken, refreshed.refreshToken, 'the used refresh token was not put back');
  assert.equal(after.token, refreshed.token);
  assert.equal((await me(after.token)).status, 200);
  assert.deepEqual(uma.errors, []);
  await uma.context.close();
});
