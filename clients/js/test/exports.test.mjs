// The package as npm would ship it: package.json points at files that exist and are shipped, and the hand-written
// declarations (types/index.d.ts) name every export of the module and every public method of its classes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as parley from 'parley-client';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const dts = readFileSync(path.join(root, pkg.types), 'utf8');

test('package.json: an ES module for Node 20+, licensed, whose exports and types exist and are shipped', () => {
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  assert.equal(pkg.engines.node, '>=20');
  const targets = [pkg.types, pkg.exports['.'].types, pkg.exports['.'].default];
  for (const t of targets) {
    assert.ok(existsSync(path.join(root, t)), `${t} is missing`);
  }
  // "files" patterns here are paths with `*` for one name part.
  const shipped = (file) => pkg.files.some((pattern) =>
    new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(path.normalize(file)));
  for (const t of [...targets, 'src/parley-client.js', 'src/parley-api.js', 'src/protocol.js', 'README.md']) {
    assert.ok(shipped(t), `${t} is not in "files"`);
    assert.ok(existsSync(path.join(root, t)), `${t} is missing`);
  }
});

/** Names the declarations export as values: `export declare class|const|function NAME`. */
function declaredValues() {
  return new Set([...dts.matchAll(/^export declare (?:class|const|function) (\w+)/gm)].map((m) => m[1]));
}

/** The members declared in the body of `export declare class NAME ... { ... }` (top-level lines only). */
function declaredMembers(name) {
  const start = dts.search(new RegExp(`^export declare class ${name}\\b`, 'm'));
  assert.ok(start >= 0, `class ${name} is not declared`);
  const body = dts.slice(dts.indexOf('{', start) + 1, dts.indexOf('\n}', start));
  return new Set([...body.matchAll(/^ {2}(?:readonly )?(\w+)[<(?:]/gm)].map((m) => m[1]));
}

test('the declarations name every export of the module, and nothing it does not export', () => {
  assert.deepEqual([...declaredValues()].sort(), Object.keys(parley).sort());
});

test('the declarations name every public method of each class', () => {
  for (const [name, cls] of Object.entries(parley)) {
    if (typeof cls !== 'function' || !cls.prototype) {
      continue;
    }
    const declared = declaredMembers(name);
    const methods = Object.getOwnPropertyNames(cls.prototype).filter((m) => m !== 'constructor' && !m.startsWith('_'));
    for (const m of methods) {
      assert.ok(declared.has(m), `${name}.${m} is not declared in ${pkg.types}`);
    }
  }
});

test('the declared error codes are the ones protocol.js has', () => {
  const union = dts.match(/export type ServerErrorCode =([^;]+);/)[1];
  const declared = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(parley.ErrorCodes).sort());
});
