// One loop per profile and user, however many tabs: Web Locks election, BroadcastChannel status,
// and a tab closed in the middle of a sync that loses and duplicates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice, newTab } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

async function openClient(page, options = {}) {
  await page.evaluate(async ({ url, options }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100, ...options });
  }, { url: server.url, options });
}

async function waitFor(page, predicate, arg, timeout = 60_000) {
  await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
}

const isLeader = (page) => page.evaluate(() => window.client.status.get().isLeader);

/**
 * Closes the loop's tab `first`, lets the other tab take the loop over and push what is left, then
 * signs a new device in and returns the tasks it pulls (id and version).
 */
async function closeThenSyncElsewhere(first, second, user) {
  await first.close();
  await waitFor(second, () => window.client.status.get().isLeader === true, undefined, 30_000);
  await second.evaluate(() => window.client.syncNow());
  await waitFor(second, () => window.client.status.get().pendingChanges === 0);
  const other = await newDevice(browser, server.url);
  try {
    const page = await other.newTab();
    await openClient(page, { pullPageSize: 1000 });
    await page.evaluate(async ({ user, password }) => {
      await window.client.login(user, password);
      await window.client.syncNow();
    }, { user, password: PASSWORD });
    return await page.evaluate(() => window.client.tasks.list().then((l) => l.map((t) => ({ id: t.id, v: t.sync_version }))));
  } finally {
    await other.context.close();
  }
}

test('two tabs of one profile run one loop; closing the loop\'s tab elects the other; writes from either tab sync', async () => {
  const user = email('tabs');
  const device = await newDevice(browser, server.url);
  const first = await device.newTab();
  await openClient(first);
  await first.evaluate(async ({ user, password }) => {
    await window.client.signup(user, password, 'Tab');
  }, { user, password: PASSWORD });
  const second = await newTab(device.context, server.url);
  await openClient(second);
  await waitFor(first, () => window.client.status.get().isLeader === true);
  assert.equal(await isLeader(second), false);
  assert.equal(await second.evaluate(() => window.client.signedIn), true);

  // a write in the following tab is pushed by the loop's tab; both see status synced
  await second.evaluate(() => window.client.contacts.create({ id: 'from-second', name: 'Second' }));
  await waitFor(first, () => window.client.status.get().state === 'synced' && window.client.status.get().pendingChanges === 0 && window.client.status.get().lastSyncAt !== null);
  await second.evaluate(() => window.client.syncNow());
  await waitFor(second, () => window.client.status.get().state === 'synced' && window.client.status.get().pendingChanges === 0);
  // the first tab's store subscribers heard of the second tab's write
  assert.equal(await first.evaluate(() => window.client.contacts.get('from-second').then((c) => c?.name)), 'Second');

  await first.close();
  await waitFor(second, () => window.client.status.get().isLeader === true, undefined, 30_000);
  await second.evaluate(() => window.client.contacts.create({ id: 'after-close', name: 'After' }));
  await second.evaluate(() => window.client.syncNow());
  assert.equal(await second.evaluate(() => window.client.status.get().pendingChanges), 0);

  // another device sees both writes exactly once
  const other = await newDevice(browser, server.url);
  const page = await other.newTab();
  await openClient(page);
  await page.evaluate(async ({ user, password }) => {
    await window.client.login(user, password);
    await window.client.syncNow();
  }, { user, password: PASSWORD });
  const ids = await page.evaluate(() => window.client.contacts.list().then((l) => l.filter((c) => !c.is_contact_zero).map((c) => c.id).sort()));
  assert.deepEqual(ids, ['after-close', 'from-second']);
  await device.context.close();
  await other.context.close();
});

test('a tab closed in the middle of a sync loses nothing and duplicates nothing', async () => {
  const user = email('midsync');
  const N = 3000;
  const device = await newDevice(browser, server.url);
  const first = await device.newTab();
  await openClient(first);
  await first.evaluate(async ({ user, password }) => window.client.signup(user, password, 'Mid'), { user, password: PASSWORD });
  await first.evaluate(() => window.client.syncNow());
  // the second tab loads while online (its page comes from the network), then the device goes offline
  const second = await newTab(device.context, server.url);
  await openClient(second);
  assert.equal(await isLeader(second), false);
  await device.context.setOffline(true);
  await first.evaluate(async (n) => {
    for (let i = 0; i < n; i++) await window.client.tasks.create({ id: `t${String(i).padStart(5, '0')}`, title: `task ${i}` });
  }, N);
  await device.context.setOffline(false);
  await first.evaluate(() => window.dispatchEvent(new Event('online')));
  // close the loop's tab once part of the outbox is acknowledged
  await waitFor(first, (n) => { const s = window.client.status.get(); return s.pendingChanges > 0 && s.pendingChanges < n - 100; }, N);
  const tasks = await closeThenSyncElsewhere(first, second, user);
  assert.equal(tasks.length, N);
  assert.equal(new Set(tasks.map((t) => t.id)).size, N);
  // a change applied twice would have moved the version past 1
  assert.deepEqual(tasks.filter((t) => t.v !== 1), []);
  await device.context.close();
});

test('a tab closed while its loop pushes between the app\'s writes (a push-only step) loses nothing and duplicates nothing', async () => {
  const user = email('pushonly');
  const device = await newDevice(browser, server.url);
  const first = await device.newTab();
  // a debounce of 1 s bounds a run of writes at 4 s: a push-only step then has a dozen batches to send
  await openClient(first, { debounceMs: 1000 });
  await first.evaluate(async ({ user, password }) => window.client.signup(user, password, 'Busy'), { user, password: PASSWORD });
  await first.evaluate(() => window.client.syncNow());
  const second = await newTab(device.context, server.url);
  await openClient(second);
  assert.equal(await isLeader(second), false);
  // the app writes without a pause long enough for the debounce; the loop's 4 s bound brings a push-only step
  await first.evaluate(() => {
    window.written = 0;
    window.pushedWhileWriting = 0;
    window.client.status.subscribe((s) => {
      if (s.progress?.phase === 'push' && window.written < 6000) window.pushedWhileWriting = Math.max(window.pushedWhileWriting, s.progress.done);
    });
    window.writing = (async () => {
      for (let i = 0; i < 6000; i++) {
        await window.client.tasks.create({ id: `w${String(i).padStart(5, '0')}`, title: `task ${i}` });
        window.written = i + 1;
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
      }
    })();
  });
  await waitFor(first, () => window.pushedWhileWriting >= 200);
  const pullsWhilePushing = server.proxy.count(/sync\/pull/);
  await waitFor(first, () => window.pushedWhileWriting >= 300); // answered batches waiting for their grouped record (ten at a time)
  const written = await first.evaluate(() => window.written);
  assert.equal(server.proxy.count(/sync\/pull/), pullsWhilePushing, 'no pull while the app writes');
  const tasks = (await closeThenSyncElsewhere(first, second, user)).sort((a, b) => (a.id < b.id ? -1 : 1));
  // every write that had returned before the close is there (and the few that returned while it closed), once,
  // with no gap: the writes ran in order
  assert.ok(tasks.length >= written, `${tasks.length} tasks, ${written} written`);
  assert.deepEqual(tasks.map((t) => t.id), tasks.map((_, i) => `w${String(i).padStart(5, '0')}`));
  // a create resent after the close is answered with its first outcome, not applied again
  assert.deepEqual(tasks.filter((t) => t.v !== 1), []);
  await device.context.close();
});
