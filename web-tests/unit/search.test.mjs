// The search hit's snippet as parts (webroot/search.js snippetParts): the server's highlight ranges become marked
// text, everything else plain text; nothing is parsed as HTML.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snippetParts } from '../../parley-server/src/main/resources/webroot/search.js';

test('highlights become marked parts, the text between them plain, in order', () => {
  assert.deepEqual(snippetParts('…we meet in 上海 at the Café', [[12, 14], [22, 26]]), [
    { text: '…we meet in ', match: false }, { text: '上海', match: true }, { text: ' at the ', match: false },
    { text: 'Café', match: true },
  ]);
  assert.deepEqual(snippetParts('<b>x</b>', []), [{ text: '<b>x</b>', match: false }]);
});

test('ranges past the end or overlapping are clipped, never duplicated', () => {
  assert.deepEqual(snippetParts('abcdef', [[0, 2], [1, 3], [5, 99]]), [
    { text: 'ab', match: true }, { text: 'c', match: true }, { text: 'de', match: false }, { text: 'f', match: true },
  ]);
});
