// A real clamd (Debian's clamav-daemon) for the attachment tests, as parley-server's ClamdProcess starts it: on a Unix
// socket in the test's directory, with a signature database of one line that matches the EICAR test string (the
// official database cannot be downloaded here). With CI=true a missing clamd fails the test; elsewhere it skips.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const CLAMD = '/usr/sbin/clamd';

/** The EICAR anti-virus test file: harmless, detected by every scanner that has a signature for it. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** Whether clamd can run here; throws under CI=true when it cannot (a test never skips silently there). */
export function clamdAvailable() {
  const ok = fs.existsSync(CLAMD);
  if (!ok && process.env.CI === 'true') {
    throw new Error(`clamd is not installed at ${CLAMD} (CI=true: .ci/run installs clamav-daemon)`);
  }
  return ok;
}

/** The socket clamd will listen on in `dir` (give it to the server before clamd runs: scans fail until then). */
export function clamdSocket(dir) {
  return path.join(dir, 'clamd.sock');
}

function ping(socket) {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    let answer = '';
    c.setTimeout(2000, () => c.destroy());
    c.on('connect', () => c.write('zPING\0'));
    c.on('data', (d) => {
      answer += d;
    });
    c.on('close', () => resolve(answer.startsWith('PONG')));
    c.on('error', () => resolve(false));
  });
}

export class ClamdProcess {
  /** Starts clamd in `dir` and waits until it answers PING (at most 60 s: it loads its database first). */
  static async start(dir) {
    const db = path.join(dir, 'clamdb');
    fs.mkdirSync(db, { recursive: true });
    const hex = Buffer.from(EICAR, 'ascii').toString('hex');
    fs.writeFileSync(path.join(db, 'parley-test.ndb'), `Parley.Test.EICAR:0:*:${hex}\n`);
    const conf = path.join(dir, 'clamd.conf');
    fs.writeFileSync(conf, [
      'Foreground yes', `LocalSocket ${clamdSocket(dir)}`, `DatabaseDirectory ${db}`,
      `LogFile ${path.join(dir, 'clamd.log')}`, 'StreamMaxLength 20M', 'MaxFileSize 20M', 'MaxScanSize 20M',
      'SelfCheck 0', '',
    ].join('\n'));
    const out = fs.openSync(path.join(dir, 'clamd.out'), 'w');
    const child = spawn(CLAMD, ['-c', conf], { stdio: ['ignore', out, out] });
    const c = new ClamdProcess(child, dir);
    const deadline = Date.now() + 60000;
    while (!(await ping(clamdSocket(dir)))) {
      if (child.exitCode != null || Date.now() > deadline) {
        c.stop();
        throw new Error(`clamd did not answer PING: ${fs.readFileSync(path.join(dir, 'clamd.out'), 'utf8')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return c;
  }

  constructor(child, dir) {
    this.child = child;
    this.dir = dir;
  }

  /** Stops this clamd by its pid and waits for it to exit. */
  async stop() {
    if (this.child.exitCode != null || this.child.signalCode != null) {
      return;
    }
    const exited = new Promise((r) => this.child.once('exit', r));
    process.kill(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(this.child.pid, 'SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
}
