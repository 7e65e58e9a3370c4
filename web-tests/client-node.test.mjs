// The JS client in Node, without a browser or a server: what docs/client-js.md promises about stopping.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = pathToFileURL(path.resolve(here, '..', 'clients', 'js', 'src', 'parley-client.js')).href;

/**
 * Runs a script in its own Node process and resolves with its exit code, or with 'still running' when it has not
 * exited by itself within the deadline (then it is killed: it is ours).
 */
function runAlone(script, deadlineMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'still running', out });
    }, deadlineMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

// A WebSocket whose server refuses the token: it opens, then closes with 4001 (docs/protocol.md, close codes).
const REFUSING_SOCKET = `
class RefusingSocket {
  constructor(url) {
    this.url = url;
    setTimeout(() => { this.onopen?.({}); setTimeout(() => this.onclose?.({ code: 4001, reason: 'bad token' }), 5); }, 5);
  }
  send() {}
  close() {}
}`;

test('after authfailed, close() stops every timer: the Node process exits by itself', async () => {
  const script = `
import { ParleyClient } from '${CLIENT}';
${REFUSING_SOCKET}
const client = new ParleyClient({ token: 'same-token', url: 'ws://127.0.0.1:1/ws', storage: null,
  WebSocket: RefusingSocket });
client.on('authfailed', () => { client.close(); console.log('authfailed, closed'); });
client.connect().catch(() => {});
`;
  const r = await runAlone(script, 10000);
  assert.match(r.out, /authfailed, closed/);
  assert.equal(r.code, 0, `the process did not exit after close(): ${r.out}`);
});

test('connect then close: the Node process exits by itself', async () => {
  const script = `
import { ParleyClient } from '${CLIENT}';
${REFUSING_SOCKET}
const client = new ParleyClient({ token: 't', url: 'ws://127.0.0.1:1/ws', storage: null, WebSocket: RefusingSocket });
client.connect().catch(() => {});
client.close();
console.log('closed');
`;
  const r = await runAlone(script, 10000);
  assert.match(r.out, /closed/);
  assert.equal(r.code, 0, r.out);
});
