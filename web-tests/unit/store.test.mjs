// The store (webroot/store.js) under node's test runner: no browser, no server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, touches } from '../../parley-server/src/main/resources/webroot/store.js';

test('set tells listeners which keys changed, and nothing when no value changed', () => {
  const store = createStore({ a: 1, b: 2 });
  const heard = [];
  store.subscribe((state, changed) => heard.push([{ ...state }, [...changed].sort()]));
  store.set({ a: 1 });
  store.set({ a: 3, b: 2 });
  store.set({ b: 4 }, 'extra');
  assert.deepEqual(heard, [[{ a: 3, b: 2 }, ['a']], [{ a: 3, b: 4 }, ['b', 'extra']]]);
});

test('the state is frozen and replaced on set: a screen cannot change it behind the store', () => {
  const store = createStore({ a: 1 });
  const before = store.state;
  assert.throws(() => { 'use strict'; before.a = 2; }, TypeError);
  store.set({ a: 2 });
  assert.equal(before.a, 1);
  assert.equal(store.state.a, 2);
});

test('touch notifies topics without changing the state; no topics, no notification', () => {
  const store = createStore({ a: 1 });
  const heard = [];
  store.subscribe((s, changed) => heard.push([...changed]));
  store.touch();
  store.touch('convs', 'messages');
  assert.deepEqual(heard, [['convs', 'messages']]);
});

test('a change made by a listener reaches every listener after the current round, in order', () => {
  const store = createStore({ n: 0, echo: 0 });
  const log = [];
  store.subscribe((s, changed) => {
    log.push(`first ${[...changed]} n=${s.n} echo=${s.echo}`);
    if (changed.has('n')) {
      store.set({ echo: s.n });
    }
  });
  store.subscribe((s, changed) => log.push(`second ${[...changed]} n=${s.n} echo=${s.echo}`));
  store.set({ n: 5 });
  assert.deepEqual(log, [
    'first n n=5 echo=0', 'second n n=5 echo=5', // the second listener sees the newest state
    'first echo n=5 echo=5', 'second echo n=5 echo=5',
  ]);
});

test('unsubscribe stops notifications; touches tests a changed set', () => {
  const store = createStore({ a: 1 });
  let calls = 0;
  const off = store.subscribe(() => calls++);
  store.set({ a: 2 });
  off();
  store.set({ a: 3 });
  assert.equal(calls, 1);
  assert.equal(touches(new Set(['a', 'b']), 'x', 'b'), true);
  assert.equal(touches(new Set(['a']), 'x'), false);
});
