// Web SDK benchmark in headless Chromium against the real server (SQLite in a temp folder):
//   1. local write latency p50/p99 with the loop running (target p99 < 5 ms), beside the same writes with
//      the loop stopped and the floor of this browser's IndexedDB (same schedule: one put per transaction,
//      and a get then a put in one transaction, as a write that reads what it changes)
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

// The write schedule every latency measure below uses: 200 warm-up writes, then 3,000 writes (creates
// and updates, a few ms apart: a fast typist), each timed around its await. Runs in the page.
const SCHEDULE = `async (write) => {
  const times = [];
  for (let i = 0; i < 200; i++) await write(true, 'w' + i, i);
  for (let i = 0; i < 3000; i++) {
    const t0 = performance.now();
    if (i % 2 === 0) await write(true, 'l' + i, i);
    else await write(false, 'l' + (i - 1), i);
    times.push(performance.now() - t0);
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  times.sort((x, y) => x - y);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { p50: q(0.5), p99: q(0.99), max: times.at(-1), over5: times.filter((t) => t > 5).length };
}`;

/** The SDK's writes; `online: false` stops the loop (the device offline), so only the writes run. */
async function writeLatency(online) {
  const a = await device(email('bench-latency'), true, { debounceMs: 2000 });
  if (!online) {
    await a.context.setOffline(true);
    await a.page.evaluate(() => window.dispatchEvent(new Event('offline')));
  }
  const result = await a.page.evaluate(async (schedule) => {
    const run = (0, eval)(schedule);
    const contacts = window.client.contacts;
    const stats = await run((create, id, i) =>
      create ? contacts.create({ id, name: `Contact ${i}`, company: 'Acme', tags: ['a', 'b'] }) : contacts.update(id, { title: `title ${i}` }));
    await window.client.syncNow().catch(() => undefined);
    return stats;
  }, SCHEDULE);
  await a.context.close();
  return result;
}

/**
 * The floor under any IndexedDB write in this browser on this machine: the same schedule, each write one
 * read-write transaction that puts one row (no SDK, no loop, no server work meanwhile). With `readFirst`
 * the transaction first gets the row and puts once the read is back, as any write that reads what it
 * changes must (two round trips to IndexedDB instead of one).
 */
async function idbFloor(readFirst) {
  const d = await newDevice(browser, server.url);
  const page = await d.newTab();
  const result = await page.evaluate(async ({ schedule, readFirst }) => {
    const run = (0, eval)(schedule);
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('floor', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('rows', { keyPath: 'id' });
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    return run((create, id, i) => new Promise((ok, fail) => {
      const tx = db.transaction('rows', 'readwrite');
      const rows = tx.objectStore('rows');
      const put = () => rows.put(create ? { id, name: `Contact ${i}`, company: 'Acme', tags: ['a', 'b'] } : { id, name: `Contact ${i}`, title: `title ${i}` });
      if (readFirst) rows.get(id).onsuccess = put;
      else put();
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error);
    }));
  }, { schedule: SCHEDULE, readFirst });
  await d.context.close();
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
const quiet = [];
const floor = [];
const readFloor = [];
const big = [];
const ms = (l) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(1)} ms, over 5 ms ${l.over5}`;
for (let i = 0; i < runs; i++) {
  floor.push(await idbFloor(false));
  readFloor.push(await idbFloor(true));
  quiet.push(await writeLatency(false));
  latency.push(await writeLatency(true));
  big.push(await tenThousand());
  console.log(`run ${i + 1}: write with the loop running ${ms(latency.at(-1))}; loop stopped ${ms(quiet.at(-1))}; ` +
    `IndexedDB floor: one put per transaction ${ms(floor.at(-1))}, a get then a put ${ms(readFloor.at(-1))}; ` +
    `10,000 A→B ${fmt(big.at(-1).endToEnd)} (A to last push ${fmt(big.at(-1).push)}, B pull ${fmt(big.at(-1).pull)}; apart: A's closing pull ${fmt(big.at(-1).closingPull)}, A's whole sync ${fmt(big.at(-1).aSync)}); first sync ${fmt(big.at(-1).firstSync)}`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const p99 = (xs) => median(xs.map((l) => l.p99));
console.log(`median of ${runs}: write p50 ${median(latency.map((l) => l.p50)).toFixed(2)} ms, p99 ${p99(latency).toFixed(2)} ms ` +
  `(loop stopped ${p99(quiet).toFixed(2)} ms; IndexedDB floor ${p99(floor).toFixed(2)} ms, with a read first ${p99(readFloor).toFixed(2)} ms; ` +
  `with the loop / read-first floor ${(p99(latency) / p99(readFloor)).toFixed(2)}×); ` +
  `10,000 A→B ${fmt(median(big.map((b) => b.endToEnd)))}; first sync of 10,000 ${fmt(median(big.map((b) => b.firstSync)))}`);
await browser.close();
await server.stop();
