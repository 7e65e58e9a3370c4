// Starts the real server jar and Debian's chromium for the browser tests, and stops exactly what it started.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync, openSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const JAR = path.resolve(here, '..', 'parley-server', 'target', 'parley.jar');

/** Chromium from the Debian package, unless CHROMIUM_PATH names another binary. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET over https trusting exactly `ca` (a PEM string): the status code. */
function httpsStatus(url, ca) {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      res.resume();
      resolve(res.status ?? res.statusCode);
    }).on('error', reject);
  });
}

/**
 * One server process on a free port with its own data dir; restart() keeps both (a deploy, an outage). With
 * `tls: { certFile, keyFile, ca }` it serves HTTPS and WSS (tls.cert-file, tls.key-file) and is checked for readiness
 * trusting only `ca`.
 */
export class ServerProcess {
  /** `env`: extra server settings (PARLEY_* variables) for this process only; `env.tls`: {certFile, keyFile} serves HTTPS. */
  static async start(env = {}) {
    if (!existsSync(JAR)) {
      throw new Error(`${JAR} is missing: run "mvn -B -q -DskipTests package" at the repository root first`);
    }
    const s = new ServerProcess();
    const { tls, ...settings } = env;
    s.extraEnv = settings;
    s.tls = tls ?? null;
    s.dir = await mkdtemp(path.join(os.tmpdir(), 'parley-web-'));
    s.port = await freePort();
    s.url = `${s.tls ? 'https' : 'http'}://127.0.0.1:${s.port}`;
    await s.launch();
    return s;
  }

  async launch() {
    const log = openSync(path.join(this.dir, 'server.log'), 'a');
    // cwd is the data dir, so a parley.properties lying around the checkout is not picked up.
    this.proc = spawn('java', ['-jar', JAR], {
      cwd: this.dir,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        PARLEY_HTTP_PORT: String(this.port),
        PARLEY_DATA_DIR: this.dir,
        PARLEY_AUTH_BCRYPT_COST: '4', // registrations in milliseconds; the hashing itself is tested in Java
        PARLEY_RATE_LOGIN_ADDRESS: '0', // every test user registers from 127.0.0.1; the limits are tested in Java
        PARLEY_PRESENCE_BATCH_WINDOW: '500ms', // presence shows up quickly enough to keep the run short
        PARLEY_RECEIPTS_WINDOW: '200ms',
        ...this.extraEnv,
        ...(this.tls ? { PARLEY_TLS_CERT_FILE: this.tls.certFile, PARLEY_TLS_KEY_FILE: this.tls.keyFile } : {}),
      },
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 30000;
    let gone = null;
    this.exited.then((x) => { gone = x; });
    while (Date.now() < deadline) {
      if (gone) {
        throw new Error(`server exited (${JSON.stringify(gone)}) before it was ready:\n${this.log()}`);
      }
      try {
        const status = this.tls
          ? await httpsStatus(`${this.url}/health/ready`, this.tls.ca)
          : (await fetch(`${this.url}/health/ready`)).status;
        if (status === 200) {
          return;
        }
      } catch (err) {
        if ((err.cause?.code ?? err.code) !== 'ECONNREFUSED') {
          throw err;
        }
      }
      await sleep(100);
    }
    throw new Error(`server not ready within 30 s:\n${this.log()}`);
  }

  log() {
    return readFileSync(path.join(this.dir, 'server.log'), 'utf8').slice(-4000);
  }

  /** SIGTERM (graceful: sessions get 1001), SIGKILL after 10 s. Only this process, by its pid. */
  async stop() {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) {
      return;
    }
    process.kill(this.proc.pid, 'SIGTERM');
    const done = await Promise.race([this.exited, sleep(10000).then(() => null)]);
    if (!done) {
      process.kill(this.proc.pid, 'SIGKILL');
      await this.exited;
    }
  }

  async restart() {
    await this.stop();
    await this.launch();
  }

  async destroy() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Chromium; `extraArgs` are added to its command line (e.g. --ignore-certificate-errors-spki-list=...). */
export async function launchBrowser(extraArgs = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  // playwright-core gives every launch a fresh temporary profile (user-data dir) and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/** Where screenshots go when PARLEY_SCREENSHOTS names a directory (npm run screenshots: docs/images). */
export async function screenshot(page, name) {
  const dir = process.env.PARLEY_SCREENSHOTS;
  if (!dir) {
    return;
  }
  const target = path.resolve(here, dir);
  await mkdir(target, { recursive: true });
  await page.screenshot({ path: path.join(target, `${name}.png`) });
}

/**
 * A TCP proxy to 127.0.0.1:`port` that can cut the network the way a dead Wi-Fi does: cut() keeps every connection
 * open and forwards nothing more in either direction (no FIN, no RST), so neither end learns anything until its own
 * timeouts fire; restore() forwards again and lets new connections through.
 */
export class CuttableProxy {
  static async start(targetPort) {
    const p = new CuttableProxy();
    p.cut_ = false;
    p.sockets = new Set();
    p.server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      p.sockets.add(client);
      p.sockets.add(upstream);
      client.on('data', (d) => { if (!p.cut_) upstream.write(d); });
      upstream.on('data', (d) => { if (!p.cut_) client.write(d); });
      const end = () => { client.destroy(); upstream.destroy(); p.sockets.delete(client); p.sockets.delete(upstream); };
      client.on('close', () => { if (!p.cut_) end(); });
      upstream.on('close', () => { if (!p.cut_) end(); });
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.port = p.server.address().port;
    p.url = `http://127.0.0.1:${p.port}`;
    return p;
  }

  cut() { this.cut_ = true; }

  restore() { this.cut_ = false; }

  async close() {
    this.sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => this.server.close(resolve));
  }
}
