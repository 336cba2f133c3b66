// 10,000 changes made offline sync with progress and finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

test('10,000 changes made offline sync with progress and finish; another device pulls them with progress', async () => {
  const user = email('bulk');
  const N = 10_000;
  const a = await newDevice(browser, server.url);
  const pa = await a.newTab();
  await pa.evaluate(async ({ url, user, password }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100 });
    await window.client.signup(user, password, 'Bulk');
    await window.client.syncNow();
  }, { url: server.url, user, password: PASSWORD });
  await a.context.setOffline(true);
  await pa.evaluate(async (n) => {
    for (let i = 0; i < n; i++) await window.client.contacts.create({ id: `c${i}`, name: `Contact ${i}`, company: 'Acme' });
  }, N);
  assert.equal(await pa.evaluate(() => window.client.status.get().pendingChanges), N);
  await a.context.setOffline(false);
  const pushed = await pa.evaluate(async () => {
    const seen = [];
    const stop = window.client.status.subscribe((s) => {
      if (s.progress !== null) seen.push(s.progress);
    });
    await window.client.syncNow();
    stop();
    return { seen, status: window.client.status.get() };
  });
  assert.equal(pushed.status.pendingChanges, 0);
  assert.equal(pushed.status.state, 'synced');
  const push = pushed.seen.filter((p) => p.phase === 'push');
  assert.ok(push.length >= 100, `only ${push.length} push progress reports`);
  assert.equal(push.at(-1).done, N);
  assert.equal(push.at(-1).percent, 100);

  const b = await newDevice(browser, server.url);
  const pb = await b.newTab();
  const pulled = await pb.evaluate(async ({ url, user, password }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, autoStart: false });
    await window.client.login(user, password);
    const seen = [];
    window.client.status.subscribe((s) => {
      if (s.progress?.phase === 'pull') seen.push(s.progress);
    });
    window.client.start();
    await window.client.syncNow();
    return { seen, count: (await window.client.contacts.list()).length };
  }, { url: server.url, user, password: PASSWORD });
  assert.equal(pulled.count, N + 1); // with Contact Zero
  // progress page by page, with a percentage from the server's `remaining` (DESIGN 3.3) on every page
  const done = pulled.seen.map((p) => p.done);
  assert.ok(new Set(done).size >= Math.ceil(N / 500), `pull progress: ${JSON.stringify(done)}`);
  assert.equal(Math.max(...done), N); // Contact Zero is never pulled
  for (const p of pulled.seen) assert.match(p.message, /^Syncing [\d,]+ changes…( \d+%)?$/);
  const pages = pulled.seen.filter((p) => p.done > 0);
  for (const p of pages.filter((p) => p.done < N)) assert.ok(p.percent !== null && p.percent < 100, JSON.stringify(p));
  const percents = pages.map((p) => p.percent);
  assert.deepEqual(percents, [...percents].sort((x, y) => x - y), `pull percentages: ${JSON.stringify(percents)}`);
  assert.equal(percents.at(-1), 100);
  await a.context.close();
  await b.context.close();
});
