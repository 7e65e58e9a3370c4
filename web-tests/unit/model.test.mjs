// A conversation's state (webroot/model.js): REST pages and log events meeting, unread counts, statuses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../parley-server/src/main/resources/webroot/model.js';

const ME = 'u-me';
const PEER = 'u-peer';
const dm = (extra = {}) => new Conversation({
  id: 'c1', type: 'direct', members: [{ userId: ME, username: 'me' }, { userId: PEER, username: 'peer' }],
  lastSeq: 0, unreadCount: 0, readSeq: 0, createdAt: '2026-03-10T10:00:00Z', ...extra,
}, ME);
const msg = (seq, actorId, body, extra = {}) => ({
  kind: 'message', seq, messageId: `m${seq}`, actorId, body, createdAt: `2026-03-10T11:00:${String(seq).padStart(2, '0')}Z`,
  ...extra,
});

test('a message event from the peer counts as unread; own messages do not', () => {
  const c = dm();
  assert.equal(c.apply(msg(1, PEER, 'hi')), true);
  c.apply(msg(2, ME, 'hello'));
  assert.equal(c.unread, 1);
  assert.equal(c.lastMessage.body, 'hello');
  assert.equal(c.displayName(), 'peer');
});

test('edits, deletes and reactions change the held message; a deleted one clears the reply snippets', () => {
  const c = dm();
  c.apply(msg(1, PEER, 'first'));
  c.apply(msg(2, ME, 'answer', { replyTo: 'm1', replySnippet: 'first' }));
  c.apply({ kind: 'message_edited', seq: 3, messageId: 'm1', body: 'first!', createdAt: 'x' });
  assert.equal(c.messages.get('m1').body, 'first!');
  c.apply({ kind: 'reaction_added', seq: 4, messageId: 'm1', emoji: '👍', actorId: ME });
  assert.deepEqual([...c.messages.get('m1').reactions.get('👍')], [ME]);
  c.apply({ kind: 'reaction_removed', seq: 5, messageId: 'm1', emoji: '👍', actorId: ME });
  assert.equal(c.messages.get('m1').reactions.has('👍'), false);
  c.apply({ kind: 'message_deleted', seq: 6, messageId: 'm1' });
  assert.equal(c.messages.get('m1').deleted, true);
  assert.equal(c.messages.get('m2').replyTo.snippet, null);
  assert.equal(c.unread, 0, 'a deleted message is no longer unread');
});

test('an older REST page merges below the events; hasMoreBefore follows the page', () => {
  const c = dm();
  c.apply(msg(31, PEER, 'live'));
  c.mergePage({ messages: [{ messageId: 'm30', seq: 30, senderId: PEER, body: 'old', createdAt: 'x' }],
    hasMore: true, firstSeq: 30 }, false);
  assert.deepEqual(c.timeline().list.map((m) => m.seq), [30, 31]);
  assert.equal(c.hasMoreBefore, true);
  c.mergePage({ messages: [{ messageId: 'm29', seq: 29, senderId: PEER, body: 'older', createdAt: 'x' }],
    hasMore: false }, true);
  assert.equal(c.lowestSeq(), 29);
  assert.equal(c.hasMoreBefore, false);
});

test('statusOf: sent, then delivered, then read, from the receipt cursors', () => {
  const c = dm();
  const receipts = new Map();
  assert.equal(c.statusOf(5, receipts), 'sent');
  receipts.set(PEER, { deliveredSeq: 5, readSeq: 0 });
  assert.equal(c.statusOf(5, receipts), 'delivered');
  receipts.set(PEER, { deliveredSeq: 5, readSeq: 5 });
  assert.equal(c.statusOf(5, receipts), 'read');
});

test('conversation_renamed changes the title; a replayed older one and an older description do not undo it', () => {
  const c = new Conversation({ id: 'g1', type: 'group', title: 'Before', members: [{ userId: ME, role: 'owner' }],
    lastSeq: 5, unreadCount: 0, readSeq: 5, createdAt: '2026-03-10T10:00:00Z' }, ME);
  assert.equal(c.displayName(), 'Before');
  assert.equal(c.apply({ kind: 'conversation_renamed', seq: 4, title: 'Older', actorId: ME }), false,
    'the loaded description already includes seq 4');
  assert.equal(c.displayName(), 'Before');
  const v = c.version;
  assert.equal(c.apply({ kind: 'conversation_renamed', seq: 6, title: 'After', actorId: PEER }), true);
  assert.equal(c.displayName(), 'After');
  assert.ok(c.version > v, 'the list and header redraw');
  c.update({ id: 'g1', type: 'group', title: 'Before', members: [], lastSeq: 5 });
  assert.equal(c.displayName(), 'After', 'a description read before the rename keeps the new title');
  c.update({ id: 'g1', type: 'group', title: 'Latest', members: [], lastSeq: 9 });
  assert.equal(c.displayName(), 'Latest');
});

const rest = (seq, body) => ({ messageId: `m${seq}`, seq, senderId: PEER, body, createdAt: 'x' });

test('a window around a hit: live messages beyond it wait until paging newer reaches the end, then apply once, in '
  + 'order; changes of loaded messages apply at once', () => {
  const c = dm({ lastSeq: 100 });
  c.openAround({ messages: [rest(49, 'a'), rest(50, 'hit'), rest(51, 'b')], hasMore: true, hasMoreBefore: true,
    hasMoreAfter: true, firstSeq: 49, lastSeq: 51 });
  assert.deepEqual(c.timeline().list.map((m) => m.seq), [49, 50, 51]);
  assert.equal(c.apply(msg(101, PEER, 'live 1')), false);
  c.apply({ kind: 'reaction_added', seq: 102, messageId: 'm50', emoji: '👍', actorId: PEER });
  assert.deepEqual([...c.messages.get('m50').reactions.get('👍')], [PEER], 'a loaded message changes at once');
  assert.equal(c.messages.has('m101'), false, 'no message after a gap');
  assert.equal(c.lastMessage.body, 'live 1', 'the list preview follows');
  // The last page was read before 103 committed: 101 comes with the page, 103 from the events held back.
  c.apply(msg(103, PEER, 'live 2'));
  c.mergeNewer({ messages: [rest(52, 'c'), rest(101, 'live 1')], hasMore: false, firstSeq: 52, lastSeq: 101 });
  assert.equal(c.hasMoreAfter, false);
  assert.deepEqual(c.timeline().list.map((m) => m.seq), [49, 50, 51, 52, 101, 103]);
  c.apply(msg(104, PEER, 'live 3'));
  assert.equal(c.messages.has('m104'), true, 'attached again: live messages join the end');
});

test('unload forgets the window; a page asked for before it belongs to another epoch', () => {
  const c = dm();
  c.openAround({ messages: [rest(5, 'x')], hasMoreBefore: false, hasMoreAfter: true, firstSeq: 5, lastSeq: 5 });
  const epoch = c.epoch;
  c.unload();
  assert.notEqual(c.epoch, epoch);
  assert.equal(c.loaded, false);
  assert.equal(c.hasMoreAfter, false);
  assert.equal(c.messages.size, 0);
});

test('attachment events: the latest state of each file wins, in any order; a deleted message\'s files are removed', () => {
  const c = dm();
  c.apply(msg(1, PEER, ''));
  const file = (status) => ({ id: 'att_1', status, name: 'a.png', contentType: 'image/png', size: 10 });
  const v = c.messages.get('m1').v;
  assert.equal(c.apply({ kind: 'attachment', seq: 2, messageId: 'm1', attachment: file('pending') }), true);
  assert.ok(c.messages.get('m1').v > v, 'the message is drawn again');
  c.apply({ kind: 'attachment', seq: 5, messageId: 'm1', attachment: file('ready') });
  c.applyAttachment({ kind: 'attachment', seq: 2, messageId: 'm1', attachment: file('pending') }); // a history page
  assert.deepEqual(c.attachmentsOf('m1').map((f) => f.status), ['ready']);
  c.apply({ kind: 'attachment', seq: 3, messageId: 'm9', attachment: { ...file('rejected'), id: 'att_9' } });
  assert.deepEqual(c.attachmentsOf('m9').map((f) => f.status), ['rejected'], 'kept for a message not loaded yet');
  c.apply({ kind: 'attachment', seq: 7, messageId: 'm1', deleted: true });
  assert.deepEqual(c.attachmentsOf('m1').map((f) => f.removed), [true]);
});
