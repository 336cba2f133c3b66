/**
 * One local write (DESIGN 5.1): the entity and its outbox entry commit in one IndexedDB transaction,
 * then the call returns. Several tabs may write at once: IndexedDB runs read-write transactions over
 * the same stores one after the other, so each write coalesces against the outbox as it really is.
 */
import { enqueue, pushable, type EditKind, type JsonObject, type LocalEdit, type OutboxEntry } from './coalesce.js';
import { Meta, outboxMarks, ownShadow, withChangeId, type AckedBatch, type LocalEntity, type StoredEntry, type SyncDb } from './db.js';
import { diff, iso } from './json.js';
import { unwrap } from 'idb';

/**
 * A write's transaction, used through IndexedDB's own interface rather than idb's promise wrappers: a
 * write is a handful of requests on the app's critical path, and the wrappers' listeners and proxies
 * were a tenth of its main-thread time.
 */
type WriteTx = IDBTransaction;

export interface WriteResult {
  entity: LocalEntity;
  /** True when the outbox changed (the loop should push). */
  queued: boolean;
  /** How many entries the outbox gained (negative: lost) with this write. */
  outboxDelta: number;
}

/**
 * Writes `kind` on the entity. `build` gives the new full data for a create or update (from the
 * current entity); delete and restore take none.
 */
export async function writeEntity(
  db: SyncDb,
  contactZeroId: string | null,
  now: number,
  entityType: string,
  entityId: string,
  kind: EditKind,
  build?: (current: JsonObject | undefined) => JsonObject,
): Promise<WriteResult> {
  // A create touches only the entity and its entry: its transaction waits for no one over the other stores.
  const tx = unwrap(db).transaction(kind === 'create' ? ['entities', 'outbox'] : ['entities', 'outbox', 'meta', 'acked'], 'readwrite');
  const done = completion(tx);
  const held = { already: false };
  try {
    const result = await (kind === 'create' ? create(tx, held, contactZeroId, now, entityType, entityId, build!) : write(tx, now, entityType, entityId, kind, build));
    await done;
    return result;
  } catch (e) {
    // A create adds the row without reading it first: an id already held fails the add, which aborts.
    if (held.already) e = new Error(`${entityType}/${entityId} already exists.`);
    done.catch(() => undefined); // the abort below rejects it; the caller gets `e`
    try {
      tx.abort();
    } catch {
      // already finished
    }
    throw e;
  }
}

/**
 * A create reads nothing (an edit reads four rows): no outbox entry and no recorded answer exists for an
 * entity the device has no row of (rows are never removed while anything is queued for them), so there is
 * nothing to coalesce into, and the outbox's key generator gives the entry its seq. The row is added, not
 * put: an id already held fails the add (`held.already`), which aborts the whole transaction.
 */
function create(
  tx: WriteTx,
  held: { already: boolean },
  contactZeroId: string | null,
  now: number,
  entityType: string,
  entityId: string,
  build: (current: JsonObject | undefined) => JsonObject,
): WriteResult {
  const stamp = iso(now);
  const isContactZero = entityType === 'contact' && contactZeroId !== null && entityId === contactZeroId;
  const data = build(undefined);
  delete data['is_contact_zero'];
  setMetadata(data, entityId, stamp, stamp, 1, false);
  if (isContactZero) data['is_contact_zero'] = true;
  const entity: LocalEntity = {
    entity_type: entityType,
    entity_id: entityId,
    data,
    sync_version: 1,
    server_version: 0,
    is_archived: false,
    is_contact_zero: isContactZero,
    shadow: null,
    last_synced_at: null,
  };
  const added = tx.objectStore('entities').add(entity);
  added.onerror = () => {
    if (added.error?.name === 'ConstraintError') held.already = true;
  };
  const outbox = new EntityOutbox(tx, []);
  const queued = !isContactZero && outbox.enqueue(entity, { kind: 'create', data: pushable(data), sync_version: 1, client_timestamp: stamp, base_version: 0 });
  outbox.flush();
  return { entity, queued, outboxDelta: outbox.delta };
}

/** An update, delete or restore of a row the device holds. */
async function write(
  tx: WriteTx,
  now: number,
  entityType: string,
  entityId: string,
  kind: Exclude<EditKind, 'create'>,
  build: ((current: JsonObject | undefined) => JsonObject) | undefined,
): Promise<WriteResult> {
  const entities = tx.objectStore('entities');
  const stamp = iso(now);
  // The reads go out together: one round trip to IndexedDB (DESIGN 5.1 latency).
  const [found, queuedEntries, storedMarks, acked] = await Promise.all([
    result<LocalEntity | undefined>(entities.get([entityType, entityId])),
    result<StoredEntry[]>(tx.objectStore('outbox').index('by_entity').getAll([entityType, entityId])),
    result(tx.objectStore('meta').get(Meta.outboxMarks)),
    result<AckedBatch[]>(tx.objectStore('acked').index('by_entity').getAll([entityType, entityId])),
  ]);
  const entity = found === undefined ? undefined : ownShadow(found);
  const outbox = new EntityOutbox(tx, withSent(queuedEntries.map(withChangeId), outboxMarks(storedMarks).sentThrough));
  if (entity === undefined) throw new Error(`${entityType}/${entityId} does not exist on this device.`);
  if (entity.is_contact_zero && kind === 'delete') throw new Error("Contact Zero is the user's own identity and cannot be deleted.");

  const edits: { kind: EditKind; patch: JsonObject | null }[] = [];
  if (kind === 'update') {
    const patch = diff(entity.data, build!(structuredClone(entity.data)));
    const archived = patch['is_archived'];
    if ('is_archived' in patch) delete patch['is_archived'];
    // Archiving through an update is a delete or a restore, so the outbox coalesces it as one.
    if (typeof archived === 'boolean' && archived !== entity.is_archived) {
      const hasFields = Object.keys(patch).length > 0;
      if (archived && hasFields) edits.push({ kind: 'update', patch });
      edits.push({ kind: archived ? 'delete' : 'restore', patch: null });
      if (!archived && hasFields) edits.push({ kind: 'update', patch });
    } else if (Object.keys(patch).length > 0) {
      edits.push({ kind: 'update', patch });
    }
  } else if ((kind === 'delete' && !entity.is_archived) || (kind === 'restore' && entity.is_archived)) {
    edits.push({ kind, patch: null });
  }

  // A push answer recorded but not yet applied to the entity holds its newest server version: the
  // edits start from it, as they would once the answer is applied.
  const serverVersion = Math.max(entity.server_version, ackedVersion(acked, entityType, entityId));
  if (edits.length > 0) entity.sync_version = Math.max(entity.sync_version, serverVersion);
  let queued = false;
  for (const edit of edits) {
    entity.sync_version++;
    // The patch's values are copies already (diff makes them), and the outbox entry copies its own.
    if (edit.patch !== null) Object.assign(entity.data, edit.patch);
    if (edit.kind === 'delete' || edit.kind === 'restore') entity.is_archived = edit.kind === 'delete';
    setMetadata(entity.data, entityId, String(entity.data['created_at'] ?? stamp), stamp, entity.sync_version, entity.is_archived);
    if (!entity.is_contact_zero) {
      queued = outbox.enqueue(entity, {
        kind: edit.kind,
        data: edit.patch,
        sync_version: entity.sync_version,
        client_timestamp: stamp,
        base_version: serverVersion,
      }) || queued;
    }
  }
  if (edits.length > 0) entities.put(entity);
  outbox.flush();
  return { entity, queued, outboxDelta: outbox.delta };
}

/**
 * The entity's outbox entries as read at the start of the write, kept current as edits coalesce into
 * them; {@link flush} issues the requests once the write's edits are made, without waiting for each (a
 * failed one aborts the transaction, which the write's completion reports).
 */
class EntityOutbox {
  readonly #tx: WriteTx;
  readonly #entries: Map<number, OutboxEntry>;
  /**
   * The entry this write adds, if any. Its seq is the store's to give when it is added (schema 6), so
   * until then it holds {@link UNSAVED}; the write's later edits coalesce into it in memory.
   */
  #added: OutboxEntry | null = null;
  /** Entries as read that the write changed (null: emptied, deleted), by seq. */
  readonly #changed = new Map<number, OutboxEntry | null>();
  /** Entries added minus entries removed so far. */
  delta = 0;

  constructor(tx: WriteTx, entries: OutboxEntry[]) {
    this.#tx = tx;
    this.#entries = new Map(entries.map((e) => [e.seq, e]));
  }

  /** The entity's newest entry: the one this write adds, or the newest read. */
  get #last(): OutboxEntry | undefined {
    if (this.#added !== null) return this.#added;
    let last: OutboxEntry | undefined;
    for (const e of this.#entries.values()) if (last === undefined || e.seq > last.seq) last = e;
    return last;
  }

  /** Adds the edit, coalescing it into the entity's open entry. False when nothing is left to push. */
  enqueue(entity: LocalEntity, edit: LocalEdit): boolean {
    const result = enqueue(this.#last, edit, entity.data, entity.entity_type, entity.entity_id, () => ({ seq: UNSAVED, changeId: '' }));
    const unsaved = result.outcome !== 'nothing' && result.entry.seq === UNSAVED;
    switch (result.outcome) {
      case 'inserted':
        this.#added = result.entry;
        this.delta++;
        return true;
      case 'updated':
        if (unsaved) this.#added = result.entry;
        else {
          this.#entries.set(result.entry.seq, result.entry);
          this.#changed.set(result.entry.seq, result.entry);
        }
        return true;
      case 'removed':
        if (unsaved) this.#added = null;
        else {
          this.#entries.delete(result.entry.seq);
          this.#changed.set(result.entry.seq, null);
        }
        this.delta--;
        return false;
      default:
        return false;
    }
  }

  /** Issues the outbox's requests for the write's edits (in order: IndexedDB applies them so). */
  flush(): void {
    const outbox = this.#tx.objectStore('outbox');
    for (const [seq, entry] of this.#changed) {
      if (entry === null) outbox.delete(seq);
      else outbox.put(entry);
    }
    if (this.#added !== null) {
      // The store gives the seq (and so the change id, derived from it when the entry is taken).
      const row: Partial<OutboxEntry> = { ...this.#added };
      delete row.seq;
      delete row.change_id;
      outbox.add(row);
    }
  }
}

/** The seq of an entry the write has not added yet (the store's seqs start at 1). */
const UNSAVED = 0;

/** The newest version the server answered for the entity in recorded push answers (0: none). */
export function ackedVersion(batches: AckedBatch[], entityType: string, entityId: string): number {
  let version = 0;
  for (const batch of batches) {
    for (const item of batch.items) {
      if (item.error === null && item.entry.entity_type === entityType && item.entry.entity_id === entityId) version = Math.max(version, item.version);
    }
  }
  return version;
}

/**
 * The entries with `sent` as the coalescer reads it: taken into a batch, which since schema 2 is the
 * meta mark (every entry at or below it), not a flag on the row.
 */
export function withSent(entries: OutboxEntry[], sentThrough: number): OutboxEntry[] {
  return entries.map((e) => (e.seq <= sentThrough && !e.sent ? { ...e, sent: true } : e));
}

/** Writes the metadata fields the app sees on the entity. */
export function setMetadata(data: JsonObject, id: string, createdAt: string, updatedAt: string, syncVersion: number, archived: boolean): void {
  data['id'] = id;
  data['created_at'] = createdAt;
  data['updated_at'] = updatedAt;
  data['sync_version'] = syncVersion;
  data['is_archived'] = archived;
}


/** A request's result (its error rejects; the transaction aborts with it as well). */
function result<T = unknown>(request: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

/** The transaction's end: resolves when it commits, rejects when it aborts. */
function completion(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('The write was aborted.', 'AbortError'));
  });
}
