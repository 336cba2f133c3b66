// Web SDK benchmark in headless Chromium against the real server (SQLite in a temp folder):
//   1. local write latency p50/p99 with the loop running (target p99 < 5 ms)
//   2. 10,000 changes made offline on browser A, seen on browser B end to end (target < 5 s): from A's
//      syncNow() to A's last push batch acknowledged (its push progress reaching its total), plus B's
//      syncNow(), as the .NET SDK's end-to-end benchmark counts it; A's closing pull (the pull after its
//      push, which brings back its own 10,000 changes) is reported apart
//   3. first sync of 10,000 entities into an empty browser (target < 3 s)
// Usage (from web/, after `npm ci`): node bench/bench.mjs [runs]
import { email, launchBrowser, newDevice, startServer } from '../sdk/test/browser/harness.mjs';
import { loadavg } from 'node:os';

const PASSWORD = 'correct horse battery staple';
const N = 10_000;
const runs = Number(process.argv[2] ?? 3);
// The pages load from the server itself, as the web app does (no test proxy between a page and the API).
const server = await startServer({ direct: true });
const browser = await launchBrowser();

async function device(user, signup, options = {}) {
  const d = await newDevice(browser, server.url);
  const page = await d.newTab();
  await page.evaluate(async ({ url, user, signup, password, options }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, ...options });
    if (signup) await window.client.signup(user, password, 'Bench');
    else await window.client.login(user, password);
    await window.client.syncNow();
  }, { url: server.url, user, signup, password: PASSWORD, options });
  return { ...d, page };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

async function writeLatency() {
  const a = await device(email('bench-latency'), true, { debounceMs: 2000 });
  const result = await a.page.evaluate(async () => {
    const times = [];
    // warm-up, then 3,000 writes: creates and updates, a few ms apart (a fast typist), the loop pushing meanwhile
    for (let i = 0; i < 200; i++) await window.client.contacts.create({ id: `w${i}`, name: `warm ${i}` });
    for (let i = 0; i < 3000; i++) {
      const t0 = performance.now();
      if (i % 2 === 0) await window.client.contacts.create({ id: `l${i}`, name: `Contact ${i}`, company: 'Acme', tags: ['a', 'b'] });
      else await window.client.contacts.update(`l${i - 1}`, { title: `title ${i}` });
      times.push(performance.now() - t0);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await window.client.syncNow();
    times.sort((x, y) => x - y);
    const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    return { p50: q(0.5), p99: q(0.99), max: times.at(-1), n: times.length, pushedDuring: window.client.status.get().lastSyncAt !== null };
  });
  await a.context.close();
  return result;
}

async function tenThousand() {
  const user = email('bench-10k');
  const a = await device(user, true, { debounceMs: 2000 });
  const b = await device(user, false, { autoStart: true, liveEvents: false, pullIntervalMs: 3_600_000 });
  await a.context.setOffline(true);
  await a.page.evaluate(async (n) => {
    for (let i = 0; i < n; i++) {
      const kind = i % 10;
      if (kind < 6) await window.client.contacts.create({ id: `c${i}`, name: `Contact ${i}`, email: `c${i}@example.com` });
      else if (kind < 9) await window.client.tasks.create({ id: `t${i}`, title: `Task ${i}`, status: 'open' });
      else await window.client.notes.create({ id: `n${i}`, title: `Note ${i}` });
    }
  }, N);
  await a.context.setOffline(false);
  const t0 = performance.now();
  // In the page: the time from the call to the push progress reaching its total, and to the end.
  const aTimes = await a.page.evaluate(async () => {
    const start = performance.now();
    let pushedAt = null;
    const unsubscribe = window.client.status.subscribe((s) => {
      const p = s.progress;
      if (pushedAt === null && p?.phase === 'push' && p.total !== null && p.total > 0 && p.done === p.total) pushedAt = performance.now();
    });
    await window.client.syncNow();
    unsubscribe();
    return { push: pushedAt - start, sync: performance.now() - start };
  });
  const pushed = performance.now();
  const count = await b.page.evaluate(async () => {
    await window.client.syncNow();
    const [c, t, n] = await Promise.all([window.client.contacts.list(), window.client.tasks.list(), window.client.notes.list()]);
    return c.length - 1 + t.length + n.length;
  });
  const seen = performance.now();
  if (count !== N) throw new Error(`B holds ${count} entities, not ${N}`);
  // 3. an empty browser's first sync of the same 10,000 entities
  const c = await newDevice(browser, server.url);
  const pc = await c.newTab();
  const first = await pc.evaluate(async ({ url, user, password }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, autoStart: false, liveEvents: false });
    await window.client.login(user, password);
    window.client.start();
    const t0 = performance.now();
    await window.client.syncNow();
    const ms = performance.now() - t0;
    const count = (await window.client.contacts.list()).length - 1 + (await window.client.tasks.list()).length + (await window.client.notes.list()).length;
    return { ms, count };
  }, { url: server.url, user, password: PASSWORD });
  if (first.count !== N) throw new Error(`the first sync brought ${first.count} entities, not ${N}`);
  await a.context.close();
  await b.context.close();
  await c.context.close();
  return { endToEnd: aTimes.push + (seen - pushed), push: aTimes.push, closingPull: aTimes.sync - aTimes.push, aSync: pushed - t0, pull: seen - pushed, firstSync: first.ms };
}

console.log(`load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const latency = [];
const big = [];
for (let i = 0; i < runs; i++) {
  latency.push(await writeLatency());
  big.push(await tenThousand());
  console.log(`run ${i + 1}: write p50 ${latency.at(-1).p50.toFixed(2)} ms, p99 ${latency.at(-1).p99.toFixed(2)} ms, max ${latency.at(-1).max.toFixed(1)} ms; ` +
    `10,000 A→B ${fmt(big.at(-1).endToEnd)} (A to last push ${fmt(big.at(-1).push)}, B pull ${fmt(big.at(-1).pull)}; apart: A's closing pull ${fmt(big.at(-1).closingPull)}, A's whole sync ${fmt(big.at(-1).aSync)}); first sync ${fmt(big.at(-1).firstSync)}`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`median of ${runs}: write p50 ${median(latency.map((l) => l.p50)).toFixed(2)} ms, p99 ${median(latency.map((l) => l.p99)).toFixed(2)} ms; ` +
  `10,000 A→B ${fmt(median(big.map((b) => b.endToEnd)))}; first sync of 10,000 ${fmt(median(big.map((b) => b.firstSync)))}`);
await browser.close();
await server.stop();
