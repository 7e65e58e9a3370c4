// What the app says (webroot/format.js), as pure functions of data and a fixed "now".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AVATAR_COLOURS, avatarColour, canRetry, counterOf, dayKey, dayLabel, describeError, failureText, groupStatus, initials,
  lastSeenText, parseInline, pendingReason, plainText, previewOf, relativeTime, STATUS_TEXT, tabTitle, typingText,
} from '../../parley-server/src/main/resources/webroot/format.js';
import { MessageState } from '../../clients/js/src/parley-client.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const ago = (ms) => new Date(NOW - ms).toISOString();

test('lastSeenText: offline without a time, just now under a minute, minutes under an hour, then hours', () => {
  assert.equal(lastSeenText(null, NOW), 'offline');
  assert.equal(lastSeenText(ago(20_000), NOW), 'last seen just now');
  assert.equal(lastSeenText(ago(5 * 60_000), NOW), 'last seen 5 min ago');
  assert.equal(lastSeenText(ago(3 * 3600_000 + 7000), NOW), 'last seen 3 h ago');
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
  const files = { ...group, attachmentsOf: (id) => (id === 'm1' ? [{ name: 'a.png' }, { name: 'b.pdf' }] : []) };
  assert.equal(previewOf({ ...files, lastMessage: { messageId: 'm1', actorId: me, body: '' } }, me), 'You: 📎 a.png, b.pdf');
  assert.equal(previewOf({ ...files, lastMessage: { messageId: 'm2', actorId: 'u-b', body: '' } }, me), 'bob: 📎 a file');
});

test('typingText names one or several', () => {
  assert.equal(typingText([]), '');
  assert.equal(typingText(['bob']), 'bob is typing…');
  assert.equal(typingText(['bob', 'carol']), 'bob and carol are typing…');
});

test('failureText and describeError fall back to the server message and code', () => {
  assert.equal(failureText({ errorCode: 'timeout' }), 'no answer from the server');
  assert.equal(failureText({ errorCode: 'weird', errorMessage: 'the server says so' }), 'the server says so');
  assert.equal(describeError({ code: 'bad_credentials' }), 'Wrong username or password. Check both, or create an account.');
  assert.equal(describeError(new Error('boom')), 'Boom.');
});

test('relativeTime: just now, minutes, hours today, yesterday', () => {
  assert.equal(relativeTime(ago(59_000), NOW), 'just now');
  assert.equal(relativeTime(ago(5 * 60_000 + 1000), NOW), '5 min ago');
  assert.equal(relativeTime(ago(2 * 3600_000), NOW), '2 h ago');
  assert.equal(relativeTime(ago(24 * 3600_000), NOW), 'yesterday');
});

test('lastSeenText: a coarse (15-minute) lastSeen gives a range, never a false "10 min ago"; one seen live is exact', () => {
  // presence.last-seen=coarse rounds down: someone who left at 11:59:56 shows as 11:45.
  const rounded = '2026-03-10T11:45:00.000Z';
  assert.equal(lastSeenText(rounded, NOW), 'last seen 1–15 min ago');
  assert.equal(lastSeenText(rounded, Date.parse('2026-03-10T11:50:00Z')), 'last seen in the last 15 min');
  assert.equal(lastSeenText(rounded, NOW, NOW - 4000), 'last seen just now', 'seen going offline 4 s ago');
  assert.equal(lastSeenText('2026-03-10T11:52:13.000Z', NOW), 'last seen 7 min ago', 'an exact lastSeen');
});

test('dayLabel: Today, Yesterday, a weekday within the week, else the date', () => {
  const now = new Date(2026, 2, 10, 12).getTime(); // local time: separators follow the user's calendar day
  assert.equal(dayLabel(new Date(2026, 2, 10, 0, 5).toISOString(), now), 'Today');
  assert.equal(dayLabel(new Date(2026, 2, 9, 23, 55).toISOString(), now), 'Yesterday');
  assert.match(dayLabel(new Date(2026, 2, 6, 9).toISOString(), now), /^[A-Z][a-z]+day$/);
  assert.match(dayLabel(new Date(2026, 0, 2, 9).toISOString(), now), /2/);
  assert.notEqual(dayKey(new Date(2026, 2, 9, 23, 59).toISOString()), dayKey(new Date(2026, 2, 10, 0, 1).toISOString()));
});

test('initials, avatar colours with white text at AA, the tab title, the composer counter', () => {
  assert.equal(initials('alice'), 'A');
  assert.equal(initials('mary.jane'), 'MJ');
  assert.equal(initials('Ünal Kaya'), 'ÜK');
  assert.equal(avatarColour('u1'), avatarColour('u1'));
  const lum = (hex) => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  for (const bg of AVATAR_COLOURS) {
    assert.ok(1.05 / (lum(bg) + 0.05) >= 4.5, `white on ${bg}`);
  }
  assert.equal(tabTitle(0), 'Parley');
  assert.equal(tabTitle(3), '(3) Parley');
  assert.equal(tabTitle(250), '(99+) Parley');
  assert.deepEqual(counterOf(10, 4000), { text: '', over: false });
  assert.deepEqual(counterOf(3900, 4000), { text: '100 left', over: false });
  assert.deepEqual(counterOf(4001, 4000), { text: '1 over the limit of 4000: shorten it to send', over: true });
});

test('describeError uses the server\'s message where it names the rule; canRetry follows protocol.js', () => {
  assert.equal(describeError({ code: 'invalid_field', message: "username must be 3 to 32 characters" }),
    'Username must be 3 to 32 characters.');
  assert.equal(describeError({ code: 'conflict', message: 'username taken' }, 'register'),
    'That username is taken. Pick another one.');
  assert.equal(describeError({ code: 'forbidden', message: 'the owner cannot leave' }), 'Not allowed: the owner cannot leave.');
  const codes = { body_too_long: { retryable: false }, unavailable: { retryable: true } };
  assert.equal(canRetry('body_too_long', codes), false);
  assert.equal(canRetry('unavailable', codes), true);
  assert.equal(canRetry('timeout', codes), true);
  assert.equal(pendingReason(false, false), 'waiting for the network');
  assert.equal(pendingReason(true, false), 'waiting for the server');
});

test('groupStatus: delivered / read once any eligible member has; later joiners and absent members hold nothing up', () => {
  const others = [
    { userId: 'a', joinedSeq: 0 }, { userId: 'absent', joinedSeq: 0 }, { userId: 'late', joinedSeq: 9 },
  ];
  const r = new Map();
  assert.deepEqual(groupStatus(5, others, r), { status: 'sent', read: 0, delivered: 0, of: 2 });
  r.set('a', { deliveredSeq: 5, readSeq: 0 });
  assert.deepEqual(groupStatus(5, others, r), { status: 'delivered', read: 0, delivered: 1, of: 2 });
  r.set('late', { deliveredSeq: 12, readSeq: 12 }); // joined after the message: not counted
  r.set('a', { deliveredSeq: 5, readSeq: 5 });
  assert.deepEqual(groupStatus(5, others, r), { status: 'read', read: 1, delivered: 1, of: 2 });
});

test('parseInline: bold, italic, code and http(s) links as tokens; HTML, javascript: and mid-word markers stay text', () => {
  assert.deepEqual(parseInline('**b** *i* _j_ `c*d*`'), [
    { type: 'bold', children: [{ type: 'text', text: 'b' }] }, { type: 'text', text: ' ' },
    { type: 'italic', children: [{ type: 'text', text: 'i' }] }, { type: 'text', text: ' ' },
    { type: 'italic', children: [{ type: 'text', text: 'j' }] }, { type: 'text', text: ' ' },
    { type: 'code', text: 'c*d*' },
  ]);
  assert.deepEqual(parseInline('see https://example.com/a?b=1.'), [
    { type: 'text', text: 'see ' }, { type: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { type: 'text', text: '.' },
  ]);
  for (const inert of ['<b>x</b>', 'javascript:alert(1)', '[x](javascript:alert(1))', 'snake_case_name', '2*3*4',
    'data:text/html,<script>alert(1)</script>']) {
    const tokens = parseInline(inert);
    assert.equal(plainText(tokens), inert);
    assert.ok(tokens.every((t) => t.type === 'text'), inert);
  }
});

test('STATUS_TEXT: every state an own message can be in has its words (held: waiting for review)', () => {
  for (const state of Object.values(MessageState)) {
    assert.equal(typeof STATUS_TEXT[state], 'string', `no status text for ${state}`);
  }
  assert.equal(STATUS_TEXT.held, 'waiting for review');
  assert.equal(STATUS_TEXT.rejected, 'rejected by a moderator');
});
