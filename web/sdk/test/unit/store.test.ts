import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawRows, signedIn } from './helpers.js';
import type { OutboxEntry } from '../../src/coalesce.js';

test('a create commits the entity and its outbox entry together and keeps unknown fields', async () => {
  const { client, factory } = await signedIn();
  const created = await client.contacts.create({ id: 'cnt_1', name: 'Sarah Chen', favourite_colour: 'teal', nested: { a: [1, 2] } });
  assert.equal(created.name, 'Sarah Chen');
  assert.equal(created['favourite_colour'], 'teal');
  assert.equal(created.sync_version, 1);
  const outbox = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0]!.operation, 'create');
  assert.deepEqual(outbox[0]!.data!['nested'], { a: [1, 2] });
  assert.equal(outbox[0]!.data!['favourite_colour'], 'teal');
  assert.equal((await client.contacts.get('cnt_1'))?.['favourite_colour'], 'teal');
  client.close();
});

test('a create of an id the device holds fails with a clear error and changes nothing', async () => {
  const { client, factory } = await signedIn();
  await client.contacts.create({ id: 'cnt_1', name: 'Sarah Chen' });
  await client.contacts.update('cnt_1', { phone: '555' });
  await assert.rejects(client.contacts.create({ id: 'cnt_1', name: 'Someone else' }), /contact\/cnt_1 already exists/);
  // A pushed and pulled row is held as well: its create fails the same way.
  client.start();
  await client.syncNow();
  await assert.rejects(client.contacts.create({ id: 'cnt_1', name: 'Someone else' }), /already exists/);
  const kept = await client.contacts.get('cnt_1');
  assert.equal(kept?.name, 'Sarah Chen');
  assert.equal(kept?.phone, '555');
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  // The failed creates took no seq: the next entry follows the last one made.
  await client.contacts.create({ id: 'cnt_2', name: 'Sarah Williams' });
  const outbox = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.deepEqual(outbox.map((e) => [e.entity_id, e.seq]), [['cnt_2', 2]]);
  client.close();
});

test('updates before a push coalesce into the create; delete of an unpushed create leaves nothing', async () => {
  const { client, factory } = await signedIn();
  await client.tasks.create({ id: 't1', title: 'a' });
  await client.tasks.update('t1', { title: 'b' });
  await client.tasks.update('t1', (t) => ({ status: t.title === 'b' ? 'open' : 'x' }));
  let outbox = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0]!.operation, 'create');
  assert.equal(outbox[0]!.data!['title'], 'b');
  assert.equal(outbox[0]!.data!['status'], 'open');
  assert.equal(outbox[0]!.sync_version, 3);
  await client.tasks.delete('t1');
  outbox = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.equal(outbox.length, 0);
  assert.equal((await client.tasks.get('t1'))?.is_archived, true);
  assert.equal((await client.tasks.list()).length, 0);
  assert.equal((await client.tasks.list({ includeArchived: true })).length, 1);
  client.close();
});

test('Contact Zero is created locally at signup and never queued or pushed', async () => {
  const { client, factory, server } = await signedIn();
  assert.equal(client.contactZeroId, 'cz1');
  const me = await client.contacts.get('cz1');
  assert.equal(me?.name, 'Sarah');
  assert.equal(me?.is_contact_zero, true);
  await client.contacts.update('cz1', { phone: '555' });
  assert.equal(((await rawRows(factory, 'u1', 'outbox')) as unknown[]).length, 0);
  await assert.rejects(client.contacts.delete('cz1'), /Contact Zero/);
  server.remoteWrite('contact', 'cz1', { name: 'Impostor' });
  client.start();
  await client.syncNow();
  assert.equal((await client.contacts.get('cz1'))?.name, 'Sarah');
  assert.equal(server.pushes().length, 0);
  client.close();
});

test('writes from two clients on one profile (two tabs) are both kept in the outbox', async () => {
  const { client: a, server, factory } = await signedIn();
  const { openClient } = await import('./helpers.js');
  const { client: b } = await openClient({}, server, factory);
  assert.equal(b.userId, 'u1');
  await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => a.contacts.create({ id: `a${i}`, name: `A${i}` })),
    ...Array.from({ length: 20 }, (_, i) => b.contacts.create({ id: `b${i}`, name: `B${i}` })),
  ]);
  const outbox = (await rawRows(factory, 'u1', 'outbox')) as OutboxEntry[];
  assert.equal(outbox.length, 40);
  // distinct seqs, from the store's key generator, and so distinct change ids (derived from them)
  assert.equal(new Set(outbox.map((e) => e.seq)).size, 40);
  a.close();
  b.close();
});

test('queries read locally and work with the server unreachable', async () => {
  const { client, server } = await signedIn();
  server.refuse('/sync/pull', { status: 0, network: true });
  await client.projects.create({ id: 'p1', name: 'Alpha', status: 'active' });
  await client.projects.create({ id: 'p2', name: 'Beta', status: 'done' });
  const active = await client.projects.query((p) => p.status === 'active');
  assert.deepEqual(active.map((p) => p.id), ['p1']);
  client.close();
});

test('the status counts a write by the time the write returns: pending after a create, synced again after deleting it unpushed', async () => {
  const { client } = await signedIn();
  assert.equal(client.status.get().state, 'synced');
  await client.contacts.create({ id: 'cnt_s', name: 'Sarah' });
  assert.equal(client.status.get().pendingChanges, 1);
  assert.equal(client.status.get().state, 'pending');
  await client.contacts.update('cnt_s', { name: 'Sarah Chen' });
  assert.equal(client.status.get().pendingChanges, 1);
  await client.contacts.delete('cnt_s');
  assert.equal(client.status.get().pendingChanges, 0);
  assert.equal(client.status.get().state, 'synced');
  client.close();
});
