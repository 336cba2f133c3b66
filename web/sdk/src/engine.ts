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
import { setMetadata } from './writes.js';

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

  /** Pushes the outbox in batches, oldest first. Edits made while it runs wait for the next step. */
  async push(): Promise<{ pushed: number; rejected: number; conflicts: number }> {
    const result = { pushed: 0, rejected: 0, conflicts: 0 };
    const lastKey = await lastOutboxSeq(this.#db);
    if (lastKey === null) return result;
    let total = await this.#db.count('outbox');
    let done = 0;
    let after = 0;
    this.#report('push', 0, total);
    for (;;) {
      const batch = after < lastKey ? await this.#takeBatch(after, lastKey) : [];
      if (batch.length === 0) return result;
      const answer = await this.#send(batch);
      const { conflicts, rejected, answered, changed } = await this.#applyPushAnswer(batch, answer);
      for (const c of conflicts) this.#events.conflict(c);
      for (const r of rejected) this.#events.rejected(r);
      if (changed.length > 0) this.#events.changed(changed);
      if (answered === 0) {
        throw new SyncError('INCOMPLETE_RESPONSE', "The push answer named none of the batch's changes; the batch will be sent again.", 200, true);
      }
      result.pushed += answer.successful.length;
      result.rejected += rejected.length;
      result.conflicts += conflicts.length;
      done += batch.length;
      total = Math.max(total, done);
      after = batch[batch.length - 1]!.seq;
      const left = after < lastKey ? await this.#db.count('outbox', IDBKeyRange.bound(after, lastKey, true, false)) : 0;
      this.#report('push', done, done + left);
      if (left === 0) return result;
    }
  }

  /** Takes the oldest entries in (after, upTo] as a batch and marks them sent, in one transaction. */
  async #takeBatch(after: number, upTo: number): Promise<OutboxEntry[]> {
    const tx = this.#db.transaction('outbox', 'readwrite');
    const entries = await tx.store.getAll(IDBKeyRange.bound(after, upTo, true, false), this.#options.pushBatchSize);
    for (const entry of entries) {
      if (!entry.sent) {
        entry.sent = true;
        await tx.store.put(entry);
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

  async #applyPushAnswer(batch: OutboxEntry[], answer: PushAnswer) {
    const now = this.#options.now();
    const byId = new Map(batch.map((e) => [e.change_id, e]));
    const conflictsByChange = new Map<string, WireConflict>();
    for (const c of answer.conflicts) if (!conflictsByChange.has(c.change_id)) conflictsByChange.set(c.change_id, c);
    const conflicts: SyncConflict[] = [];
    const rejected: RejectedChange[] = [];
    const changed: { entityType: string; entityId: string }[] = [];
    const tx = this.#db.transaction(['entities', 'outbox', 'conflicts', 'rejected', 'meta'], 'readwrite');
    const entities = tx.objectStore('entities');
    const outbox = tx.objectStore('outbox');
    let conflictSeq = ((await tx.objectStore('meta').get(Meta.conflictSeq)) as number | undefined) ?? 0;
    for (const ok of answer.successful) {
      const entry = byId.get(ok.change_id);
      if (entry === undefined) continue;
      byId.delete(ok.change_id);
      await outbox.delete(entry.seq);
      const entity = await entities.get([entry.entity_type, entry.entity_id]);
      if (entity === undefined) continue;
      const conflict = conflictsByChange.get(ok.change_id);
      if (conflict !== undefined) {
        const stored = toConflict(conflict, conflict.needs_review ? 'open' : 'auto_resolved');
        await tx.objectStore('conflicts').put({ ...stored, seq: ++conflictSeq });
        conflicts.push(stored);
        if (conflict.winner !== undefined && conflict.winner !== null && typeof conflict.winner === 'object') {
          // The server's merge decided; edits made since (still pending) stay on top of it.
          const winner = structuredClone(conflict.winner);
          entity.shadow = structuredClone(winner);
          const remaining = await outbox.index('by_entity').getAll([entry.entity_type, entry.entity_id]);
          for (const name of pendingFields(remaining, this.#options.deviceId).keys()) {
            winner[name] = structuredClone(field(entity.data, name));
          }
          entity.data = winner;
          entity.is_archived = isArchived(winner);
          changed.push({ entityType: entity.entity_type, entityId: entity.entity_id });
        }
      } else {
        const shadow = entity.shadow ?? {};
        if (entry.data !== null) Object.assign(shadow, structuredClone(entry.data));
        if (entry.operation === 'delete') shadow['is_archived'] = true;
        entity.shadow = shadow;
      }
      entity.server_version = Math.max(entity.server_version, ok.sync_version);
      entity.sync_version = Math.max(entity.sync_version, ok.sync_version);
      setMetadata(entity.data, entity.entity_id, String(entity.data['created_at'] ?? ''), String(entity.data['updated_at'] ?? ''), entity.sync_version, entity.is_archived);
      entity.last_synced_at = now;
      await entities.put(entity);
    }
    for (const failed of answer.failed) {
      const entry = byId.get(failed.change_id);
      if (entry === undefined) continue;
      byId.delete(failed.change_id);
      await outbox.delete(entry.seq);
      const change: RejectedChange = {
        changeId: entry.change_id,
        entityType: entry.entity_type,
        entityId: entry.entity_id,
        operation: entry.operation,
        code: String(failed.error?.code ?? 'UNKNOWN'),
        message: String(failed.error?.message ?? ''),
      };
      await tx.objectStore('rejected').put({ ...change, at: now });
      rejected.push(change);
    }
    await tx.objectStore('meta').put(conflictSeq, Meta.conflictSeq);
    await tx.done;
    return { conflicts, rejected, answered: batch.length - byId.size, changed };
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
    for (;;) {
      let page: PullAnswer;
      try {
        page = await this.#auth.authorized((token) =>
          this.#transport.pull(token, { device_id: this.#options.deviceId, schema_version: this.#options.schemaVersion, cursor, limit: this.#options.pullPageSize }),
        );
      } catch (e) {
        if (e instanceof SyncError && e.code === 'RESYNC_REQUIRED' && !resynced) {
          resynced = true;
          cursor = null;
          const tx = this.#db.transaction('meta', 'readwrite');
          if ((await tx.store.get(Meta.resyncSince)) === undefined) await tx.store.put(this.#options.now(), Meta.resyncSince);
          await tx.done;
          continue;
        }
        throw e;
      }
      const { raised, keys } = await this.#applyPage(page);
      changes.push(...raised);
      if (keys.length > 0) this.#events.changed(keys);
      total += page.changes.length;
      cursor = page.cursor;
      this.lastCursor = page.cursor;
      const remaining = typeof page.remaining === 'number' && page.remaining >= 0 ? page.remaining : null;
      this.#report('pull', total, page.has_more ? (remaining === null ? null : total + remaining) : total);
      if (!page.has_more) {
        const removed = await this.#finishResync();
        changes.push(...removed);
        if (removed.length > 0) this.#events.changed(removed.map((r) => ({ entityType: r.entityType, entityId: r.entityId })));
        return { pulled: total, changes };
      }
    }
  }

  async #applyPage(page: PullAnswer) {
    const now = this.#options.now();
    const tx = this.#db.transaction(['entities', 'outbox', 'meta'], 'readwrite');
    const raised: RemoteChange[] = [];
    const keys: { entityType: string; entityId: string }[] = [];
    const hasPending = (await tx.objectStore('outbox').count()) > 0;
    for (const change of page.changes) {
      const result = await this.#applyRemote(tx, change, hasPending, now);
      if (result.stored) keys.push({ entityType: change.entity_type, entityId: change.entity_id });
      if (result.raised !== null) raised.push(result.raised);
    }
    await tx.objectStore('meta').put(page.cursor, Meta.cursor);
    await tx.done;
    return { raised, keys };
  }

  /**
   * Applies the server's state of an entity: as is when nothing is pending for it, otherwise merged
   * with the pending edits as the server will merge them (field-level LWW, DESIGN 4).
   */
  async #applyRemote(
    tx: import('idb').IDBPTransaction<import('./db.js').SyncSchema, ['entities', 'outbox', 'meta'], 'readwrite'>,
    change: PulledChange,
    hasPending: boolean,
    now: number,
  ): Promise<{ stored: boolean; raised: RemoteChange | null }> {
    const { entity_type: type, entity_id: id } = change;
    if (!(ENTITY_TYPES as readonly string[]).includes(type) || change.data === null || typeof change.data !== 'object' || Array.isArray(change.data)) {
      return { stored: false, raised: null };
    }
    if (type === 'contact' && id === this.#options.contactZeroId) return { stored: false, raised: null };
    const entities = tx.objectStore('entities');
    const remote = change.data;
    const version = change.sync_version;
    const archived = remote['is_archived'] === true || change.operation === 'delete';
    const other = change.modified_by_device !== this.#options.deviceId;
    const local = await entities.get([type, id]);
    if (local === undefined) {
      await entities.put({
        entity_type: type, entity_id: id, data: structuredClone(remote), sync_version: version, server_version: version,
        is_archived: archived, is_contact_zero: false, shadow: remote, last_synced_at: now,
      });
      const fields = Object.keys(remote).filter((n) => !isDerived(n));
      return { stored: true, raised: other ? { entityType: type, entityId: id, fields, archived } : null };
    }
    if (local.is_contact_zero) return { stored: false, raised: null };
    if (version < local.server_version) return { stored: false, raised: null };
    const pending = hasPending ? await tx.objectStore('outbox').index('by_entity').getAll([type, id]) : [];
    let changed: string[];
    if (pending.length === 0 && local.sync_version <= version) {
      changed = other ? changedFields(local.data, remote) : [];
      local.data = structuredClone(remote);
      local.sync_version = version;
      local.is_archived = archived;
    } else {
      let merged: JsonObject;
      if (pending.length === 0) {
        merged = structuredClone(remote);
      } else {
        merged = structuredClone(remote);
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
    await entities.put(local);
    return { stored: true, raised: changed.length > 0 && other ? { entityType: type, entityId: id, fields: changed, archived: local.is_archived } : null };
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

/** The server's default per-change entity limit (DESIGN 8: 256 KiB). */
const MAX_ENTITY_BYTES = 256 * 1024;

function maxIso(a: string, b: string): string {
  return (Date.parse(a) || 0) >= (Date.parse(b) || 0) ? a : b;
}
