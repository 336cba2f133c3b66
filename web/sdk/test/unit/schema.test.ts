/** The local database's schema upgrades: rows written by an older SDK keep their meaning. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { Meta, SCHEMA_VERSION, openSyncDb, typeRange, type LocalEntity } from '../../src/db.js';
import { writeEntity } from '../../src/writes.js';
import type { OutboxEntry } from '../../src/coalesce.js';

/** Creates a database exactly as schema 1 did, with `entries` in its outbox. */
async function schemaOne(factory: IDBFactory, name: string, entries: OutboxEntry[], entities: LocalEntity[]): Promise<void> {
  const g = globalThis as { indexedDB?: IDBFactory };
  const previous = g.indexedDB;
  g.indexedDB = factory;
  const opening = openDB(name, 1, {
    upgrade(db) {
      const e = db.createObjectStore('entities', { keyPath: ['entity_type', 'entity_id'] });
      e.createIndex('by_type', 'entity_type');
      const o = db.createObjectStore('outbox', { keyPath: 'seq' });
      o.createIndex('by_entity', ['entity_type', 'entity_id']);
      db.createObjectStore('meta');
      db.createObjectStore('conflicts', { keyPath: 'conflictId' });
      db.createObjectStore('rejected', { keyPath: 'changeId' });
      db.createObjectStore('documents', { keyPath: 'note_id' });
    },
  });
  g.indexedDB = previous;
  const db = await opening;
  const tx = db.transaction(['outbox', 'entities', 'meta'], 'readwrite');
  for (const entry of entries) await tx.objectStore('outbox').put(entry);
  for (const entity of entities) await tx.objectStore('entities').put(entity);
  await tx.objectStore('meta').put(entries.length + 1, Meta.nextSeq);
  await tx.done;
  db.close();
}

function entry(seq: number, id: string, sent: boolean): OutboxEntry {
  return { seq, change_id: `c${seq}`, entity_type: 'task', entity_id: id, operation: 'create', data: { id, title: id }, client_timestamp: '2026-12-04T10:00:00.000Z', sync_version: 1, base_version: 0, sent };
}

function entity(id: string): LocalEntity {
  return { entity_type: 'task', entity_id: id, data: { id, title: id, sync_version: 1, is_archived: false }, sync_version: 1, server_version: 0, is_archived: false, is_contact_zero: false, shadow: null, last_synced_at: null };
}

test('schema 1 to 2: entries a push had marked sent move under the in-flight mark and stay frozen; the others still coalesce', async () => {
  const factory = new IDBFactory();
  await schemaOne(factory, 'db', [entry(1, 't1', true), entry(2, 't2', true), entry(3, 't3', false)], [entity('t1'), entity('t2'), entity('t3')]);
  const db = await openSyncDb(factory, 'db');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.deepEqual(await db.get('meta', Meta.outboxMarks), { sentThrough: 2 });
  assert.equal(await db.get('meta', Meta.sentThrough), undefined, 'the old rows are gone');
  assert.equal(await db.get('meta', Meta.nextSeq), undefined);
  assert.deepEqual((await db.getAll('outbox')).map((e) => [e.seq, e.sent]), [[1, false], [2, false], [3, false]]);
  // t2's entry was sent by schema 1: an edit makes a new entry; t3's was not: the edit folds into it
  await writeEntity(db, null, Date.parse('2026-12-04T11:00:00Z'), 'task', 't2', 'update', (t) => ({ ...t, title: 'after' }));
  await writeEntity(db, null, Date.parse('2026-12-04T11:00:00Z'), 'task', 't3', 'update', (t) => ({ ...t, title: 'after' }));
  const outbox = await db.getAll('outbox');
  assert.deepEqual(outbox.map((e) => [e.seq, e.entity_id, e.operation, e.data?.['title']]), [
    [1, 't1', 'create', 't1'],
    [2, 't2', 'create', 't2'],
    [3, 't3', 'create', 'after'],
    [4, 't2', 'update', 'after'],
  ]);
  db.close();
});

/** Upgrades a schema-1 database to schema 2 exactly as schema 2 did (the mark only), then closes it. */
async function schemaTwo(factory: IDBFactory, name: string, entries: OutboxEntry[], entities: LocalEntity[], sentThrough: number): Promise<void> {
  await schemaOne(factory, name, entries, entities);
  const g = globalThis as { indexedDB?: IDBFactory };
  const previous = g.indexedDB;
  g.indexedDB = factory;
  const opening = openDB(name, 2);
  g.indexedDB = previous;
  const db = await opening;
  await db.put('meta', sentThrough, Meta.sentThrough);
  db.close();
}

test('schema 2 to 3: the rows stay as they are, the store of recorded push answers is added, writes go on', async () => {
  const factory = new IDBFactory();
  await schemaTwo(factory, 'db2', [entry(1, 't1', false), entry(2, 't2', false)], [entity('t1'), entity('t2')], 1);
  const db = await openSyncDb(factory, 'db2');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.deepEqual(await db.get('meta', Meta.outboxMarks), { sentThrough: 1 });
  assert.deepEqual((await db.getAll('outbox')).map((e) => e.seq), [1, 2]);
  assert.equal((await db.getAll('entities')).length, 2);
  assert.equal(await db.count('acked'), 0);
  const index = db.transaction('acked').store.index('by_entity');
  assert.equal(index.multiEntry, true);
  // t1's entry is under the mark (sent): an edit makes a new entry; t2's is not: the edit folds into it
  await writeEntity(db, null, Date.parse('2026-12-04T11:00:00Z'), 'task', 't1', 'update', (t) => ({ ...t, title: 'after' }));
  await writeEntity(db, null, Date.parse('2026-12-04T11:00:00Z'), 'task', 't2', 'update', (t) => ({ ...t, title: 'after' }));
  assert.deepEqual((await db.getAll('outbox')).map((e) => [e.seq, e.entity_id, e.operation]), [[1, 't1', 'create'], [2, 't2', 'create'], [3, 't1', 'update']]);
  db.close();
});

test('schema 3 to 4: the by_type index goes, and each type\'s rows are still listed (by key range), other types apart', async () => {
  const factory = new IDBFactory();
  const contact: LocalEntity = { ...entity('c1'), entity_type: 'contact' };
  await schemaTwo(factory, 'db3', [entry(1, 't1', false)], [entity('t1'), entity('t2'), contact], 0);
  const g = globalThis as { indexedDB?: IDBFactory };
  const previous = g.indexedDB;
  g.indexedDB = factory;
  const opening = openDB('db3', 3, { upgrade: (db) => db.createObjectStore('acked', { keyPath: 'seq' }).createIndex('by_entity', 'keys', { multiEntry: true }) });
  g.indexedDB = previous;
  const three = await opening;
  assert.deepEqual([...three.transaction('entities').store.indexNames], ['by_type']);
  three.close();
  const db = await openSyncDb(factory, 'db3');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.deepEqual([...db.transaction('entities').store.indexNames], []);
  assert.deepEqual((await db.getAll('entities', typeRange('task'))).map((e) => e.entity_id), ['t1', 't2']);
  assert.deepEqual((await db.getAll('entities', typeRange('contact'))).map((e) => e.entity_id), ['c1']);
  assert.deepEqual(await db.getAll('entities', typeRange('note')), []);
  db.close();
});

test('schema 1 to 2 with nothing sent sets no mark', async () => {
  const factory = new IDBFactory();
  await schemaOne(factory, 'db', [entry(1, 't1', false)], [entity('t1')]);
  const db = await openSyncDb(factory, 'db');
  assert.deepEqual(await db.get('meta', Meta.outboxMarks), { sentThrough: 0 });
  await writeEntity(db, null, Date.parse('2026-12-04T11:00:00Z'), 'task', 't1', 'update', (t) => ({ ...t, title: 'after' }));
  assert.deepEqual((await db.getAll('outbox')).map((e) => [e.seq, e.data?.['title']]), [[1, 'after']]);
  db.close();
});

test('a new database starts at the current schema with every store', async () => {
  const db = await openSyncDb(new IDBFactory(), 'fresh');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.deepEqual([...db.objectStoreNames].sort(), ['acked', 'conflicts', 'documents', 'entities', 'meta', 'outbox', 'rejected']);
  assert.deepEqual([...db.transaction('entities').store.indexNames], []);
  assert.equal(db.transaction('outbox').store.autoIncrement, true);
  db.close();
});

test('schema 5 to 6: the outbox gets a key generator that goes on after every seq given; entries, change ids and the mark stay', async () => {
  const factory = new IDBFactory();
  const g = globalThis as { indexedDB?: IDBFactory };
  const previous = g.indexedDB;
  g.indexedDB = factory;
  // schema 5 as it was: the next seq in the marks row, entries 1 to 5 answered and gone, 6 sent, 7 open
  const opening = openDB('db5', 5, {
    upgrade(db) {
      db.createObjectStore('entities', { keyPath: ['entity_type', 'entity_id'] });
      db.createObjectStore('outbox', { keyPath: 'seq' }).createIndex('by_entity', ['entity_type', 'entity_id']);
      db.createObjectStore('meta');
      db.createObjectStore('conflicts', { keyPath: 'conflictId' });
      db.createObjectStore('rejected', { keyPath: 'changeId' });
      db.createObjectStore('documents', { keyPath: 'note_id' });
      db.createObjectStore('acked', { keyPath: 'seq' }).createIndex('by_entity', 'keys', { multiEntry: true });
    },
  });
  g.indexedDB = previous;
  const five = await opening;
  const tx = five.transaction(['outbox', 'entities', 'meta'], 'readwrite');
  for (const e of [entry(6, 't1', false), entry(7, 't2', false)]) await tx.objectStore('outbox').put(e);
  for (const e of [entity('t1'), entity('t2')]) await tx.objectStore('entities').put(e);
  await tx.objectStore('meta').put({ nextSeq: 10, sentThrough: 6 }, Meta.outboxMarks);
  await tx.done;
  five.close();

  const db = await openSyncDb(factory, 'db5');
  assert.equal(db.version, SCHEMA_VERSION);
  assert.equal(db.transaction('outbox').store.autoIncrement, true);
  assert.deepEqual([...db.transaction('outbox').store.indexNames], ['by_entity']);
  assert.deepEqual(await db.get('meta', Meta.outboxMarks), { sentThrough: 6 });
  assert.deepEqual((await db.getAll('outbox')).map((e) => [e.seq, e.change_id, e.entity_id]), [[6, 'c6', 't1'], [7, 'c7', 't2']]);
  // t1's entry is sent: its edit makes a new entry, whose seq follows the last ever given (9), not the last
  // kept (7), so its change id was never used; t2's is open: the edit folds into it; a create adds seq 11
  const at = Date.parse('2026-12-04T11:00:00Z');
  await writeEntity(db, null, at, 'task', 't1', 'update', (t) => ({ ...t, title: 'after' }));
  await writeEntity(db, null, at, 'task', 't2', 'update', (t) => ({ ...t, title: 'after' }));
  await writeEntity(db, null, at, 'task', 't3', 'create', () => ({ title: 'new' }));
  assert.deepEqual((await db.getAll('outbox')).map((e) => [e.seq, e.entity_id, e.operation, e.data?.['title']]), [
    [6, 't1', 'create', 't1'],
    [7, 't2', 'create', 'after'],
    [10, 't1', 'update', 'after'],
    [11, 't3', 'create', 'new'],
  ]);
  db.close();
});

test('an open database gives way to a newer schema opened in another tab', async () => {
  const factory = new IDBFactory();
  const older = await openSyncDb(factory, 'give-way');
  const g = globalThis as { indexedDB?: IDBFactory };
  const previous = g.indexedDB;
  g.indexedDB = factory;
  let blocked = false;
  const opening = openDB('give-way', SCHEMA_VERSION + 1, { blocked: () => { blocked = true; } });
  g.indexedDB = previous;
  const newer = await Promise.race([opening, new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000))]);
  assert.ok(newer, 'the newer schema opened while the older connection was open');
  assert.equal(newer.version, SCHEMA_VERSION + 1);
  assert.equal(blocked, false);
  await assert.rejects(older.get('meta', Meta.nextSeq)); // the older connection closed itself
  newer.close();
});
