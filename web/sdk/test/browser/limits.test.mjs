// A body over the server's limit reaches the browser as the 413 answer (DESIGN 8), not as a reset connection
// the SDK would take for "offline" and retry forever; the SDK then refuses only the change over the limit and
// syncs the rest (DESIGN 5.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
const ELEVEN_MIB = 11 * 1024 * 1024;
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

test('an over-limit body gets the 413 PAYLOAD_TOO_LARGE answer in the browser, every time', async () => {
  const device = await newDevice(browser, server.url);
  const page = await device.newTab();
  const answers = await page.evaluate(async ({ user, password, bytes }) => {
    const signup = await fetch('/api/v1/auth/signup', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user, password, display_name: 'Big' }),
    });
    const { access_token: token } = await signup.json();
    const body = new Uint8Array(bytes).fill(0x20);
    body[0] = 0x7b; // '{', never closed: only the size can refuse it first
    const seen = [];
    for (let i = 0; i < 5; i++) {
      try {
        const r = await fetch('/api/v1/sync/push', {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body,
        });
        seen.push({ status: r.status, code: (await r.json()).error?.code });
      } catch (e) {
        seen.push({ status: 0, code: String(e) });
      }
    }
    return seen;
  }, { user: email('limits'), password: PASSWORD, bytes: ELEVEN_MIB });
  assert.deepEqual(answers, Array.from({ length: 5 }, () => ({ status: 413, code: 'PAYLOAD_TOO_LARGE' })));
});

test('a change over the body limit is reported rejected with PAYLOAD_TOO_LARGE; the change beside it syncs', async () => {
  const device = await newDevice(browser, server.url);
  const page = await device.newTab();
  const result = await page.evaluate(async ({ url, user, password, bytes }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, autoStart: false });
    await window.client.signup(user, password, 'Big');
    const rejected = [];
    window.client.on('rejected', (r) => rejected.push({ id: r.entityId, code: r.code }));
    // Varied text, so that no compression brings it under the limit.
    let notes = '';
    for (let i = 0; notes.length < bytes; i++) notes += `${i.toString(36)} ${(i * 7919).toString(16)} `;
    await window.client.contacts.create({ id: 'huge', name: 'Huge', notes });
    await window.client.contacts.create({ id: 'small', name: 'Small' });
    window.client.start(); // the loop election; syncNow runs in the elected tab
    let error = null;
    try {
      await window.client.syncNow();
    } catch (e) {
      error = { code: e.code, status: e.status };
    }
    const status = window.client.status.get();
    return { rejected, error, pending: status.pendingChanges };
  }, { url: server.url, user: email('limits'), password: PASSWORD, bytes: ELEVEN_MIB });
  assert.equal(result.error, null);
  assert.deepEqual(result.rejected, [{ id: 'huge', code: 'PAYLOAD_TOO_LARGE' }]);
  assert.equal(result.pending, 0);
});
