// Attachments in the web app (issue 16): the composer's file picker, a pasted image and a dropped file go through the
// upload flow of docs/api.md; the peer sees the scan placeholder, then the image (thumbnail, full image) or a file
// chip whose download has the same bytes; an infected file shows as blocked; the server's refusal of an oversize
// file is shown and nothing is sent; a cancelled upload sends nothing. The real jar with a real clamd
// (attachments.scanner=clamd): clamd is down at first, so files stay pending (the quarantine, fail closed) until the
// test starts it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { ServerProcess, launchBrowser } from './harness.mjs';
import { ClamdProcess, EICAR, clamdAvailable, clamdSocket } from './clamd.mjs';
import { assertClean, comeBack, newUser, openDm, send, bubble, until, WAIT_MS } from './pages.mjs';

const MAX_BYTES = 1_000_000;
const haveClamd = clamdAvailable();

let server;
let browser;
let clamdDir;
let clamd;

before(async () => {
  clamdDir = await mkdtemp(path.join(os.tmpdir(), 'parley-clamd-'));
  server = await ServerProcess.start({
    PARLEY_ATTACHMENTS_MAX_BYTES: String(MAX_BYTES),
    PARLEY_ATTACHMENTS_SCANNER: 'clamd',
    PARLEY_ATTACHMENTS_CLAMD_ADDRESS: `unix:${clamdSocket(clamdDir)}`,
    PARLEY_ATTACHMENTS_SCAN_RETRY: '300ms',
  });
  browser = await launchBrowser();
});

after(async () => {
  await clamd?.stop();
  await browser?.close();
  await server?.destroy();
  await rm(clamdDir, { recursive: true, force: true });
});

/** axe-core on the page as it is: no serious or critical violation (colour contrast is serious). */
async function assertAxe(page, where) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`), [],
    `axe on ${where}`);
}

/** A real PNG drawn by the browser (so the server can decode it and make a thumbnail). */
async function png(page, w, h, colour) {
  const b64 = await page.evaluate(([w, h, colour]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    g.fillStyle = colour;
    g.fillRect(0, 0, w, h);
    g.fillStyle = '#fff';
    g.fillRect(w / 4, h / 4, w / 2, h / 2);
    return canvas.toDataURL('image/png').split(',')[1];
  }, [w, h, colour]);
  return Buffer.from(b64, 'base64');
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** The files shown in the open conversation: [{name, status}] in order ('pending' | 'ready' | 'rejected' | ...). */
function files(user) {
  return user.page.locator('#message-list [data-file-status]').evaluateAll((nodes) => nodes.map((n) => ({
    status: n.dataset.fileStatus,
    text: n.getAttribute('aria-label') || n.textContent,
  })));
}

// A scan by a clamd that has just started (CI installs and starts it) and the upload can take longer than a page
// wait: three of them (60 s in CI; seen failing at 15 s in a full CI run with bob seeing no file yet).
async function fileStatus(user, name, status, timeout = 3 * WAIT_MS) {
  await until(`${user.username} to see ${name} ${status}`, async () =>
    (await files(user)).some((f) => f.text.includes(name) && f.status === status), timeout, () => files(user));
}

/** The bytes behind an <img> of the page, fetched from its (signed) src. */
function imageBytes(page, selector) {
  return page.locator(selector).evaluate(async (img) => {
    await new Promise((r) => (img.complete && img.naturalWidth > 0 ? r() : img.addEventListener('load', r)));
    const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    return { b64: btoa(String.fromCharCode(...buf)), w: img.naturalWidth, h: img.naturalHeight, src: img.src };
  });
}

test('an image and a file from the picker: placeholders while scanned, then the thumbnail, the full image and a '
  + 'download with the same bytes; EICAR is blocked; a reload converges from the events', { skip: !haveClamd }, async () => {
  const ann = await newUser(browser, server.url, 'ann');
  const bob = await newUser(browser, server.url, 'bob', { colorScheme: 'dark' });
  await openDm(ann, 'bob');
  await openDm(bob, 'ann');
  const image = await png(ann.page, 640, 480, '#c03');
  await ann.page.setInputFiles('#attach-input', [
    { name: 'photo.png', mimeType: 'image/png', buffer: image },
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  // Sent while clamd is down (with clamd up, an infected file is rejected before a message can refer to it).
  await ann.page.setInputFiles('#attach-input', [{ name: 'eicar.txt', mimeType: 'text/plain', buffer: Buffer.from(EICAR) }]);
  // clamd is down: the files stay in quarantine, on both sides.
  await fileStatus(bob, 'eicar.txt', 'pending');
  await fileStatus(bob, 'photo.png', 'pending');
  await fileStatus(bob, 'report.pdf', 'pending');
  await fileStatus(ann, 'photo.png', 'pending');
  assert.equal(await ann.page.locator('#upload-tray').isHidden(), true, 'the tray empties once sent');
  await assertAxe(bob.page, 'placeholders, dark');

  clamd = await ClamdProcess.start(clamdDir);
  await fileStatus(bob, 'photo.png', 'ready');
  await fileStatus(bob, 'report.pdf', 'ready');
  const thumb = await imageBytes(bob.page, '#message-list .file-image img');
  assert.ok(thumb.w <= 320 && thumb.h <= 320 && thumb.w > 0, `a thumbnail of at most 320 px (${thumb.w}x${thumb.h})`);
  assert.match(thumb.src, /\/blobs\//, 'a signed URL of the blob store');
  await assertAxe(bob.page, 'a thumbnail and a file chip, dark');
  await bob.page.click('#message-list .file-image');
  await bob.page.locator('#image-viewer').waitFor();
  await assertAxe(bob.page, 'the image dialog, dark');
  assert.equal(await bob.page.evaluate(() => document.activeElement.id), 'viewer-close', 'focus moves into the dialog');
  const full = await imageBytes(bob.page, '#viewer-img');
  assert.equal(full.w, 640);
  assert.deepEqual(Buffer.from(full.b64, 'base64'), image, 'the full image has the bytes sent');
  await bob.page.keyboard.press('Escape');
  await bob.page.locator('#image-viewer').waitFor({ state: 'hidden' });

  const [download] = await Promise.all([
    bob.page.waitForEvent('download'),
    bob.page.click('#message-list .file-download[aria-label="Download report.pdf"]'),
  ]);
  assert.equal(download.suggestedFilename(), 'report.pdf');
  assert.deepEqual(await readFile(await download.path()), PDF);

  await fileStatus(bob, 'eicar.txt', 'rejected');
  assert.match((await files(bob)).find((f) => f.text.includes('eicar.txt')).text, /blocked: infected/);
  await fileStatus(ann, 'eicar.txt', 'rejected');

  // Another device of bob's (same storage, new page): the files come from history and its events.
  const state = await bob.context.storageState();
  const again = await comeBack(browser, server.url, bob, state);
  await again.page.locator('#conversation-list .conv[data-name="ann"] .conv-open').click();
  await fileStatus(again, 'photo.png', 'ready');
  await fileStatus(again, 'report.pdf', 'ready');
  await fileStatus(again, 'eicar.txt', 'rejected');
  for (const u of [ann, bob, again]) {
    assertClean(u);
    await u.context.close();
  }
});

test('an oversize file gets the server\'s reason and nothing is sent; a cancelled upload sends nothing; a pasted '
  + 'and a dropped image are sent', { skip: !haveClamd }, async () => {
  clamd ??= await ClamdProcess.start(clamdDir); // files become ready (this test may run alone)
  const cat = await newUser(browser, server.url, 'cat');
  const dan = await newUser(browser, server.url, 'dan');
  await openDm(cat, 'dan');
  await openDm(dan, 'cat');
  await send(cat, 'before the files');
  await bubble(dan, 'before the files').waitFor();

  await cat.page.setInputFiles('#attach-input', [
    { name: 'big.zip', mimeType: 'application/zip', buffer: Buffer.alloc(MAX_BYTES + 1, 1) },
  ]);
  const refusal = cat.page.locator('#upload-tray .upload.failed [role="alert"]');
  await refusal.waitFor();
  await assertAxe(cat.page, 'a refused upload in the tray');
  assert.equal(await refusal.textContent(),
    `big.zip: The file has ${MAX_BYTES + 1} bytes; the limit is ${MAX_BYTES}.`);
  await cat.page.click('#upload-tray .upload-dismiss');
  await cat.page.locator('#upload-tray').waitFor({ state: 'hidden' });

  // A slow upload (the browser's throughput throttled), cancelled while the progress bar moves.
  const cdp = await cat.context.newCDPSession(cat.page);
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 100_000 });
  await cat.page.setInputFiles('#attach-input', [
    { name: 'slow.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([PDF, Buffer.alloc(900_000, 32)]) },
  ]);
  const bar = cat.page.locator('#upload-tray progress[aria-label="Uploading slow.pdf"]');
  await until('the upload to make progress', async () => Number(await bar.getAttribute('value')) > 0);
  await cat.page.click('#upload-tray .upload-cancel[aria-label="Cancel upload of slow.pdf"]');
  await cat.page.locator('#upload-tray').waitFor({ state: 'hidden' });
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // Paste of an image into the composer, then a file dropped on the conversation.
  const pasted = await png(cat.page, 50, 40, '#06c');
  await cat.page.locator('#composer-input').evaluate((input, b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, pasted.toString('base64'));
  await fileStatus(dan, 'image.png', 'ready');
  assert.equal(await cat.page.inputValue('#composer-input'), '', 'the pasted file is not inserted as text');
  await cat.page.locator('#conversation-view').evaluate((view, b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'dropped.pdf', { type: 'application/pdf' }));
    view.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    view.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, PDF.toString('base64'));
  await fileStatus(dan, 'dropped.pdf', 'ready');
  const shown = (await files(dan)).map((f) => f.text);
  assert.equal(shown.length, 2, `only the pasted and the dropped file reached dan: ${JSON.stringify(shown)}`);
  assert.equal(await dan.page.locator('#message-list .msg').count(), 3, 'the text and two file messages, nothing else');
  for (const u of [cat, dan]) {
    assertClean(u);
    await u.context.close();
  }
});
