// Token refresh against the real server (DESIGN 3.1, 5.2): an access token the server refuses is
// refreshed once for every tab of the profile with the stored refresh token, the requests that met the
// 401 go through with the new one, and the refresh token is rotated in IndexedDB. The harness's proxy
// counts the refreshes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice, newTab } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
const REFRESH = /^POST \/api\/v1\/auth\/refresh$/;
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

async function openClient(page) {
  await page.evaluate(async (url) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100 });
  }, server.url);
}

/** The session row every tab reads (profile `default`), or writes `patch` into it. */
function session(page, patch = null) {
  return page.evaluate((patch) => new Promise((resolve, reject) => {
    const open = indexedDB.open('framelord-sync:default');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('session', 'readwrite');
      const store = tx.objectStore('session');
      const get = store.get('current');
      get.onsuccess = () => {
        const value = get.result;
        if (patch !== null) store.put({ ...value, ...patch }, 'current');
        tx.oncomplete = () => {
          db.close();
          resolve(value);
        };
      };
      tx.onerror = () => reject(tx.error);
    };
  }), patch);
}

test('an access token the server refuses is refreshed once for both tabs, and the refresh token rotates', async () => {
  const user = email('tokens');
  const device = await newDevice(browser, server.url);
  const first = await device.newTab();
  await openClient(first);
  await first.evaluate(async ({ user, password }) => {
    await window.client.signup(user, password, 'Tokens');
    await window.client.syncNow();
  }, { user, password: PASSWORD });
  const second = await newTab(device.context, server.url);
  await openClient(second);
  await first.waitForFunction(() => window.client.status.get().isLeader === true, undefined, { timeout: 60_000 });

  const before = await session(first);
  assert.equal(typeof before.refreshToken, 'string', 'signup stored a refresh token with the session');
  // the access token goes bad (as an expired one would): every request now meets a 401
  await session(first, { accessToken: 'not-a-valid-token' });
  const refreshesBefore = server.proxy.count(REFRESH);
  await second.evaluate(() => window.client.contacts.create({ id: 'c1', name: 'After refresh' }));
  await Promise.all([
    first.evaluate(() => window.client.syncNow()),
    second.evaluate(() => window.client.conflicts.refresh()),
  ]);
  assert.equal(server.proxy.count(REFRESH) - refreshesBefore, 1, 'one refresh for both tabs and both requests');
  const afterRefresh = await session(first);
  assert.notEqual(afterRefresh.accessToken, 'not-a-valid-token');
  assert.notEqual(afterRefresh.refreshToken, before.refreshToken, 'the spent refresh token was replaced');
  assert.equal(await first.evaluate(() => window.client.status.get().pendingChanges), 0);

  // the old refresh token is spent: presenting it again is refused (and revokes the device)
  const replay = await fetch(`${server.directUrl}/api/v1/auth/refresh`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: before.refreshToken }),
  });
  assert.equal(replay.status, 401);
  await device.context.close();
});
