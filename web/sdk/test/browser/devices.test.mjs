// End to end in headless Chromium against the real server: browser contexts are devices of one user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

/** Opens the SDK in the page as window.client; signs up (first device) or logs in. */
async function device(user, signup) {
  const d = await newDevice(browser, server.url);
  const page = await d.newTab();
  await page.evaluate(async ({ url, user, signup, password }) => {
    window.notifications = [];
    const c = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100 });
    window.client = c;
    c.on('notification', (n) => window.notifications.push(n));
    if (signup) await c.signup(user, password, 'Sarah');
    else await c.login(user, password);
    await c.syncNow();
  }, { url: server.url, user, signup, password: PASSWORD });
  return { ...d, page };
}

async function syncNow(page) {
  await page.evaluate(() => window.client.syncNow());
}

const TYPES = {
  contacts: { name: 'A', email: 'a@x' },
  notes: { title: 'A', tags: ['x'] },
  tasks: { title: 'A', priority: 'high' },
  interactions: { kind: 'call', summary: 'A' },
  folders: { name: 'A' },
  groups: { name: 'A', contact_ids: [] },
  projects: { name: 'A', status: 'active' },
  pipelines: { name: 'A', stages: ['lead', 'won'] },
};

async function snapshot(page) {
  return page.evaluate(async (types) => {
    const out = {};
    for (const t of types) {
      const all = await window.client[t].list({ includeArchived: true });
      out[t] = all
        .filter((e) => !e.is_contact_zero)
        .map(({ updated_at: _u, sync_version: _v, created_at: _c, ...rest }) => rest)
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    }
    return out;
  }, Object.keys(TYPES));
}

test('two devices converge after offline edits on every entity type', async () => {
  const user = email('converge');
  const a = await device(user, true);
  const b = await device(user, false);
  // shared starting point: one entity of each type, made on A and pulled by B
  await a.page.evaluate(async (types) => {
    for (const [t, fields] of Object.entries(types)) await window.client[t].create({ id: `shared-${t}`, ...fields });
  }, TYPES);
  await syncNow(a.page);
  await syncNow(b.page);
  assert.deepEqual(await snapshot(b.page), await snapshot(a.page));

  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await a.page.evaluate(async (types) => {
    for (const t of Object.keys(types)) {
      await window.client[t].create({ id: `a-${t}`, name: 'made on A', unknown_field: { deep: [1] } });
      await window.client[t].update(`shared-${t}`, { from_a: true });
    }
    await window.client.tasks.delete('shared-tasks');
  }, TYPES);
  await b.page.evaluate(async (types) => {
    for (const t of Object.keys(types)) {
      await window.client[t].create({ id: `b-${t}`, name: 'made on B' });
      await window.client[t].update(`shared-${t}`, { from_b: 2 });
    }
    await window.client.notes.delete('shared-notes');
    await window.client.notes.restore('shared-notes');
  }, TYPES);
  const offline = await a.page.evaluate(() => window.client.status.get());
  assert.equal(offline.state, 'offline');
  assert.ok(offline.pendingChanges >= 8);

  await a.context.setOffline(false);
  await b.context.setOffline(false);
  for (const page of [a.page, b.page, a.page, b.page]) await syncNow(page);
  const sa = await snapshot(a.page);
  const sb = await snapshot(b.page);
  assert.deepEqual(sa, sb);
  for (const t of Object.keys(TYPES)) {
    const shared = sa[t].find((e) => e.id === `shared-${t}`);
    assert.equal(shared.from_a, true, t);
    assert.equal(shared.from_b, 2, t);
    assert.ok(sa[t].some((e) => e.id === `a-${t}` && e.unknown_field.deep[0] === 1), t);
    assert.ok(sa[t].some((e) => e.id === `b-${t}`), t);
  }
  assert.equal(sa.tasks.find((e) => e.id === 'shared-tasks').is_archived, true);
  assert.equal(sa.notes.find((e) => e.id === 'shared-notes').is_archived, false);
  const status = await a.page.evaluate(() => window.client.status.get());
  assert.equal(status.state, 'synced');
  assert.equal(status.pendingChanges, 0);
  await a.context.close();
  await b.context.close();
});

test('Sarah Chen / Sarah Williams: the later write wins everywhere, A is told, and the conflict is resolved both ways', async () => {
  const user = email('sarah');
  const a = await device(user, true);
  const b = await device(user, false);
  await a.page.evaluate(() => window.client.contacts.create({ id: 'cnt_sarah', name: 'Sarah', email: 'sarah@example.com' }));
  await syncNow(a.page);
  await syncNow(b.page);
  // A create of an id the device holds fails whole, in Chromium's IndexedDB too: nothing is queued.
  const refused = await b.page.evaluate(() => window.client.contacts.create({ id: 'cnt_sarah', name: 'Other' }).then(() => 'created', (e) => e.message));
  assert.match(refused, /contact\/cnt_sarah already exists/);
  assert.equal((await b.page.evaluate(() => window.client.status.get())).pendingChanges, 0);
  await a.context.setOffline(true);
  await a.page.evaluate(() => window.client.contacts.update('cnt_sarah', { name: 'Sarah Chen' }));
  await new Promise((r) => setTimeout(r, 50));
  await b.page.evaluate(() => window.client.contacts.update('cnt_sarah', { name: 'Sarah Williams' }));
  await syncNow(b.page);
  await a.context.setOffline(false);
  await syncNow(a.page);
  await syncNow(b.page);
  const onA = await a.page.evaluate(() => window.client.contacts.get('cnt_sarah'));
  const onB = await b.page.evaluate(() => window.client.contacts.get('cnt_sarah'));
  assert.equal(onA.name, 'Sarah Williams');
  assert.equal(onB.name, 'Sarah Williams');
  assert.equal(onA.sync_version, onB.sync_version);
  const notes = await a.page.evaluate(() => window.notifications);
  assert.ok(notes.some((n) => n.message === 'Contact updated on another device' && n.changes.some((c) => c.entityId === 'cnt_sarah' && c.fields.includes('name'))), JSON.stringify(notes));
  const conflicts = await a.page.evaluate(() => window.client.conflicts.refresh());
  const conflict = conflicts.find((c) => c.entityId === 'cnt_sarah' && c.fields.includes('name'));
  assert.equal(conflict?.status, 'auto_resolved', JSON.stringify(conflicts));
  assert.deepEqual(await a.page.evaluate(() => window.client.conflicts.list().then((l) => l.length)), 0);
  assert.ok((await a.page.evaluate(() => window.client.conflicts.list({ status: 'all' }))).some((c) => c.conflictId === conflict.conflictId));

  // A's user keeps the losing value: the resolution wins everywhere
  const resolved = await a.page.evaluate(async (id) => {
    const entity = await window.client.conflicts.resolve(id, 'keep_local');
    const local = await window.client.contacts.get('cnt_sarah');
    return { entity, local, listed: (await window.client.conflicts.list({ status: 'all' })).find((c) => c.conflictId === id) };
  }, conflict.conflictId);
  const keptName = conflict.local.name;
  assert.equal(keptName, 'Sarah Chen');
  assert.equal(resolved.local.name, keptName);
  assert.equal(resolved.listed.status, 'resolved');
  await syncNow(b.page);
  assert.equal(await b.page.evaluate(() => window.client.contacts.get('cnt_sarah').then((c) => c.name)), keptName);
  // and a merged value later, from B
  const merged = await b.page.evaluate(async (id) => {
    await window.client.conflicts.refresh();
    await window.client.conflicts.resolve(id, 'merged', { name: 'Sarah Chen-Williams' });
    return window.client.contacts.get('cnt_sarah').then((c) => c.name);
  }, conflict.conflictId);
  assert.equal(merged, 'Sarah Chen-Williams');
  await syncNow(a.page);
  assert.equal(await a.page.evaluate(() => window.client.contacts.get('cnt_sarah').then((c) => c.name)), 'Sarah Chen-Williams');
  await a.context.close();
  await b.context.close();
});
