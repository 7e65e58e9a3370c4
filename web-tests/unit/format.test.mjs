// What the app says (webroot/format.js), as pure functions of data and a fixed "now".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeError, failureText, lastSeenText, previewOf, typingText,
} from '../../parley-server/src/main/resources/webroot/format.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const ago = (ms) => new Date(NOW - ms).toISOString();

test('lastSeenText: offline without a time, just now under a minute, minutes under an hour', () => {
  assert.equal(lastSeenText(null, NOW), 'offline');
  assert.equal(lastSeenText(ago(20_000), NOW), 'last seen just now');
  assert.equal(lastSeenText(ago(5 * 60_000), NOW), 'last seen 5 min ago');
  assert.match(lastSeenText(ago(3 * 3600_000), NOW), /^last seen at \d\d:\d\d/);
});

test('previewOf: who wrote it, deleted messages, long bodies cut at 80', () => {
  const me = 'u-me';
  const group = { type: 'group', nameOf: (u) => (u === 'u-b' ? 'bob' : u), lastMessage: null };
  assert.equal(previewOf(group, me), 'Group created');
  assert.equal(previewOf({ type: 'direct', lastMessage: null }, me), 'No messages yet');
  assert.equal(previewOf({ ...group, lastMessage: { actorId: 'u-b', body: 'hi' } }, me), 'bob: hi');
  assert.equal(previewOf({ ...group, lastMessage: { actorId: me, body: 'yo' } }, me), 'You: yo');
  assert.equal(previewOf({ type: 'direct', lastMessage: { actorId: 'u-b', deleted: true } }, me), 'message deleted');
  assert.equal(previewOf({ type: 'direct', lastMessage: { actorId: 'u-b', body: 'x'.repeat(100) } }, me),
    `${'x'.repeat(80)}…`);
});

test('typingText names one or several', () => {
  assert.equal(typingText([]), '');
  assert.equal(typingText(['bob']), 'bob is typing…');
  assert.equal(typingText(['bob', 'carol']), 'bob and carol are typing…');
});

test('failureText and describeError fall back to the server message and code', () => {
  assert.equal(failureText({ errorCode: 'timeout' }), 'no answer from the server');
  assert.equal(failureText({ errorCode: 'weird', errorMessage: 'the server says so' }), 'the server says so');
  assert.equal(describeError({ code: 'bad_credentials' }), 'Wrong username or password.');
  assert.equal(describeError(new Error('boom')), 'boom');
});
