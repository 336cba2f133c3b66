// End-to-end harness: builds (when needed) and starts the real server on a free loopback port with a
// temporary SQLite file, launches Debian's Chromium headless through playwright-core (never a
// downloaded browser), and opens test pages on one loopback origin: a small proxy in front of the
// server serves the test page and its bundle under /__test/ and forwards everything else (HTTP, the
// event stream and WebSocket upgrades) to the server. A page fulfilled by the browser's request routing
// has no address of its own, and Chromium then refuses its sockets to loopback; a real loopback origin
// does not. The proxy also records the requests it forwards and can take the socket endpoint down.
// `startServer({ direct: true })` (the benchmark) has the server serve the test page itself instead
// (`WebApp:Root`), so nothing stands between a page and the API, as with the web app in production.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
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

/**
 * Starts the real server on a free port with a temp SQLite file. With `direct`, the pages load from
 * the server itself, as the web app does in production (no proxy between a page and the API): the
 * test page and its bundle go in a folder of the temporary one that the server serves instead of
 * its app (`WebApp:Root`), and `url` is the server's own; the proxy's request list and
 * socket switch are then not there. The benchmark uses it.
 */
export async function startServer({ direct = false } = {}) {
  const dll = ensureServerBuilt();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'framelord-web-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  if (direct) {
    await bundle();
    const pages = join(dir, 'webroot/__test');
    mkdirSync(pages, { recursive: true });
    // the server's content security policy allows scripts from its origin only: the page loads a file
    writeFileSync(join(dir, 'webroot/index.html'), '<!doctype html><title>framelord sync test</title>');
    writeFileSync(join(pages, 'index.html'), DIRECT_PAGE);
    writeFileSync(join(pages, 'boot.js'), BOOT);
    copyFileSync(bundlePath, join(pages, 'bundle.js'));
  }
  const child = spawn('dotnet', [
    dll, '--urls', url,
    `--Storage:ConnectionString=Data Source=${join(dir, 'sync.db')}`,
    '--Limits:RequestsPerMinute=1000000',
    '--Limits:AuthRequestsPerAddressPerMinute=100000',
    '--Logging:LogLevel:Default=Warning',
    ...(direct ? [`--WebApp:Root=${join(dir, 'webroot')}`] : []),
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
  const proxy = direct ? null : await startProxy(port);
  return {
    /** The origin pages use (the proxy, or the server itself when direct). */
    url: proxy?.url ?? url,
    /** The server itself. */
    directUrl: url,
    dir,
    proxy,
    log: () => log,
    async stop() {
      await proxy?.stop();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The pages' origin: serves /__test/ itself and forwards the rest to the server on `target`.
 * `requests` lists every forwarded request (`METHOD /path`, query left out); `setSocketsDown(true)`
 * closes the open WebSockets and refuses new upgrades (a socket endpoint that is unreachable while
 * the REST API answers), `false` lets them through again.
 */
async function startProxy(target) {
  const requests = [];
  const sockets = new Set();
  let socketsDown = false;
  const server = createHttpServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/__test/')) {
      if (path.endsWith('/bundle.js')) {
        res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
        return res.end(readFileSync(bundlePath));
      }
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      return res.end(PAGE);
    }
    requests.push(`${req.method} ${path}`);
    // agent: false, one upstream connection per request: a pooled keep-alive connection that the
    // upstream or this side closes while it is handed out would fail a page's fetch for no reason of its own
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      // said on stderr, so a page's "Failed to fetch" in a test's failure has its cause beside it
      if (!res.destroyed) console.error(`proxy: ${req.method} ${path} failed upstream: ${error.message}`);
      res.destroy();
    });
    res.on('close', () => upstream.destroy()); // an event stream the page dropped ends upstream too
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    requests.push(`UPGRADE ${req.url.split('?')[0]}`);
    if (socketsDown) return socket.destroy();
    const upstream = connect(target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const pair = { socket, upstream };
    sockets.add(pair);
    const end = () => {
      sockets.delete(pair);
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** Forwarded requests whose path matches. */
    count: (pattern) => requests.filter((r) => pattern.test(r)).length,
    setSocketsDown(down) {
      socketsDown = down;
      if (down) for (const { socket, upstream } of [...sockets]) { socket.destroy(); upstream.destroy(); }
    },
    openSockets: () => sockets.size,
    stop: () => {
      for (const { socket, upstream } of [...sockets]) { socket.destroy(); upstream.destroy(); }
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok()));
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

const BOOT = `import * as FL from './bundle.js'; window.FL = FL; window.flReady = true;`;
const PAGE = `<!doctype html><meta charset="utf-8"><title>framelord sync test</title>
<script type="module">${BOOT}</script>`;
const DIRECT_PAGE = `<!doctype html><meta charset="utf-8"><title>framelord sync test</title>
<script type="module" src="./boot.js"></script>`;

/** A device: a browser context (its own IndexedDB, like another browser) on the pages' origin. */
export async function newDevice(browser, serverUrl) {
  const context = await browser.newContext();
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
