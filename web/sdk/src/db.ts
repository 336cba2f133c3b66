/**
 * The local IndexedDB store (through idb). One database per profile and user holds the entities, the
 * outbox, sync metadata, conflicts, refused changes and what the device knows of each note body's
 * server copy; note bodies themselves live in y-indexeddb's own databases. A small per-profile
 * database holds the session (who is signed in and the tokens) so every tab finds it.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { JsonObject, OutboxEntry } from './coalesce.js';
import type { SyncConflict, RejectedChange } from './types.js';
import type { WireConflict } from './transport.js';

/** One entity as stored: `data` is the local view (full JSON, unknown fields kept), `shadow` the last known server state. */
export interface LocalEntity {
  entity_type: string;
  entity_id: string;
  data: JsonObject;
  /** The local version (the server's, plus one per local edit). */
  sync_version: number;
  /** The server's version as last seen, 0 when the server never had it. */
  server_version: number;
  is_archived: boolean;
  is_contact_zero: boolean;
  /**
   * The same object as `data` when the local view is the server state as pulled: the row then holds it
   * once (structured cloning keeps the identity), which makes a pulled row about half the size. Code
   * that changes `data` or `shadow` in place first calls {@link ownShadow}.
   */
  shadow: JsonObject | null;
  /** Milliseconds, or null. */
  last_synced_at: number | null;
}

/** Gives the row a shadow of its own when it shares one object with `data`, before either is changed in place. */
export function ownShadow(entity: LocalEntity): LocalEntity {
  if (entity.shadow !== null && entity.shadow === entity.data) entity.shadow = structuredClone(entity.data);
  return entity;
}

/** What the device knows of a note body's server copy (the .NET SDK's `documents` row). */
export interface DocumentInfo {
  note_id: string;
  /** The server's state vector after the last sync, or null when never synced. */
  server_state_vector: Uint8Array | null;
  sync_version: number;
  /** True while the body has local edits the server does not have. */
  dirty: boolean;
  /** Increased on every local edit; a sync clears `dirty` only when it is unchanged. */
  local_seq: number;
  last_synced_at: number | null;
  error: { code: string; message: string } | null;
}

/** One answered change of a push batch, as the server answered it. */
export interface AckedItem {
  entry: OutboxEntry;
  /** The server's new version of the entity (0 when refused). */
  version: number;
  conflict: WireConflict | null;
  error: { code: string; message: string } | null;
}

/**
 * A push answer as it came in (schema 3): the answered entries left the outbox in the same transaction,
 * and the entities take the answer's versions and server state afterwards ({@link SyncSchema.acked}).
 */
export interface AckedBatch {
  /** The batch's last outbox seq (batches never share one). */
  seq: number;
  /** In batch order. */
  items: AckedItem[];
  /** The entities the server accepted a change of (the `by_entity` index, one index entry each). */
  keys: [string, string][];
}

export interface SyncSchema extends DBSchema {
  /** Keyed by [type, id]: one type's rows are the key range {@link typeRange} (schema 4 dropped the `by_type` index). */
  entities: { key: [string, string]; value: LocalEntity };
  /** Keyed by a generated seq (schema 6; before it, the seq the writer read from the outbox marks). */
  outbox: { key: number; value: StoredEntry; indexes: { by_entity: [string, string] } };
  meta: { key: string; value: unknown };
  conflicts: { key: string; value: SyncConflict & { seq: number } };
  rejected: { key: string; value: RejectedChange & { at: number } };
  documents: { key: string; value: DocumentInfo };
  /**
   * Push answers recorded but not yet applied to their entities (schema 3). Recording an answer is one
   * row, however many changes it answers; the loop applies it to the entities beside the next requests
   * and before it pulls, and a write reads the versions it holds for its entity.
   */
  acked: { key: number; value: AckedBatch; indexes: { by_entity: [string, string] } };
}

export type SyncDb = IDBPDatabase<SyncSchema>;

/**
 * The outbox's mark, read by every edit and every batch taken. `sentThrough`: the largest seq ever taken
 * into a push batch (schema 2): entries at or below it are in flight or were sent by a push that failed,
 * frozen, never coalesced into again. Batches are taken oldest first over a contiguous key range, so one
 * number marks them all. (Schema 5 kept the next seq in the same row; since schema 6 the outbox's key
 * generator gives it.)
 */
export interface OutboxMarks {
  sentThrough: number;
}

/** The marks as stored, or those of an empty outbox. */
export function outboxMarks(stored: unknown): OutboxMarks {
  const m = stored as Partial<OutboxMarks> | undefined;
  return { sentThrough: m?.sentThrough ?? 0 };
}

/**
 * An outbox row as stored. Since schema 6 an entry's seq comes from the store's key generator when it is
 * added, and its change id is derived from it (`c<seq>`, as every schema gave it) when it is taken into a
 * batch ({@link withChangeId}); rows of older schemas carry both.
 */
export type StoredEntry = Omit<OutboxEntry, 'change_id'> & { change_id?: string };

/** The entry with its change id, derived from its seq when the row does not carry it. */
export function withChangeId(row: StoredEntry): OutboxEntry {
  return row.change_id !== undefined ? (row as OutboxEntry) : { ...row, change_id: `c${row.seq}` };
}

/** Meta keys. */
export const Meta = {
  deviceId: 'device_id',
  userId: 'user_id',
  contactZeroId: 'contact_zero_id',
  cursor: 'cursor',
  lastSyncAt: 'last_sync_at',
  /** The outbox's in-flight mark ({@link OutboxMarks}; schema 5 also kept the next seq there). */
  outboxMarks: 'outbox_marks',
  /** Schemas 1 to 4 kept the marks in two rows; the upgrade to 5 joins them. */
  nextSeq: 'next_seq',
  sentThrough: 'sent_through',
  resyncSince: 'resync_since',
  conflictSeq: 'conflict_seq',
} as const;

/**
 * The schema version. 1: the stores below, each outbox entry marked `sent` when taken into a batch.
 * 2: what was taken is one meta row ({@link Meta.sentThrough}) instead of a put per entry; a SDK of
 * schema 1 in another tab would not see it (and could coalesce into an entry in flight), so the
 * version moves and such a tab can no longer open the database.
 * 3: the `acked` store. A push answer is recorded there (with the outbox entries it answers leaving) and
 * applied to the entities after; a SDK of schema 2 would neither apply nor read it (its writes would
 * start from versions older than the server's), so the version moves again.
 * 4: the entities' `by_type` index is gone (a type's rows are a range of the [type, id] key): every
 * stored row, pulled or written, cost an index entry as well. A SDK of schema 3 lists rows through it,
 * so it gives way.
 * 5: the next seq and the in-flight mark are one meta row ({@link OutboxMarks}): a write reads one row
 * instead of two. A SDK of schema 4 would read and write the old rows, so it gives way.
 * 6: the outbox's key generator gives each new entry its seq, so a create reads nothing and an entry added
 * writes no mark. A SDK of schema 5 would give seqs from the mark, which no longer moves, so it gives way.
 */
export const SCHEMA_VERSION = 6;

/** The keys of one entity type's rows: [type, id] for every id (an array key sorts after any string). */
export function typeRange(type: string): IDBKeyRange {
  return IDBKeyRange.bound([type], [type, []]);
}

export function openSyncDb(factory: IDBFactory, name: string): Promise<SyncDb> {
  return withFactory(factory, () =>
    openDB<SyncSchema>(name, SCHEMA_VERSION, {
      async upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore('entities', { keyPath: ['entity_type', 'entity_id'] });
          createOutbox(db);
          db.createObjectStore('meta');
          db.createObjectStore('conflicts', { keyPath: 'conflictId' });
          db.createObjectStore('rejected', { keyPath: 'changeId' });
          db.createObjectStore('documents', { keyPath: 'note_id' });
          createAcked(db);
          return;
        }
        if (oldVersion < 2) await markSentEntries(tx);
        if (oldVersion < 3) createAcked(db);
        if (oldVersion < 4) tx.objectStore('entities').deleteIndex('by_type' as never);
        if (oldVersion < 5) await joinMarks(tx);
        if (oldVersion < 6) await generateSeqs(db, tx);
      },
      blocking(_current, _blocked, event) {
        // A newer SDK in another tab wants to upgrade: close this connection so that it can (an open
        // one holds the upgrade back for as long as this tab lives). This tab's later calls fail; the
        // app reloads to get the newer SDK.
        (event.target as IDBDatabase).close();
      },
    }),
  );
}

/** The outbox (schema 6): entries keyed by a generated seq, indexed by entity. */
function createOutbox(db: IDBPDatabase<SyncSchema>) {
  const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
  outbox.createIndex('by_entity', ['entity_type', 'entity_id']);
  return outbox;
}

/**
 * Schema 5 to 6: the outbox is made again with a key generator, its entries copied as they are (their seqs
 * and change ids kept). The generator then goes on after every seq ever given, entries answered and gone
 * included: a placeholder at the last one given moves it there, and goes.
 */
async function generateSeqs(db: IDBPDatabase<SyncSchema>, tx: IDBPTransaction<SyncSchema, ArrayLike<StoreNames<SyncSchema>>, 'versionchange'>): Promise<void> {
  const meta = tx.objectStore('meta');
  const [entries, marks] = await Promise.all([tx.objectStore('outbox').getAll(), meta.get(Meta.outboxMarks) as Promise<{ nextSeq?: number; sentThrough?: number } | undefined>]);
  db.deleteObjectStore('outbox');
  const outbox = createOutbox(db);
  await Promise.all(entries.map((e) => outbox.put(e)));
  const lastGiven = (marks?.nextSeq ?? 1) - 1;
  if (lastGiven > (entries.at(-1)?.seq ?? 0)) {
    await outbox.put({ seq: lastGiven } as StoredEntry);
    await outbox.delete(lastGiven);
  }
  if (marks !== undefined) await meta.put(outboxMarks(marks), Meta.outboxMarks);
}

/** Schema 3's store of recorded push answers (schemas 1 and 2 applied each answer to the entities at once). */
function createAcked(db: IDBPDatabase<SyncSchema>): void {
  db.createObjectStore('acked', { keyPath: 'seq' }).createIndex('by_entity', 'keys', { multiEntry: true });
}

/**
 * Schema 1 to 2: the entries a schema-1 push marked `sent` become the mark's range (they are the
 * oldest entries: batches are taken oldest first) and lose their flag, so one rule holds for every row.
 */
async function markSentEntries(tx: IDBPTransaction<SyncSchema, ArrayLike<StoreNames<SyncSchema>>, 'versionchange'>): Promise<void> {
  const outbox = tx.objectStore('outbox');
  let sentThrough = 0;
  for (let c = await outbox.openCursor(); c !== null; c = await c.continue()) {
    if (!c.value.sent) continue;
    sentThrough = Math.max(sentThrough, c.value.seq);
    await c.update({ ...c.value, sent: false });
  }
  if (sentThrough > 0) await tx.objectStore('meta').put(sentThrough, Meta.sentThrough);
}

/** Schema 4 to 5: the next seq and the in-flight mark move from two meta rows into one. */
async function joinMarks(tx: IDBPTransaction<SyncSchema, ArrayLike<StoreNames<SyncSchema>>, 'versionchange'>): Promise<void> {
  const meta = tx.objectStore('meta');
  const [nextSeq, sentThrough] = await Promise.all([meta.get(Meta.nextSeq), meta.get(Meta.sentThrough)]);
  if (nextSeq === undefined && sentThrough === undefined) return;
  await meta.put(outboxMarks({ nextSeq, sentThrough } as Partial<OutboxMarks>), Meta.outboxMarks);
  await Promise.all([meta.delete(Meta.nextSeq), meta.delete(Meta.sentThrough)]);
}

/** The signed-in session of a profile. */
export interface Session {
  userId: string;
  contactZeroId: string;
  accessToken: string;
  refreshToken: string | null;
  deviceId: string;
}

interface SessionSchema extends DBSchema {
  session: { key: string; value: Session | string };
}

export type SessionDb = IDBPDatabase<SessionSchema>;

export function openSessionDb(factory: IDBFactory, name: string): Promise<SessionDb> {
  return withFactory(factory, () =>
    openDB<SessionSchema>(name, 1, {
      upgrade(db) {
        db.createObjectStore('session');
      },
    }),
  );
}

/**
 * idb opens through the global `indexedDB`; a factory given in the options (tests) is swapped in for
 * the duration of the open call only.
 */
function withFactory<T>(factory: IDBFactory, open: () => Promise<T>): Promise<T> {
  const g = globalThis as { indexedDB?: IDBFactory };
  if (g.indexedDB === factory) return open();
  const previous = g.indexedDB;
  g.indexedDB = factory;
  try {
    return open(); // idb calls indexedDB.open synchronously
  } finally {
    g.indexedDB = previous;
  }
}

/**
 * Issues a request without waiting for it: its failure aborts the transaction, which the caller's
 * `await tx.done` reports, so the request's own promise is only kept from going unhandled.
 */
export function issue(request: Promise<unknown>): void {
  request.catch(() => undefined);
}
