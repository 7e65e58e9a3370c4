// The notification helpers of webroot/notify.js that need no browser: the VAPID key's decoding, the mute switch's
// next level, and the support check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationServerKey, nextLevel, pushSupported } from '../../parley-server/src/main/resources/webroot/notify.js';

test('applicationServerKey decodes unpadded base64url (the server\'s VAPID key) into its 65 bytes', () => {
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(Array.from({ length: 64 }, (_, i) => 250 - i))]);
  const key = applicationServerKey(point.toString('base64url'));
  assert.ok(key instanceof Uint8Array);
  assert.deepEqual(Buffer.from(key), point);
  assert.deepEqual([...applicationServerKey('-_8')], [0xfb, 0xff]); // the URL-safe alphabet, padding restored
});

test('the mute control mutes whatever level the conversation has, and a muted one goes back to the default', () => {
  assert.equal(nextLevel('all'), 'none');
  assert.equal(nextLevel('mentions'), 'none');
  assert.equal(nextLevel('none'), 'default');
});

test('push is supported only with service workers, the Push API and notifications', () => {
  assert.equal(pushSupported({ navigator: {} }), false);
  assert.equal(pushSupported({ navigator: { serviceWorker: {} }, PushManager() {}, Notification() {} }), true);
  assert.equal(pushSupported({ navigator: { serviceWorker: {} }, Notification() {} }), false);
});
