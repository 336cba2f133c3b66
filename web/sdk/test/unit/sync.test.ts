import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metaValue, rawRows, signedIn, withUserDb } from './helpers.js';
import type { LocalEntity } from '../../src/db.js';
import { FakeServer } from './fake-server.js';
import { SchemaMismatchError, SyncError } from '../../src/errors.js';
import type { OutboxEntry } from '../../src/coalesce.js';
import type { RemoteChangeNotification, SyncProgress } from '../../src/types.js';

async function started(server = new FakeServer(), options = {}) {
  const opened = await signedIn(options, server);
  opened.client.start();
  await opened.client.syncNow();
  return opened;
}

test('two devices converge through push and pull', async () => {
  const server = new FakeServer();
  const { client: a } = await started(server);
  const { client: b } = await started(server);
  await a.contacts.create({ id: 'c1', name: 'Sarah', extra: 1 });
  await a.syncNow();
  await b.syncNow();
  assert.equal((await b.contacts.get('c1'))?.name, 'Sarah');
  assert.equal((await b.contacts.get('c1'))?.['extra'], 1);
  await b.contacts.update('c1', { email: 's@x' });
  await b.syncNow();
  await a.syncNow();
  assert.equal((await a.contacts.get('c1'))?.email, 's@x');
  assert.equal(a.status.get().state, 'synced');
  a.close();
  b.close();
});

test('401 refreshes the token and resends the same batch with the same change ids', async () => {
  const server = new FakeServer();
  const { client } = await started(server);
  await client.contacts.create({ id: 'c1', name: 'A' });
  server.validTokens.delete('tok1');
  server.refuse('/sync/push', { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'expired' } } });
  await client.syncNow();
  const pushes = server.requests.filter((r) => r.path === '/sync/push');
  assert.equal(pushes.length, 2);
  assert.notEqual(pushes[1]!.auth, pushes[0]!.auth);
  assert.deepEqual(pushes[1]!.body!['changes'], pushes[0]!.body!['changes']);
  assert.ok(server.requests.some((r) => r.path === '/auth/refresh'));
  assert.equal(client.status.get().pendingChanges, 0);
  client.close();
});

test('410 RESYNC_REQUIRED pulls everything from the start and keeps the outbox', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  server.remoteWrite('task', 't1', { title: 'remote' });
  await client.tasks.create({ id: 'mine', title: 'local' });
  server.refuse('/sync/pull', { status: 410, body: { error: { code: 'RESYNC_REQUIRED', message: 'too old' } } });
  // The pull before the push meets the 410 and starts again; the push still goes out.
  await client.syncNow();
  const pulls = server.requests.filter((r) => r.path === '/sync/pull').slice(-3);
  assert.equal(pulls[1]!.body!['cursor'] ?? null, null);
  assert.equal((await client.tasks.get('t1'))?.title, 'remote');
  assert.ok(server.rows.has('task/mine'));
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  client.close();
});

test('a pull from the start reads the rows the device holds and merges its pending edits into them', async () => {
  const server = new FakeServer();
  const { client } = await started(server);
  await client.contacts.create({ id: 'c1', name: 'Sarah' });
  await client.syncNow();
  await client.contacts.update('c1', { email: 'local@x' });
  server.remoteWrite('contact', 'c1', { name: 'Sarah Chen' });
  server.remoteWrite('contact', 'c2', { name: 'New' });
  // The pull starts again from the beginning; the push after it fails, so what the device holds now is
  // the pull's merge alone: the remote name, the pending email kept, the new contact stored.
  server.refuse('/sync/pull', { status: 410, body: { error: { code: 'RESYNC_REQUIRED', message: 'too old' } } });
  server.refuse('/sync/push', { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'later' } } });
  await client.syncNow().catch(() => undefined);
  const c1 = await client.contacts.get('c1');
  assert.equal(c1?.name, 'Sarah Chen');
  assert.equal(c1?.email, 'local@x');
  assert.equal((await client.contacts.get('c2'))?.name, 'New');
  client.close();
});

test('426 SCHEMA_MISMATCH is a typed error and the outbox is kept', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  await client.notes.create({ id: 'n1', title: 'x' });
  server.refuse('/sync/pull', { status: 426, body: { error: { code: 'SCHEMA_MISMATCH', message: 'upgrade', required_version: '2' } } });
  const error = await client.syncNow().then(() => null, (e: unknown) => e);
  assert.ok(error instanceof SchemaMismatchError);
  assert.equal(error.requiredVersion, '2');
  assert.equal(client.status.get().state, 'error');
  assert.equal(client.status.get().error?.code, 'SCHEMA_MISMATCH');
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 1);
  client.close();
});

test('whole-request errors reject nothing: a proxy page, a 400 about the request, a 413 of a small batch of one', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  await client.groups.create({ id: 'g1', name: 'G' });
  server.refuse('/sync/push', { status: 502, body: '<html>Bad gateway</html>' });
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.status === 502);
  assert.equal(client.status.get().state, 'error');
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 1);
  server.refuse('/sync/push', { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'device_id is required' } } });
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.status === 400);
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 1);
  server.refuse('/sync/push', { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'body' } } });
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.status === 413);
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 1);
  assert.equal(((await rawRows(factory, 'u1', 'rejected')) as unknown[]).length, 0);
  await client.syncNow();
  assert.ok(server.rows.has('group/g1'));
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  client.close();
});

test('a whole-request 400 on a batch is narrowed down: the others go through', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  for (let i = 0; i < 4; i++) await client.contacts.create({ id: `c${i}`, name: `n${i}` });
  server.refuse('/sync/push', { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'something in the batch' } } });
  await client.syncNow();
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  assert.equal(server.rows.size, 4);
  client.close();
});

test('a per-change failure rejects only that change and is reported', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  const rejected: string[] = [];
  client.on('rejected', (r) => rejected.push(`${r.entityId}:${r.code}`));
  await client.contacts.create({ id: 'bad', poison: true });
  await client.contacts.create({ id: 'good', name: 'ok' });
  await client.syncNow();
  assert.deepEqual(rejected, ['bad:VALIDATION_FAILED']);
  assert.ok(server.rows.has('contact/good'));
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  assert.equal(((await rawRows(factory, 'u1', 'rejected')) as unknown[]).length, 1);
  client.close();
});

test('the cursor is committed with its page: a failure on page 2 resumes after page 1', async () => {
  const server = new FakeServer();
  const { client } = await started(server, { pullPageSize: 2 });
  for (let i = 0; i < 5; i++) server.remoteWrite('folder', `f${i}`, { name: `F${i}` });
  server.refuseAfter('/sync/pull', 1, { status: 0, network: true });
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.code === 'NETWORK_ERROR');
  assert.equal(client.status.get().state, 'offline');
  assert.equal((await client.folders.list()).length, 2);
  const mark = server.requests.length;
  await client.syncNow();
  const resumed = server.requests.slice(mark).find((r) => r.path === '/sync/pull')!;
  assert.equal(resumed.body!['cursor'], '2');
  assert.equal((await client.folders.list()).length, 5);
  client.close();
});

test('a pull reports progress from the server\'s remaining count', async () => {
  const server = new FakeServer();
  for (let i = 0; i < 10; i++) server.remoteWrite('contact', `c${i}`, { name: `C${i}` });
  const { client } = await signedIn({ pullPageSize: 3 }, server);
  const seen: SyncProgress[] = [];
  client.status.subscribe((s) => {
    if (s.progress?.phase === 'pull' && !seen.includes(s.progress)) seen.push(s.progress);
  });
  client.start();
  await client.syncNow();
  const percents = seen.map((p) => p.percent).filter((p) => p !== null);
  assert.deepEqual(percents, [30, 60, 90, 100]);
  assert.match(seen.find((p) => p.percent === 30)!.message, /Syncing 10 changes… 30%/);
  client.close();
});

test('a version the client cannot hold exactly is refused, not rounded', async () => {
  const server = new FakeServer();
  const { client } = await started(server);
  const row = server.remoteWrite('contact', 'big', { name: 'x' });
  row.version = 2 ** 53; // parses to a double that is no longer exact
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.code === 'PROTOCOL_ERROR');
  assert.equal(await client.contacts.get('big'), undefined);
  client.close();
});

test('a pull that overwrites a held entity raises one notification; many raise one aggregated', async () => {
  const server = new FakeServer();
  const { client } = await started(server);
  const notes: RemoteChangeNotification[] = [];
  client.on('notification', (n) => notes.push(n));
  await client.contacts.create({ id: 'sarah', name: 'Sarah Chen' });
  await client.syncNow();
  server.remoteWrite('contact', 'sarah', { name: 'Sarah Williams' });
  await client.syncNow();
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.message, 'Contact updated on another device');
  assert.deepEqual(notes[0]!.changes[0]!.fields, ['name']);
  for (let i = 0; i < 12; i++) server.remoteWrite('contact', `x${i}`, { name: `X${i}` });
  await client.syncNow();
  assert.equal(notes.length, 2);
  assert.equal(notes[1]!.aggregated, true);
  assert.equal(notes[1]!.message, '12 contacts updated on another device');
  client.close();
});

test('an edit made while a pull brings the same entity keeps the local field until the server decides', async () => {
  const server = new FakeServer();
  const { client } = await started(server);
  await client.contacts.create({ id: 'c', name: 'A', email: 'a@x' });
  await client.syncNow();
  await client.contacts.update('c', { name: 'Local' });
  server.remoteWrite('contact', 'c', { email: 'remote@x' });
  // the pull before the push merges: the remote email arrives, the pending local name stays
  server.refuse('/sync/push', { status: 0, network: true });
  await assert.rejects(client.syncNow());
  const c = await client.contacts.get('c');
  assert.equal(c?.name, 'Local');
  assert.equal(c?.email, 'remote@x');
  client.close();
});

test('the outbox entry is resent with the same change id after a lost answer', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  await client.interactions.create({ id: 'i1', kind: 'call' });
  server.refuseAfter('/sync/push', 0, { status: 0, network: true });
  await assert.rejects(client.syncNow());
  const entries = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  // taken into the batch: under the outbox's in-flight mark (schema 2), so frozen
  assert.ok(entries[0]!.seq <= ((await metaValue(factory, 'u1', 'outbox_marks')) as { sentThrough: number }).sentThrough);
  await client.interactions.update('i1', { summary: 'after' });
  await client.syncNow();
  const ids = server.pushes().flatMap((p) => (p['changes'] as { change_id: string }[]).map((c) => c.change_id));
  assert.deepEqual(ids, ['c1', 'c1', 'c2']);
  assert.equal(server.rows.get('interaction/i1')!.data['summary'], 'after');
  client.close();
});

test('a page that says has_more with remaining 0 leaves the total unknown instead of showing 100 %', async () => {
  const server = new FakeServer();
  for (let i = 0; i < 5; i++) server.remoteWrite('contact', `c${i}`, { name: `C${i}` });
  server.fillRemainingWithZero = true;
  const { client } = await signedIn({ pullPageSize: 2 }, server);
  const seen: SyncProgress[] = [];
  client.status.subscribe((s) => {
    if (s.progress?.phase === 'pull' && !seen.includes(s.progress)) seen.push(s.progress);
  });
  client.start();
  await client.syncNow();
  assert.deepEqual(seen.map((p) => p.percent), [null, null, null, 100]);
  assert.equal(seen[1]!.message, 'Syncing 2 changes…');
  client.close();
});

test('the next push batch goes out while the previous answer is recorded, and every batch is recorded', async () => {
  const server = new FakeServer();
  const { client, factory } = await signedIn({ pushBatchSize: 100 }, server);
  for (let i = 0; i < 250; i++) await client.contacts.create({ id: `c${i}`, name: `C${i}` });
  const recorded: number[] = [];
  client.status.subscribe((s) => {
    if (s.progress?.phase === 'push' && s.progress.done > 0 && !recorded.includes(s.progress.done)) recorded.push(s.progress.done);
  });
  const recordedWhenSent: number[][] = [];
  server.onRequest = (path) => {
    if (path === '/sync/push') recordedWhenSent.push([...recorded]);
  };
  client.start();
  await client.syncNow();
  // batch 2 left before batch 1's answer was recorded (its progress comes after the recording)
  assert.equal(recordedWhenSent.length, 3);
  assert.deepEqual(recordedWhenSent[1], []);
  assert.deepEqual(recorded, [100, 200, 250]);
  assert.equal((await rawRows(factory, 'u1', 'outbox')).length, 0);
  const rows = (await rawRows(factory, 'u1', 'entities')) as { entity_id: string; server_version: number }[];
  assert.equal(rows.filter((r) => r.entity_id !== 'cz1' && r.server_version === 0).length, 0);
  client.close();
});

test('the pending count drops by each acknowledged batch as it is recorded, not only when the push ends', async () => {
  const server = new FakeServer();
  const { client } = await signedIn({ pushBatchSize: 100 }, server);
  for (let i = 0; i < 250; i++) await client.contacts.create({ id: `c${i}`, name: `C${i}` });
  assert.equal(client.status.get().pendingChanges, 250);
  // the last pending count shown while each batch's progress stood
  const pendingAtProgress = new Map<number, number>();
  client.status.subscribe((s) => {
    if (s.progress?.phase === 'push' && s.progress.done > 0) pendingAtProgress.set(s.progress.done, s.pendingChanges);
  });
  client.start();
  await client.syncNow();
  assert.deepEqual([...pendingAtProgress], [[100, 150], [200, 50], [250, 0]]);
  assert.equal(client.status.get().pendingChanges, 0);
  client.close();
});

test('the next pull page is asked for while the previous one is stored; each cursor commits with its page', async () => {
  const server = new FakeServer();
  for (let i = 0; i < 10; i++) server.remoteWrite('contact', `c${i}`, { name: `C${i}` });
  const { client, factory } = await signedIn({ pullPageSize: 4 }, server);
  const stored: number[] = [];
  client.status.subscribe((s) => {
    if (s.progress?.phase === 'pull' && s.progress.done > 0 && !stored.includes(s.progress.done)) stored.push(s.progress.done);
  });
  const storedWhenAsked: number[][] = [];
  server.onRequest = (path, body) => {
    if (path === '/sync/pull' && body?.['cursor'] === '4') storedWhenAsked.push([...stored]);
  };
  client.start();
  await client.syncNow();
  assert.deepEqual(storedWhenAsked, [[]]);
  assert.deepEqual(stored, [4, 8, 10]);
  assert.equal((await client.contacts.list()).filter((c) => c.id !== 'cz1').length, 10);
  const meta = (await rawRows(factory, 'u1', 'meta')) as unknown[];
  assert.ok(meta.includes('10'), 'the last page\'s cursor is stored');
  client.close();
});

/** Counts `get` requests on the entities store while `run` runs. */
async function entityGets<T>(run: () => Promise<T>): Promise<{ result: T; gets: number }> {
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { get: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
  const original = proto.get;
  let gets = 0;
  proto.get = function (this: { name: string }, ...args: unknown[]) {
    if (this.name === 'entities') gets++;
    return original.apply(this, args);
  };
  try {
    return { result: await run(), gets };
  } finally {
    proto.get = original;
  }
}

test('a pull reads none of the rows a device does not hold, one by one', async () => {
  const server = new FakeServer();
  const { client } = await started(server); // it holds a cursor now: no longer a pull from the beginning
  for (let i = 0; i < 30; i++) server.remoteWrite(i % 2 === 0 ? 'contact' : 'task', `r${i}`, { name: `R${i}`, title: `R${i}` });
  const { gets } = await entityGets(() => client.syncNow());
  assert.equal(gets, 0);
  assert.equal((await client.contacts.list()).filter((c) => c.id !== 'cz1').length, 15);
  assert.equal((await client.tasks.list()).length, 15);
  client.close();
});

test('a pull still merges into the rows it holds when the key listing stops short of them', async () => {
  const server = new FakeServer();
  const { client } = await started(server, { pullPageSize: 10 });
  // The device holds b, d and many ids between the page's first and last (so the listing is cut off),
  // with a pending edit on each of b and y.
  for (const id of ['b', 'd', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', 'x', 'y']) await client.contacts.create({ id, name: id.toUpperCase() });
  await client.syncNow();
  await client.contacts.update('b', { email: 'b@local' });
  await client.contacts.update('y', { email: 'y@local' });
  for (const id of ['a', 'b', 'c', 'y', 'z']) server.remoteWrite('contact', id, { name: `remote ${id}` });
  server.refuse('/sync/push', { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'later' } } });
  await client.syncNow().catch(() => undefined); // the pull merges; the push fails, so nothing else moves
  for (const id of ['a', 'b', 'c', 'y', 'z']) assert.equal((await client.contacts.get(id))?.name, `remote ${id}`, id);
  assert.equal((await client.contacts.get('b'))?.email, 'b@local');
  assert.equal((await client.contacts.get('y'))?.email, 'y@local');
  await client.syncNow();
  assert.equal(server.rows.get('contact/b')!.data['email'], 'b@local');
  assert.equal(server.rows.get('contact/y')!.data['name'], 'remote y');
  client.close();
});

test('a write made while its entry is in flight makes a new entry, never changes the one sent', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  await client.contacts.create({ id: 'c1', name: 'A' });
  let written: Promise<unknown> | null = null;
  server.onRequest = (path) => {
    // the batch has been taken and sent: this write must not coalesce into it
    if (path === '/sync/push' && written === null) written = client.contacts.update('c1', { email: 'during@x' });
  };
  await client.syncNow();
  await written;
  const pushed = server.pushes().flatMap((p) => p['changes'] as { change_id: string; operation: string; data: Record<string, unknown> }[]);
  assert.equal(pushed[0]!.operation, 'create');
  assert.equal(pushed[0]!.data['email'], undefined);
  const outbox = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.deepEqual(outbox.map((e) => [e.seq, e.operation, e.data]), [[2, 'update', { email: 'during@x' }]]);
  await client.syncNow();
  assert.equal(server.rows.get('contact/c1')!.data['email'], 'during@x');
  // the stored entry carries no change id (schema 6): it is derived from the seq the store gave
  const ids = server.pushes().flatMap((p) => (p['changes'] as { change_id: string }[]).map((c) => c.change_id));
  assert.deepEqual(ids, ['c1', 'c2']);
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  client.close();
});

test('an answered batch leaves the outbox by key range; an entry the answer left out stays', async () => {
  const server = new FakeServer();
  const { client, factory } = await signedIn({ pushBatchSize: 10 }, server);
  for (let i = 0; i < 25; i++) await client.contacts.create({ id: `c${i}`, name: `C${i}` });
  const deletes: unknown[] = [];
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { delete: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
  const original = proto.delete;
  proto.delete = function (this: { name: string }, ...args: unknown[]) {
    if (this.name === 'outbox') deletes.push(args[0]);
    return original.apply(this, args);
  };
  // the second batch's answer leaves out one change (c15's entry, seq 16): it must stay for the next push
  server.dropFromNextAnswers = new Set(['c16']);
  client.start();
  await client.syncNow().catch(() => undefined);
  proto.delete = original;
  assert.ok(deletes.some((d) => d instanceof IDBKeyRange), 'a fully answered batch is one range delete');
  const ranges = deletes.filter((d): d is IDBKeyRange => d instanceof IDBKeyRange).map((r) => [r.lower, r.upper]);
  assert.deepEqual(ranges[0], [1, 10]);
  const left = ((await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[]).map((e) => e.seq);
  assert.deepEqual(left, [16]);
  await client.syncNow();
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  assert.equal(server.rows.size, 25);
  client.close();
});

test('a page larger than one store transaction commits its cursor with its last part only', async () => {
  const server = new FakeServer();
  const { client } = await started(server, { pullPageSize: 250 });
  for (let i = 0; i < 250; i++) server.remoteWrite('task', `t${i}`, { title: `T${i}` });
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
  const original = proto.put;
  const puts: string[] = [];
  proto.put = function (this: { name: string }, ...args: unknown[]) {
    if (this.name === 'entities') puts.push('entity');
    if (this.name === 'meta' && args[1] === 'cursor') puts.push('cursor');
    return original.apply(this, args);
  };
  try {
    await client.syncNow();
  } finally {
    proto.put = original;
  }
  assert.equal(puts.filter((p) => p === 'cursor').length, 1);
  assert.equal(puts.at(-1), 'cursor', 'the cursor comes after every entity of its page');
  assert.equal(puts.filter((p) => p === 'entity').length, 250);
  assert.equal((await client.tasks.list()).length, 250);
  client.close();
});

test("the pull after a push leaves the device's own changes coming back as they are, and still applies what others merged in", async () => {
  const server = new FakeServer();
  const { client } = await started(server);
  await client.contacts.create({ id: 'c1', name: 'Sarah' });
  await client.contacts.create({ id: 'c2', name: 'Tom' });
  await client.syncNow();
  await client.contacts.update('c2', { name: 'Tom Smith' });
  for (let i = 0; i < 5; i++) await client.tasks.create({ id: `t${i}`, title: `T${i}` });
  // another device edits c2's email between this device's pull and its push: the server merges both
  server.onRequest = (path) => {
    if (path === '/sync/push' && server.onRequest !== null) {
      server.onRequest = null;
      server.remoteWrite('contact', 'c2', { email: 'tom@other' });
    }
  };
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
  const original = proto.put;
  const written: string[] = [];
  proto.put = function (this: { name: string }, ...args: unknown[]) {
    if (this.name === 'entities') written.push(String((args[0] as { entity_id: string }).entity_id));
    return original.apply(this, args);
  };
  try {
    await client.syncNow();
  } finally {
    proto.put = original;
  }
  // each pushed entity is written once by its push answer; the pull after it writes only c2, which came
  // back with the other device's email merged in
  assert.deepEqual(written.sort(), ['c2', 'c2', 't0', 't1', 't2', 't3', 't4']);
  const c2 = await client.contacts.get('c2');
  assert.equal(c2?.name, 'Tom Smith');
  assert.equal(c2?.email, 'tom@other');
  assert.equal(c2?.sync_version, server.rows.get('contact/c2')!.version);
  assert.equal((await client.tasks.get('t3'))?.sync_version, 1);
  client.close();
});

test('a push answer recorded but not applied (the tab closed in between) is applied by the next step, once; a write meanwhile starts from its version', async () => {
  const server = new FakeServer();
  const { client, factory } = await signedIn({}, server);
  await client.tasks.create({ id: 't1', title: 'a' });
  // Once the server has answered a push, every pass that applies recorded answers fails, as if the tab closed.
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { getAll: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
  const original = proto.getAll;
  let armed = true;
  proto.getAll = function (this: { name: string }, ...args: unknown[]) {
    if (armed && this.name === 'acked' && server.pushes().length > 0) throw new Error('the tab closed');
    return original.apply(this, args);
  };
  client.start();
  try {
    await client.syncNow().catch(() => undefined);
  } finally {
    armed = false;
    proto.getAll = original;
  }
  assert.equal(server.pushes().length, 1);
  assert.equal((await rawRows(factory, 'u1', 'outbox')).length, 0, 'the answered entry left the outbox with the answer recorded');
  const recorded = (await rawRows(factory, 'u1', 'acked')) as { items: { version: number }[] }[];
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0]!.items[0]!.version, 1);
  const before = ((await rawRows(factory, 'u1', 'entities')) as LocalEntity[]).find((e) => e.entity_id === 't1')!;
  assert.equal(before.server_version, 0);
  // A write in that window starts from the recorded version, as it would once the answer is applied.
  await client.tasks.update('t1', { title: 'b' });
  const queued = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.deepEqual(queued.map((e) => [e.operation, e.base_version, e.sync_version]), [['update', 1, 2]]);
  await client.syncNow();
  assert.equal((await rawRows(factory, 'u1', 'acked')).length, 0);
  const after = ((await rawRows(factory, 'u1', 'entities')) as LocalEntity[]).find((e) => e.entity_id === 't1')!;
  assert.equal(after.server_version, 2);
  assert.equal(after.shadow?.['title'], 'b');
  assert.equal(after.data['title'], 'b');
  assert.equal((await client.conflicts.list({ status: 'all' })).length, 0);
  // The same answer applied again (a pass cut short and run again) changes nothing: its version is older.
  await withUserDb(factory, 'u1', (db) => db.put('acked', recorded[0]));
  await client.syncNow();
  const again = ((await rawRows(factory, 'u1', 'entities')) as LocalEntity[]).find((e) => e.entity_id === 't1')!;
  assert.deepEqual([again.server_version, again.shadow?.['title'], again.data['title']], [2, 'b', 'b']);
  assert.equal((await rawRows(factory, 'u1', 'acked')).length, 0);
  client.close();
});

test('while the app writes, a pulled page is stored in short transactions; otherwise in one', async () => {
  const count = async (writeFirst: boolean) => {
    const server = new FakeServer();
    const { client } = await started(server, { pullPageSize: 250 });
    for (let i = 0; i < 250; i++) server.remoteWrite('task', `t${i}`, { title: `T${i}` });
    if (writeFirst) await client.contacts.create({ id: 'mine', name: 'Typed just now' });
    const proto = (globalThis as unknown as { IDBDatabase: { prototype: { transaction: (...a: unknown[]) => unknown } } }).IDBDatabase.prototype;
    const original = proto.transaction;
    let pageTransactions = 0;
    proto.transaction = function (this: unknown, ...args: unknown[]) {
      const stores = ([] as string[]).concat(args[0] as string | string[]);
      if (args[1] === 'readwrite' && stores.includes('entities') && stores.includes('meta') && stores.length === 3) pageTransactions++;
      return original.apply(this, args);
    };
    try {
      await client.syncNow();
    } finally {
      proto.transaction = original;
    }
    assert.equal((await client.tasks.list()).length, 250);
    client.close();
    return pageTransactions;
  };
  assert.equal(await count(false), 1);
  assert.ok((await count(true)) >= 3, 'chunks of 100 while writing');
});

test('a pulled row holds the server state once; a local edit and a recorded answer change the view, never the shadow through it', async () => {
  const server = new FakeServer();
  const { client, factory } = await started(server);
  server.remoteWrite('task', 't1', { title: 'from the server', status: 'open' });
  await client.syncNow();
  const pulled = ((await rawRows(factory, 'u1', 'entities')) as LocalEntity[]).find((e) => e.entity_id === 't1')!;
  assert.equal(pulled.shadow, pulled.data, 'one object, stored once');
  await client.tasks.update('t1', { title: 'mine' });
  const edited = ((await rawRows(factory, 'u1', 'entities')) as LocalEntity[]).find((e) => e.entity_id === 't1')!;
  assert.equal(edited.data['title'], 'mine');
  assert.equal(edited.shadow?.['title'], 'from the server');
  await client.syncNow();
  const pushed = ((await rawRows(factory, 'u1', 'entities')) as LocalEntity[]).find((e) => e.entity_id === 't1')!;
  assert.deepEqual([pushed.data['title'], pushed.shadow?.['title'], pushed.server_version], ['mine', 'mine', 2]);
  // A pulled change of another device is merged against the shadow: the local edit made meanwhile stays.
  server.remoteWrite('task', 't1', { status: 'done' });
  await client.tasks.update('t1', { title: 'mine again' });
  await client.syncNow();
  assert.deepEqual([(await client.tasks.get('t1'))?.title, (await client.tasks.get('t1'))?.['status']], ['mine again', 'done']);
  client.close();
});

test('a step while the app writes only pushes: batches taken and answers recorded ten at a time, applied by the next full step', async () => {
  const server = new FakeServer();
  // the debounce step comes after the last of the writes below, well inside the 2 s the app counts as writing
  const { client, factory } = await started(server, { pushBatchSize: 10, debounceMs: 400 });
  const paths: string[] = [];
  server.onRequest = (path) => paths.push(path);
  const proto = (globalThis as unknown as { IDBDatabase: { prototype: { transaction: (...a: unknown[]) => unknown } } }).IDBDatabase.prototype;
  const original = proto.transaction;
  const scopes: string[] = [];
  proto.transaction = function (this: unknown, ...args: unknown[]) {
    if (args[1] === 'readwrite') scopes.push(([] as string[]).concat(args[0] as string | string[]).sort().join(','));
    return original.apply(this, args);
  };
  let status;
  try {
    // 35 writes in a row, then the debounce's step runs while the app still counts as writing
    for (let i = 0; i < 35; i++) await client.contacts.create({ id: `c${i}`, name: `C${i}` });
    const deadline = Date.now() + 5000;
    while (paths.filter((p) => p === '/sync/push').length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    status = client.status.get();
  } finally {
    proto.transaction = original;
  }
  assert.deepEqual(paths, ['/sync/push', '/sync/push', '/sync/push', '/sync/push'], 'no pull while writing');
  assert.equal(scopes.filter((s) => s === 'meta,outbox').length, 1, `one take for the four batches: ${scopes.join(' | ')}`);
  assert.equal(scopes.filter((s) => s === 'acked,outbox').length, 1, 'one record for the four answers');
  assert.equal(scopes.filter((s) => s === 'entities').length, 0, 'nothing applied to the entities yet');
  assert.equal(status!.pendingChanges, 0);
  assert.equal((await rawRows(factory, 'u1', 'outbox')).length, 0);
  assert.equal((await rawRows(factory, 'u1', 'acked')).length, 4);
  // a write meanwhile starts from the answered version
  await client.contacts.update('c0', { name: 'C0 again' });
  const entry = ((await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[]).at(-1)!;
  assert.equal(entry.base_version, 1);
  // the next full step applies the answers
  await client.syncNow();
  assert.equal((await rawRows(factory, 'u1', 'acked')).length, 0);
  const rows = (await rawRows(factory, 'u1', 'entities')) as LocalEntity[];
  assert.equal(rows.filter((r) => r.entity_id.startsWith('c') && r.entity_id !== 'cz1' && r.server_version === 0).length, 0);
  assert.equal(server.pushes().flatMap((p) => (p['changes'] as unknown[])).length, 36);
  client.close();
});
