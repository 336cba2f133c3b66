/**
 * One sync step's push and pull against the local store (DESIGN 5.2, 5.3), the .NET SDK's
 * SyncClient.Push/Pull. The loop (loop.ts) decides when they run; this file decides what they do.
 */
import type { JsonObject, OutboxEntry } from './coalesce.js';
import { Meta, type LocalEntity, type SyncDb } from './db.js';
import { SchemaMismatchError, SyncError } from './errors.js';
import { changedFields, compareStamps, field, isArchived, isDerived, sameField, type Stamp } from './json.js';
import { toPushChange, type HttpTransport, type PullAnswer, type PushAnswer, type PulledChange, type WireConflict } from './transport.js';
import type { Auth } from './auth.js';
import type { RejectedChange, RemoteChange, SyncConflict, SyncProgress } from './types.js';
import { ENTITY_TYPES } from './types.js';
import { issue, setMetadata } from './writes.js';

export interface EngineOptions {
  deviceId: string;
  contactZeroId: string | null;
  schemaVersion: string;
  clientVersion: string | undefined;
  pushBatchSize: number;
  pullPageSize: number;
  now: () => number;
}

export interface EngineEvents {
  progress(progress: SyncProgress): void;
  conflict(conflict: SyncConflict): void;
  rejected(change: RejectedChange): void;
  /** Entities this device now holds differently (for store subscribers in every tab). */
  changed(keys: { entityType: string; entityId: string }[]): void;
}

export class SyncEngine {
  readonly #db: SyncDb;
  readonly #transport: HttpTransport;
  readonly #auth: Auth;
  readonly #options: EngineOptions;
  readonly #events: EngineEvents;

  constructor(db: SyncDb, transport: HttpTransport, auth: Auth, options: EngineOptions, events: EngineEvents) {
    this.#db = db;
    this.#transport = transport;
    this.#auth = auth;
    this.#options = options;
    this.#events = events;
  }

  // ---- push ----

  /**
   * Pushes the outbox in batches, oldest first. Edits made while it runs wait for the next step. The
   * next batch goes out as soon as an answer is in, while that answer is recorded locally (the .NET
   * SDK's overlap): the server has answered batch n before batch n+1 is sent, so the order the server
   * sees is unchanged; only the local bookkeeping runs beside the next request.
   */
  async push(): Promise<{ pushed: number; rejected: number; conflicts: number }> {
    const result = { pushed: 0, rejected: 0, conflicts: 0 };
    const lastKey = await lastOutboxSeq(this.#db);
    if (lastKey === null) return result;
    const total = await this.#db.count('outbox');
    let done = 0;
    this.#report('push', 0, total);
    let batch = await this.#takeBatch(0, lastKey);
    if (batch.length === 0) return result;
    let request = this.#send(batch);
    for (;;) {
      const answer = await request;
      const after = batch[batch.length - 1]!.seq;
      const next = after < lastKey ? await this.#takeBatch(after, lastKey) : [];
      const nextRequest = next.length > 0 ? this.#send(next) : null;
      nextRequest?.catch(() => undefined); // awaited on the next round; a failure here must not go unhandled meanwhile
      const { conflicts, rejected, answered, changed } = await this.#applyPushAnswer(batch, answer);
      for (const c of conflicts) this.#events.conflict(c);
      for (const r of rejected) this.#events.rejected(r);
      if (changed.length > 0) this.#events.changed(changed);
      if (answered === 0) {
        // The batch sent meanwhile is answered or not: either way it is resent with the same change ids.
        throw new SyncError('INCOMPLETE_RESPONSE', "The push answer named none of the batch's changes; the batch will be sent again.", 200, true);
      }
      result.pushed += answer.successful.length;
      result.rejected += rejected.length;
      result.conflicts += conflicts.length;
      done += batch.length;
      if (nextRequest === null) {
        this.#report('push', done, done);
        return result;
      }
      const left = await this.#db.count('outbox', IDBKeyRange.bound(after, lastKey, true, false));
      this.#report('push', done, done + left);
      batch = next;
      request = nextRequest;
    }
  }

  /** Takes the oldest entries in (after, upTo] as a batch and marks them sent, in one transaction. */
  async #takeBatch(after: number, upTo: number): Promise<OutboxEntry[]> {
    const tx = this.#db.transaction('outbox', 'readwrite');
    const entries = await tx.store.getAll(IDBKeyRange.bound(after, upTo, true, false), this.#options.pushBatchSize);
    for (const entry of entries) {
      if (!entry.sent) {
        entry.sent = true;
        issue(tx.store.put(entry));
      }
    }
    await tx.done;
    return entries;
  }

  /**
   * Sends one batch. A whole-request 400 or 413 is narrowed down by halving the batch, so only a
   * change the server refuses on its own is reported as refused (DESIGN 5.2).
   */
  async #send(batch: OutboxEntry[]): Promise<PushAnswer> {
    try {
      return await this.#auth.authorized((token) =>
        this.#transport.push(token, {
          device_id: this.#options.deviceId,
          ...(this.#options.clientVersion !== undefined ? { client_version: this.#options.clientVersion } : {}),
          schema_version: this.#options.schemaVersion,
          sync_timestamp: new Date(this.#options.now()).toISOString(),
          changes: batch.map(toPushChange),
        }),
      );
    } catch (e) {
      if (!(e instanceof SyncError) || e instanceof SchemaMismatchError || (e.status !== 400 && e.status !== 413) || !isChangeLevel(e)) throw e;
      if (batch.length === 1) {
        // A batch of one refused whole names this change only when the change itself is over a
        // per-change limit; otherwise the request is at fault and nothing is rejected (DESIGN 5.2).
        const entry = batch[0]!;
        if (e.status !== 413 || JSON.stringify(entry.data ?? {}).length <= MAX_ENTITY_BYTES) throw e;
        return {
          successful: [],
          failed: [{ change_id: entry.change_id, entity_type: entry.entity_type, entity_id: entry.entity_id, error: { code: e.code, message: e.message } }],
          conflicts: [],
        };
      }
      const half = Math.floor(batch.length / 2);
      const first = await this.#send(batch.slice(0, half));
      const second = await this.#send(batch.slice(half));
      return {
        successful: [...first.successful, ...second.successful],
        failed: [...first.failed, ...second.failed],
        conflicts: [...first.conflicts, ...second.conflicts],
      };
    }
  }

  /**
   * Records a push answer: answered entries leave the outbox, entities take the server's version,
   * conflicts and refusals are stored. In transactions of {@link ANSWER_CHUNK} changes whose reads go
   * out together, so a local write waits at most for one short transaction.
   */
  async #applyPushAnswer(batch: OutboxEntry[], answer: PushAnswer) {
    const byId = new Map(batch.map((e) => [e.change_id, e]));
    const conflictsByChange = new Map<string, WireConflict>();
    for (const c of answer.conflicts) if (!conflictsByChange.has(c.change_id)) conflictsByChange.set(c.change_id, c);
    const items: AnswerItem[] = [];
    for (const ok of answer.successful) {
      const entry = byId.get(ok.change_id);
      if (entry === undefined) continue;
      byId.delete(ok.change_id);
      items.push({ entry, version: ok.sync_version, conflict: conflictsByChange.get(ok.change_id) ?? null, error: null });
    }
    for (const failed of answer.failed) {
      const entry = byId.get(failed.change_id);
      if (entry === undefined) continue;
      byId.delete(failed.change_id);
      items.push({ entry, version: 0, conflict: null, error: { code: String(failed.error?.code ?? 'UNKNOWN'), message: String(failed.error?.message ?? '') } });
    }
    const out = { conflicts: [] as SyncConflict[], rejected: [] as RejectedChange[], answered: items.length, changed: [] as { entityType: string; entityId: string }[] };
    for (let i = 0; i < items.length; i += ANSWER_CHUNK) {
      await this.#applyAnswerChunk(items.slice(i, i + ANSWER_CHUNK), out);
    }
    return out;
  }

  async #applyAnswerChunk(
    items: AnswerItem[],
    out: { conflicts: SyncConflict[]; rejected: RejectedChange[]; changed: { entityType: string; entityId: string }[] },
  ): Promise<void> {
    const now = this.#options.now();
    const tx = this.#db.transaction(['entities', 'outbox', 'conflicts', 'rejected', 'meta'], 'readwrite');
    const entities = tx.objectStore('entities');
    const outbox = tx.objectStore('outbox');
    const answeredSeqs = new Set(items.map((i) => i.entry.seq));
    const okKeys = uniqueKeys(items.filter((i) => i.error === null).map((i) => i.entry));
    const winnerKeys = uniqueKeys(items.filter((i) => i.conflict?.winner !== undefined && i.conflict?.winner !== null).map((i) => i.entry));
    const [seqNow, rows, queued] = await Promise.all([
      tx.objectStore('meta').get(Meta.conflictSeq) as Promise<number | undefined>,
      Promise.all(okKeys.map((k) => entities.get(k))),
      Promise.all(winnerKeys.map((k) => outbox.index('by_entity').getAll(k))),
    ]);
    let conflictSeq = seqNow ?? 0;
    const current = new Map<string, LocalEntity>();
    okKeys.forEach((k, n) => {
      const row = rows[n];
      if (row !== undefined) current.set(keyOf(k[0], k[1]), row);
    });
    const remainingOf = new Map<string, OutboxEntry[]>();
    winnerKeys.forEach((k, n) => remainingOf.set(keyOf(k[0], k[1]), queued[n]!.filter((e) => !answeredSeqs.has(e.seq))));
    const touched = new Set<LocalEntity>();
    for (const { entry, version, conflict, error } of items) {
      issue(outbox.delete(entry.seq));
      if (error !== null) {
        const change: RejectedChange = { changeId: entry.change_id, entityType: entry.entity_type, entityId: entry.entity_id, operation: entry.operation, ...error };
        issue(tx.objectStore('rejected').put({ ...change, at: now }));
        out.rejected.push(change);
        continue;
      }
      const key = keyOf(entry.entity_type, entry.entity_id);
      const entity = current.get(key);
      if (entity === undefined) continue;
      if (conflict !== null) {
        const stored = toConflict(conflict, conflict.needs_review ? 'open' : 'auto_resolved');
        issue(tx.objectStore('conflicts').put({ ...stored, seq: ++conflictSeq }));
        out.conflicts.push(stored);
        if (conflict.winner !== undefined && conflict.winner !== null && typeof conflict.winner === 'object') {
          // The server's merge decided; edits made since (still pending) stay on top of it.
          const winner = structuredClone(conflict.winner);
          entity.shadow = structuredClone(winner);
          for (const name of pendingFields(remainingOf.get(key) ?? [], this.#options.deviceId).keys()) {
            winner[name] = structuredClone(field(entity.data, name));
          }
          entity.data = winner;
          entity.is_archived = isArchived(winner);
          out.changed.push({ entityType: entity.entity_type, entityId: entity.entity_id });
        }
      } else {
        const shadow = entity.shadow ?? {};
        if (entry.data !== null) Object.assign(shadow, structuredClone(entry.data));
        if (entry.operation === 'delete') shadow['is_archived'] = true;
        entity.shadow = shadow;
      }
      entity.server_version = Math.max(entity.server_version, version);
      entity.sync_version = Math.max(entity.sync_version, version);
      setMetadata(entity.data, entity.entity_id, String(entity.data['created_at'] ?? ''), String(entity.data['updated_at'] ?? ''), entity.sync_version, entity.is_archived);
      entity.last_synced_at = now;
      touched.add(entity);
    }
    for (const entity of touched) issue(entities.put(entity));
    issue(tx.objectStore('meta').put(conflictSeq, Meta.conflictSeq));
    await tx.done;
  }

  /** The cursor of the last page this device committed (null before the first pull of this session). */
  lastCursor: string | null = null;

  // ---- pull ----

  /**
   * Pulls every page after the stored cursor. Each page and the cursor after it commit in one
   * transaction, so a tab closed mid-pull resumes from the last committed page without a gap. 410
   * RESYNC_REQUIRED starts again from the beginning; the outbox is kept and merged as usual.
   */
  async pull(): Promise<{ pulled: number; changes: RemoteChange[] }> {
    let cursor = ((await this.#db.get('meta', Meta.cursor)) as string | undefined) ?? null;
    let total = 0;
    let resynced = false;
    const changes: RemoteChange[] = [];
    this.#report('pull', 0, null);
    const ask = (from: string | null): Promise<PullAnswer> => {
      const request = this.#auth.authorized((token) =>
        this.#transport.pull(token, { device_id: this.#options.deviceId, schema_version: this.#options.schemaVersion, cursor: from, limit: this.#options.pullPageSize }));
      request.catch(() => undefined); // awaited below; must not go unhandled while a page is stored
      return request;
    };
    // From the beginning (a first sync, a resync), the rows the device holds are listed in one request,
    // so a page's entities that cannot be here yet are not read one by one (see #applyPage).
    const heldRows = async () => new Set((await this.#db.getAllKeys('entities')).map((k) => keyOf(...(k as [string, string]))));
    let held = cursor === null ? await heldRows() : null;
    let request = ask(cursor);
    for (;;) {
      let page: PullAnswer;
      try {
        page = await request;
      } catch (e) {
        if (e instanceof SyncError && e.code === 'RESYNC_REQUIRED' && !resynced) {
          resynced = true;
          cursor = null;
          held = await heldRows();
          const tx = this.#db.transaction('meta', 'readwrite');
          if ((await tx.store.get(Meta.resyncSince)) === undefined) await tx.store.put(this.#options.now(), Meta.resyncSince);
          await tx.done;
          request = ask(null);
          continue;
        }
        throw e;
      }
      // The next page is asked for while this one is stored (its cursor commits with it).
      const next = page.has_more ? ask(page.cursor) : null;
      const { raised, keys } = await this.#applyPage(page, held);
      changes.push(...raised);
      if (keys.length > 0) this.#events.changed(keys);
      total += page.changes.length;
      cursor = page.cursor;
      this.lastCursor = page.cursor;
      // `remaining: 0` on a page that says has_more is no count at all (a server that does not fill it):
      // the total stays unknown rather than showing 100 % before the end.
      const remaining = typeof page.remaining === 'number' && page.remaining >= 0 && !(page.has_more && page.remaining === 0) ? page.remaining : null;
      this.#report('pull', total, page.has_more ? (remaining === null ? null : total + remaining) : total);
      if (next === null) {
        const removed = await this.#finishResync();
        changes.push(...removed);
        if (removed.length > 0) this.#events.changed(removed.map((r) => ({ entityType: r.entityType, entityId: r.entityId })));
        return { pulled: total, changes };
      }
      request = next;
    }
  }

  /**
   * Stores one page and the cursor after it in one transaction. Every read goes out at once (the
   * entities, then the pending outbox entries of those the device holds), the merge runs in memory,
   * and the writes are issued together: a few round trips per page rather than several per entity.
   */
  async #applyPage(page: PullAnswer, held: Set<string> | null) {
    const now = this.#options.now();
    const tx = this.#db.transaction(['entities', 'outbox', 'meta'], 'readwrite');
    const entities = tx.objectStore('entities');
    const outbox = tx.objectStore('outbox');
    const usable = page.changes.filter((c) => this.#usable(c));
    const keys = uniqueKeys(usable);
    // `held`: every row the device had when this pull began at the start, plus those this pull stored. A key
    // outside it has no row (writes meanwhile create new ids, which no page carries): no read for it.
    const read = (k: [string, string]) => (held === null || held.has(keyOf(k[0], k[1])) ? entities.get(k) : Promise.resolve(undefined));
    const [pendingCount, rows] = await Promise.all([outbox.count(), Promise.all(keys.map(read))]);
    const current = new Map<string, LocalEntity | undefined>();
    keys.forEach((k, n) => current.set(keyOf(k[0], k[1]), rows[n]));
    const pendingOf = new Map<string, OutboxEntry[]>();
    if (pendingCount > 0) {
      const held = keys.filter((k, n) => rows[n] !== undefined && !rows[n]!.is_contact_zero);
      const queued = await Promise.all(held.map((k) => outbox.index('by_entity').getAll(k)));
      held.forEach((k, n) => pendingOf.set(keyOf(k[0], k[1]), queued[n]!));
    }
    const raised: RemoteChange[] = [];
    const stored = new Map<string, LocalEntity>();
    for (const change of usable) {
      const key = keyOf(change.entity_type, change.entity_id);
      const result = this.#merge(current.get(key), change, pendingOf.get(key) ?? [], now);
      if (result === null) continue;
      current.set(key, result.entity);
      stored.set(key, result.entity);
      if (result.raised !== null) raised.push(result.raised);
    }
    for (const [key, entity] of stored) {
      issue(entities.put(entity));
      held?.add(key);
    }
    issue(tx.objectStore('meta').put(page.cursor, Meta.cursor));
    await tx.done;
    return { raised, keys: [...stored.values()].map((e) => ({ entityType: e.entity_type, entityId: e.entity_id })) };
  }

  /** A pulled change this device stores: a known type with an object body, never Contact Zero. */
  #usable(change: PulledChange): boolean {
    if (!(ENTITY_TYPES as readonly string[]).includes(change.entity_type)) return false;
    if (change.data === null || typeof change.data !== 'object' || Array.isArray(change.data)) return false;
    return !(change.entity_type === 'contact' && change.entity_id === this.#options.contactZeroId);
  }

  /**
   * The server's state of an entity applied to the local row: as is when nothing is pending for it,
   * otherwise merged with the pending edits as the server will merge them (field-level LWW, DESIGN 4).
   * Null when the row stays as it is.
   */
  #merge(local: LocalEntity | undefined, change: PulledChange, pending: OutboxEntry[], now: number): { entity: LocalEntity; raised: RemoteChange | null } | null {
    const { entity_type: type, entity_id: id } = change;
    const remote = change.data;
    const version = change.sync_version;
    const archived = remote['is_archived'] === true || change.operation === 'delete';
    const other = change.modified_by_device !== this.#options.deviceId;
    if (local === undefined) {
      const entity: LocalEntity = {
        entity_type: type, entity_id: id, data: structuredClone(remote), sync_version: version, server_version: version,
        is_archived: archived, is_contact_zero: false, shadow: remote, last_synced_at: now,
      };
      const fields = Object.keys(remote).filter((n) => !isDerived(n));
      return { entity, raised: other ? { entityType: type, entityId: id, fields, archived } : null };
    }
    if (local.is_contact_zero) return null;
    if (version < local.server_version) return null;
    let changed: string[];
    if (pending.length === 0 && local.sync_version <= version) {
      changed = other ? changedFields(local.data, remote) : [];
      local.data = structuredClone(remote);
      local.sync_version = version;
      local.is_archived = archived;
    } else {
      const merged = structuredClone(remote);
      if (pending.length > 0) {
        const remoteStamp: Stamp = { version, time: Date.parse(change.updated_at) || 0, device: change.modified_by_device };
        for (const [name, stamp] of pendingFields(pending, this.#options.deviceId)) {
          const remoteChanged = !sameField(local.shadow, remote, name);
          if (!remoteChanged || compareStamps(stamp, remoteStamp) > 0) merged[name] = structuredClone(field(local.data, name));
        }
      }
      local.sync_version = Math.max(local.sync_version, version);
      local.is_archived = isArchived(merged);
      const updatedAt = pending.length === 0 ? change.updated_at : maxIso(String(local.data['updated_at'] ?? ''), change.updated_at);
      setMetadata(merged, id, String(remote['created_at'] ?? local.data['created_at'] ?? updatedAt), updatedAt, local.sync_version, local.is_archived);
      changed = changedFields(local.data, merged);
      local.data = merged;
    }
    local.server_version = version;
    local.shadow = remote;
    local.last_synced_at = now;
    return { entity: local, raised: changed.length > 0 && other ? { entityType: type, entityId: id, fields: changed, archived: local.is_archived } : null };
  }

  /** After a full resync: removes what the server no longer has (purged tombstones), unless pending or never pushed. */
  async #finishResync(): Promise<RemoteChange[]> {
    const tx = this.#db.transaction(['entities', 'outbox', 'meta'], 'readwrite');
    const since = (await tx.objectStore('meta').get(Meta.resyncSince)) as number | undefined;
    const removed: RemoteChange[] = [];
    if (since !== undefined) {
      let c = await tx.objectStore('entities').openCursor();
      while (c !== null) {
        const e: LocalEntity = c.value;
        if (e.server_version > 0 && !e.is_contact_zero && (e.last_synced_at === null || e.last_synced_at < since)
          && (await tx.objectStore('outbox').index('by_entity').count([e.entity_type, e.entity_id])) === 0) {
          if (!e.is_archived) removed.push({ entityType: e.entity_type, entityId: e.entity_id, fields: ['is_archived'], archived: true });
          await c.delete();
        }
        c = await c.continue();
      }
      await tx.objectStore('meta').delete(Meta.resyncSince);
    }
    await tx.done;
    return removed;
  }

  #report(phase: SyncProgress['phase'], done: number, total: number | null): void {
    const percent = total !== null && total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : total === 0 ? 100 : null;
    const count = total ?? done;
    const message = phase === 'pull'
      ? `Syncing ${count.toLocaleString('en-US')} changes…${percent !== null ? ` ${percent}%` : ''}`
      : phase === 'push'
        ? `Sending ${count.toLocaleString('en-US')} changes…${percent !== null ? ` ${percent}%` : ''}`
        : `Syncing note bodies…`;
    this.#events.progress({ phase, done, total, percent, message });
  }
}

/** Every field the pending entries set, with the stamp of the newest entry that sets it. */
export function pendingFields(pending: OutboxEntry[], deviceId: string): Map<string, Stamp> {
  const fields = new Map<string, Stamp>();
  for (const entry of [...pending].sort((a, b) => a.seq - b.seq)) {
    const stamp: Stamp = { version: entry.sync_version, time: Date.parse(entry.client_timestamp) || 0, device: deviceId };
    if (entry.operation === 'delete') fields.set('is_archived', stamp);
    if (entry.data === null) continue;
    for (const name of Object.keys(entry.data)) if (!isDerived(name)) fields.set(name, stamp);
  }
  return fields;
}

export function toConflict(c: WireConflict, fallbackStatus: string): SyncConflict {
  return {
    conflictId: c.conflict_id,
    changeId: c.change_id,
    entityType: c.entity_type,
    entityId: c.entity_id,
    fields: Array.isArray(c.fields) ? c.fields : [],
    resolution: c.resolution,
    needsReview: c.needs_review === true,
    status: c.status ?? fallbackStatus,
    winner: c.winner ?? null,
    winnerRef: c.winner_ref ?? null,
    local: c.local ?? {},
    remote: c.remote ?? {},
  };
}

async function lastOutboxSeq(db: SyncDb): Promise<number | null> {
  const cursor = await db.transaction('outbox').store.openKeyCursor(null, 'prev');
  return cursor === null ? null : cursor.key;
}

/** A whole-request 400/413 that may be about one change (not the device id or the encoding). */
function isChangeLevel(e: SyncError): boolean {
  return e.code === 'VALIDATION_FAILED' || e.code === 'PAYLOAD_TOO_LARGE' || e.code === 'ENTITY_TOO_LARGE';
}

/** One answered change of a push batch. */
interface AnswerItem {
  entry: OutboxEntry;
  version: number;
  conflict: WireConflict | null;
  error: { code: string; message: string } | null;
}

/** Changes recorded per transaction (the .NET SDK records answers 25 at a time). */
const ANSWER_CHUNK = 25;

function keyOf(type: string, id: string): string {
  return `${type}\u0000${id}`;
}

/** The distinct [type, id] keys, in first-seen order. */
function uniqueKeys(items: { entity_type: string; entity_id: string }[]): [string, string][] {
  const seen = new Set<string>();
  const keys: [string, string][] = [];
  for (const i of items) {
    const key = keyOf(i.entity_type, i.entity_id);
    if (seen.has(key)) continue;
    seen.add(key);
    keys.push([i.entity_type, i.entity_id]);
  }
  return keys;
}

/** The server's default per-change entity limit (DESIGN 8: 256 KiB). */
const MAX_ENTITY_BYTES = 256 * 1024;

function maxIso(a: string, b: string): string {
  return (Date.parse(a) || 0) >= (Date.parse(b) || 0) ? a : b;
}
