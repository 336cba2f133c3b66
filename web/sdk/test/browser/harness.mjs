// End-to-end harness: builds (when needed) and starts the real server on a free loopback port with a
// temporary SQLite file, launches Debian's Chromium headless through playwright-core (never a
// downloaded browser), and opens test pages on the server's origin (their files are served by the
// browser context's routing, so the SDK talks to the server same-origin).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../../..');
const serverProject = join(repoRoot, 'src/FrameLord.Sync.Server.Host');
const serverDll = join(serverProject, 'bin/Release/net10.0/FrameLord.Sync.Server.Host.dll');
const bundlePath = join(here, '../../.browser-build/bundle.js'); // apart from .test-build, which the unit run wipes

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/** Builds the server once (Release) unless its dll is already there. */
export function ensureServerBuilt() {
  if (existsSync(serverDll) && !process.env.FRAMELORD_REBUILD_SERVER) return serverDll;
  const r = spawnSync('dotnet', ['build', serverProject, '-c', 'Release', '-nologo', '-clp:ErrorsOnly'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the server failed');
  return serverDll;
}

/** Starts the real server on a free port with a temp SQLite file. */
export async function startServer() {
  const dll = ensureServerBuilt();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'framelord-web-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('dotnet', [
    dll, '--urls', url,
    `--Storage:ConnectionString=Data Source=${join(dir, 'sync.db')}`,
    '--Limits:RequestsPerMinute=1000000',
    '--Limits:AuthRequestsPerAddressPerMinute=100000',
    '--Logging:LogLevel:Default=Warning',
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`server did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dir,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bundles the SDK with yjs for the pages (once per process). */
let bundled = null;
export function bundle() {
  bundled ??= build({
    entryPoints: [join(here, 'entry.ts')],
    bundle: true, format: 'esm', target: 'es2022', outfile: bundlePath, logLevel: 'warning',
  });
  return bundled;
}

export async function launchBrowser() {
  await bundle();
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>framelord sync test</title>
<script type="module">import * as FL from './bundle.js'; window.FL = FL; window.flReady = true;</script>`;

/** A device: a browser context (its own IndexedDB, like another browser) on the server's origin. */
export async function newDevice(browser, serverUrl) {
  const context = await browser.newContext();
  await context.route(`${serverUrl}/__test/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.endsWith('/bundle.js')) return route.fulfill({ body: readFileSync(bundlePath), contentType: 'text/javascript' });
    return route.fulfill({ body: PAGE, contentType: 'text/html' });
  });
  return { context, newTab: () => newTab(context, serverUrl) };
}

export async function newTab(context, serverUrl) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${serverUrl}/__test/index.html`);
  await page.waitForFunction(() => window.flReady === true);
  return page;
}

/** A unique email per test run. */
export function email(tag) {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e9)}@example.com`;
}
