/**
 * One sync step's push and pull against the local store (DESIGN 5.2, 5.3), the .NET SDK's
 * SyncClient.Push/Pull. The loop (loop.ts) decides when they run; this file decides what they do.
 */
import type { JsonObject, OutboxEntry } from './coalesce.js';
import { Meta, issue, outboxMarks, ownShadow, withChangeId, type AckedItem, type LocalEntity, type StoredEntry, type SyncDb } from './db.js';
import { NotSignedInError, SchemaMismatchError, SyncError } from './errors.js';
import { changedFields, compareStamps, field, isArchived, isDerived, isLocalOnly, sameField, type Stamp } from './json.js';
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
  /**
   * True while local writes are being made (in any tab of the profile). The loop's own steps then only
   * push (`push({ whileWriting: true })`); a pull or an answer applied meanwhile (a step the app asked
   * for) stores pulled pages and push answers in short transactions ({@link PAGE_CHUNK},
   * {@link ANSWER_CHUNK} changes), so a write waits behind at most one; otherwise a page or an answer is
   * one transaction, which is faster.
   */
  writing: () => boolean;
}

export interface EngineEvents {
  progress(progress: SyncProgress): void;
  /**
   * A push batch of `entries` outbox entries was answered (right after the progress that counts it): they
   * leave the outbox, recorded with the answer.
   */
  acknowledged(entries: number): void;
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
   * next batch is taken (frozen under the in-flight mark) while the server works on the current one,
   * and goes out as soon as the answer is in: the server has answered batch n before batch n+1 is sent,
   * so the order the server sees is unchanged. An answer is recorded at once in one short transaction
   * (the answered entries leave the outbox, the answer is kept as one `acked` row); the rows are applied
   * to their entities once the last answer is in ({@link #applyAcked}: applying them beside the requests
   * slowed both), and the push returns when they are. A batch taken but never sent (the push failed
   * first) is sent as it is by the next push, like any batch whose answer was lost.
   *
   * `whileWriting` (the app is making local writes, and the loop pushes without pulling): every
   * transaction of the push is one a write may wait behind, so there are fewer of them. Up to
   * {@link GROUP_WHILE_WRITING} batches are taken in one transaction and their answers recorded in
   * one, and the answers are left for the next pull to apply (a write reads their versions meanwhile).
   * A tab closed before the record resends those batches with the same change ids: the server answers
   * a replay with its first outcome (DESIGN 3.2), so nothing is applied twice.
   */
  async push(options: { whileWriting?: boolean } = {}): Promise<{ pushed: number; rejected: number; conflicts: number }> {
    const result = { pushed: 0, rejected: 0, conflicts: 0 };
    const group = options.whileWriting === true ? GROUP_WHILE_WRITING : 1;
    const lastKey = await lastOutboxSeq(this.#db);
    if (lastKey === null) return result;
    const total = await this.#db.count('outbox');
    let done = 0;
    this.#report('push', 0, total);
    const size = this.#options.pushBatchSize;
    // The last seq taken so far: the next take starts after it.
    let takenThrough = 0;
    const take = async () => {
      const entries = await this.#takeBatch(takenThrough, lastKey, size * group);
      takenThrough = entries.at(-1)?.seq ?? lastKey;
      return split(entries, size);
    };
    let ready = await take();
    let batch = ready.shift();
    if (batch === undefined) return result;
    // One read of the session for the whole push, not one before each batch goes out.
    const session = await this.#auth.session();
    if (session === undefined) throw new NotSignedInError();
    const held = { token: session.accessToken };
    let request = this.#send(batch, held);
    request.catch(() => undefined); // awaited after the next batch is taken; a failure meanwhile must not go unhandled
    const unrecorded: { batch: OutboxEntry[]; answer: PushAnswer }[] = [];
    let failed = true;
    try {
      for (;;) {
        // The next batch is taken while the server works on this one, and sent once its answer is in.
        if (ready.length === 0 && takenThrough < lastKey) ready = await take();
        const next = ready.shift() ?? null;
        const answer = await request;
        const nextRequest = next !== null ? this.#send(next, held) : null;
        nextRequest?.catch(() => undefined); // awaited on the next round; a failure here must not go unhandled meanwhile
        unrecorded.push({ batch, answer });
        if (unrecorded.length >= group || next === null) {
          for (const recorded of await this.#recordAnswers(unrecorded.splice(0))) {
            if (recorded.answered === 0) {
              // The batch sent meanwhile is answered or not: either way it is resent with the same change ids.
              throw new SyncError('INCOMPLETE_RESPONSE', "The push answer named none of the batch's changes; the batch will be sent again.", 200, true);
            }
            result.rejected += recorded.rejected;
            result.conflicts += recorded.conflicts;
          }
        }
        result.pushed += answer.successful.length;
        done += batch.length;
        if (next === null || nextRequest === null) {
          this.#report('push', done, done);
          this.#events.acknowledged(batch.length);
          failed = false;
          return result;
        }
        // The total counted at the start stands (counting what is left would read the rest of the outbox
        // for every batch); only a write that cancels a queued entry meanwhile makes it high.
        this.#report('push', done, Math.max(total, done + next.length));
        this.#events.acknowledged(batch.length);
        batch = next;
        request = nextRequest;
      }
    } finally {
      // Answers in hand when a later batch failed are still recorded (while writing, they wait in groups).
      if (unrecorded.length > 0) await this.#recordAnswers(unrecorded.splice(0)).catch(() => undefined);
      // Whatever was recorded is applied before the push returns: the pull after it reads rows that hold
      // their server state. A failed push reports its own error; what it could not apply waits for the
      // next step's pull, which applies it first. While the app writes, the next pull applies it.
      if (options.whileWriting !== true) {
        const applied = this.#applyAckedSoon();
        if (failed) await applied.catch(() => undefined);
        else await applied;
      }
    }
  }

  /**
   * Takes the oldest entries in (after, upTo] as a batch and moves the in-flight mark over them, in one
   * transaction: one read and one meta row, however large the batch. The mark commits before the batch
   * is sent, so a write made meanwhile never coalesces into an entry the server may already hold.
   */
  async #takeBatch(after: number, upTo: number, count: number): Promise<OutboxEntry[]> {
    const tx = this.#db.transaction(['outbox', 'meta'], 'readwrite');
    const meta = tx.objectStore('meta');
    const [entries, stored] = await Promise.all([
      tx.objectStore('outbox').getAll(IDBKeyRange.bound(after, upTo, true, false), count),
      meta.get(Meta.outboxMarks),
    ]);
    const marks = outboxMarks(stored);
    const last = entries.at(-1)?.seq ?? 0;
    if (last > marks.sentThrough) issue(meta.put({ ...marks, sentThrough: last }, Meta.outboxMarks));
    await tx.done;
    return entries.map(withChangeId);
  }

  /**
   * Sends one batch. A whole-request 400 or 413 is narrowed down by halving the batch, so only a
   * change the server refuses on its own is reported as refused (DESIGN 5.2).
   */
  async #send(batch: OutboxEntry[], held: { token: string }): Promise<PushAnswer> {
    try {
      return await this.#auth.authorizedWith(held, (token) =>
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
      const first = await this.#send(batch.slice(0, half), held);
      const second = await this.#send(batch.slice(half), held);
      return {
        successful: [...first.successful, ...second.successful],
        failed: [...first.failed, ...second.failed],
        conflicts: [...first.conflicts, ...second.conflicts],
      };
    }
  }

  /**
   * Records push answers in one transaction: the answered entries leave the outbox (one key-range
   * delete per run of a batch with no entry left out: every key between a run's first and last is in
   * the batch, and the in-flight mark keeps writes off them) and each answer is kept as one `acked` row,
   * so a crash after it loses nothing and resends nothing. Entities take it afterwards ({@link #applyAcked}).
   * One result per batch, in order.
   */
  async #recordAnswers(answers: { batch: OutboxEntry[]; answer: PushAnswer }[]): Promise<{ answered: number; rejected: number; conflicts: number }[]> {
    const sorted = answers.map(({ batch, answer }) => ({ batch, ...answeredItems(batch, answer) }));
    const results = sorted.map(({ items }) => ({ answered: items.length, rejected: items.filter((i) => i.error !== null).length, conflicts: items.filter((i) => i.conflict !== null).length }));
    if (sorted.every(({ items }) => items.length === 0)) return results;
    const tx = this.#db.transaction(['outbox', 'acked'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    for (const { batch, items, position } of sorted) {
      if (items.length === 0) continue;
      let runStart = 0;
      for (let k = 0; k < items.length; k++) {
        const here = position.get(items[k]!.entry.seq)!;
        if (k + 1 < items.length && position.get(items[k + 1]!.entry.seq) === here + 1) continue;
        const first = items[runStart]!.entry.seq;
        const last = items[k]!.entry.seq;
        issue(outbox.delete(first === last ? first : IDBKeyRange.bound(first, last)));
        runStart = k + 1;
      }
      issue(tx.objectStore('acked').put({ seq: batch.at(-1)!.seq, items, keys: uniqueKeys(items.filter((i) => i.error === null).map((i) => i.entry)) }));
    }
    await tx.done;
    return results;
  }

  #applying: Promise<void> = Promise.resolve();
  #applyQueued = false;

  /**
   * Applies the recorded answers to the entities, after any pass already running; a pass asked for
   * while one waits to start is that one. The promise rejects when this pass fails.
   */
  #applyAckedSoon(): Promise<void> {
    if (this.#applyQueued) return this.#applying;
    this.#applyQueued = true;
    const pass = this.#applying.catch(() => undefined).then(() => {
      this.#applyQueued = false;
      return this.#applyAcked();
    });
    pass.catch(() => undefined); // awaited by whoever needs it; must not go unhandled otherwise
    this.#applying = pass;
    return pass;
  }

  /**
   * Applies every recorded answer, oldest first, in transactions of {@link ANSWER_CHUNK} changes (a local
   * write waits for at most one short one); the last of an answer's transactions removes its row. A tab
   * closed halfway applies the answer again later: each change is applied only over an older server
   * version, so applying twice changes nothing.
   */
  async #applyAcked(): Promise<void> {
    for (;;) {
      const rows = await this.#db.getAll('acked', null, 4);
      if (rows.length === 0) return;
      for (const row of rows) {
        for (let i = 0, size = ANSWER_CHUNK; i < row.items.length; i += size) {
          size = this.#options.writing() ? ANSWER_CHUNK : row.items.length;
          const { conflicts, rejected, changed } = await this.#applyAckedChunk(row.items.slice(i, i + size));
          for (const c of conflicts) this.#events.conflict(c);
          for (const r of rejected) this.#events.rejected(r);
          if (changed.length > 0) this.#events.changed(changed);
        }
        // Apart from the chunks, so that they hold neither the outbox nor this store, which the push's
        // own transactions use: a tab closed before this applies the row again, which changes nothing.
        await this.#db.delete('acked', row.seq);
      }
    }
  }

  async #applyAckedChunk(items: AckedItem[]) {
    const now = this.#options.now();
    const out = { conflicts: [] as SyncConflict[], rejected: [] as RejectedChange[], changed: [] as { entityType: string; entityId: string }[] };
    const okKeys = uniqueKeys(items.filter((i) => i.error === null).map((i) => i.entry));
    const winnerKeys = uniqueKeys(items.filter((i) => i.conflict?.winner !== undefined && i.conflict?.winner !== null).map((i) => i.entry));
    const withConflicts = items.some((i) => i.conflict !== null);
    const withErrors = items.some((i) => i.error !== null);
    // Only the stores this chunk needs: the push's next batch (outbox, meta) is not kept waiting by it.
    type Stores = 'entities' | 'outbox' | 'conflicts' | 'rejected' | 'meta';
    const scope: Stores[] = ['entities'];
    if (withConflicts) scope.push('conflicts', 'meta');
    if (winnerKeys.length > 0) scope.push('outbox');
    if (withErrors) scope.push('rejected');
    const tx = this.#db.transaction(scope, 'readwrite');
    const entities = tx.objectStore('entities');
    // The answered entries left the outbox when the answer was recorded: what a winner's entity still
    // has there are edits made since, which stay on top of the server's merge.
    const [seqNow, rows, queued] = await Promise.all([
      withConflicts ? (tx.objectStore('meta').get(Meta.conflictSeq) as Promise<number | undefined>) : Promise.resolve(undefined),
      Promise.all(okKeys.map((k) => entities.get(k))),
      Promise.all(winnerKeys.map((k) => tx.objectStore('outbox').index('by_entity').getAll(k))),
    ]);
    let conflictSeq = seqNow ?? 0;
    const current = new Map<string, LocalEntity>();
    okKeys.forEach((k, n) => {
      const row = rows[n];
      if (row !== undefined) current.set(keyOf(k[0], k[1]), ownShadow(row));
    });
    const pendingOf = new Map<string, StoredEntry[]>();
    winnerKeys.forEach((k, n) => pendingOf.set(keyOf(k[0], k[1]), queued[n]!));
    const touched = new Set<LocalEntity>();
    for (const { entry, version, conflict, error } of items) {
      if (error !== null) {
        const change: RejectedChange = { changeId: entry.change_id, entityType: entry.entity_type, entityId: entry.entity_id, operation: entry.operation, ...error };
        issue(tx.objectStore('rejected').put({ ...change, at: now }));
        out.rejected.push(change);
        continue;
      }
      const key = keyOf(entry.entity_type, entry.entity_id);
      const entity = current.get(key);
      // Applied already (a pass cut short by a closed tab), or the entity has newer server state.
      if (entity === undefined || version <= entity.server_version) continue;
      if (conflict !== null) {
        const stored = toConflict(conflict, conflict.needs_review ? 'open' : 'auto_resolved');
        issue(tx.objectStore('conflicts').put({ ...stored, seq: ++conflictSeq }));
        out.conflicts.push(stored);
        if (conflict.winner !== undefined && conflict.winner !== null && typeof conflict.winner === 'object') {
          // The server's merge decided; edits made since (still pending) stay on top of it.
          const winner = structuredClone(conflict.winner);
          entity.shadow = structuredClone(winner);
          for (const name of pendingFields(pendingOf.get(key) ?? [], this.#options.deviceId).keys()) {
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
      entity.server_version = version;
      entity.sync_version = Math.max(entity.sync_version, version);
      setMetadata(entity.data, entity.entity_id, String(entity.data['created_at'] ?? ''), String(entity.data['updated_at'] ?? ''), entity.sync_version, entity.is_archived);
      entity.last_synced_at = now;
      touched.add(entity);
    }
    for (const entity of touched) issue(entities.put(entity));
    if (withConflicts) issue(tx.objectStore('meta').put(conflictSeq, Meta.conflictSeq));
    await tx.done;
    return out;
  }

  // ---- pull ----

  /**
   * Pulls every page after the stored cursor. Each page and the cursor after it commit in one
   * transaction, so a tab closed mid-pull resumes from the last committed page without a gap. 410
   * RESYNC_REQUIRED starts again from the beginning; the outbox is kept and merged as usual.
   */
  async pull(): Promise<{ pulled: number; changes: RemoteChange[] }> {
    // Push answers a closed tab recorded but did not apply: the rows take them before pulled state meets them.
    await this.#applyAckedSoon();
    const meta = this.#db.transaction('meta').store;
    const [stored, resyncSince] = await Promise.all([meta.get(Meta.cursor) as Promise<string | undefined>, meta.get(Meta.resyncSince)]);
    let cursor = stored ?? null;
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
    // Otherwise each page lists which of its keys are here (see #applyPage) while that proves useful.
    const listing = { useful: true };
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
      const { raised, keys } = await this.#applyPage(page, held, listing);
      changes.push(...raised);
      if (keys.length > 0) this.#events.changed(keys);
      total += page.changes.length;
      cursor = page.cursor;
      // `remaining: 0` on a page that says has_more is no count at all (a server that does not fill it):
      // the total stays unknown rather than showing 100 % before the end.
      const remaining = typeof page.remaining === 'number' && page.remaining >= 0 && !(page.has_more && page.remaining === 0) ? page.remaining : null;
      this.#report('pull', total, page.has_more ? (remaining === null ? null : total + remaining) : total);
      if (next === null) {
        // Only a resync (this pull's, or one a closed tab left unfinished) has rows to remove.
        const removed = resynced || resyncSince !== undefined ? await this.#finishResync() : [];
        changes.push(...removed);
        if (removed.length > 0) this.#events.changed(removed.map((r) => ({ entityType: r.entityType, entityId: r.entityId })));
        return { pulled: total, changes };
      }
      request = next;
    }
  }

  /**
   * Stores one page in transactions of {@link PAGE_CHUNK} changes, the last of which also stores the
   * cursor after the page, so a local write waits for one short transaction, not for a whole page. A
   * tab closed between them has stored part of the page without its cursor: the page comes again and
   * applies again to the same rows (a pulled state at the version the device holds is applied as it is),
   * so nothing is skipped and the cursor still commits only with everything it covers.
   */
  async #applyPage(page: PullAnswer, held: Set<string> | null, listing: { useful: boolean }) {
    const usable = page.changes.filter((c) => this.#usable(c));
    const raised: RemoteChange[] = [];
    const keys: { entityType: string; entityId: string }[] = [];
    for (let i = 0; ;) {
      const size = this.#options.writing() ? PAGE_CHUNK : usable.length - i;
      const last = i + size >= usable.length;
      const done = await this.#applyChanges(usable.slice(i, i + size), held, listing, last ? page.cursor : undefined);
      raised.push(...done.raised);
      keys.push(...done.keys);
      if (last) return { raised, keys };
      i += size;
    }
  }

  /**
   * Stores pulled changes (and the cursor, when given) in one transaction. Every read goes out at once
   * (the entities, then the pending outbox entries of those the device holds), the merge runs in memory,
   * and the writes are issued together: a few round trips rather than several per entity.
   */
  async #applyChanges(usable: PulledChange[], held: Set<string> | null, listing: { useful: boolean }, cursor: string | undefined) {
    const now = this.#options.now();
    const tx = this.#db.transaction(['entities', 'outbox', 'meta'], 'readwrite');
    const entities = tx.objectStore('entities');
    const outbox = tx.objectStore('outbox');
    const keys = uniqueKeys(usable);
    // `held`: every row the device had when this pull began at the start, plus those this pull stored. A key
    // outside it has no row (writes meanwhile create new ids, which no page carries): no read for it.
    // Without it, the page's keys are first listed per type inside this transaction (exact, whatever other
    // tabs write): a row that cannot be here is not read. A device that holds most of what it pulls gains
    // nothing from the listing, so it stops after a page that found no key absent.
    const absent = held === null && listing.useful && keys.length > 0 ? await absentKeys(entities, keys) : null;
    if (absent !== null && absent.size === 0) listing.useful = false;
    const read = (k: [string, string]) => {
      const key = keyOf(k[0], k[1]);
      return (held === null || held.has(key)) && absent?.has(key) !== true ? entities.get(k) : Promise.resolve(undefined);
    };
    const [pendingCount, rows] = await Promise.all([outbox.count(), Promise.all(keys.map(read))]);
    const current = new Map<string, LocalEntity | undefined>();
    keys.forEach((k, n) => current.set(keyOf(k[0], k[1]), rows[n]));
    const pendingOf = new Map<string, StoredEntry[]>();
    if (pendingCount > 0) {
      const held = keys.filter((k, n) => rows[n] !== undefined && !rows[n]!.is_contact_zero);
      const queued = await Promise.all(held.map((k) => outbox.index('by_entity').getAll(k)));
      held.forEach((k, n) => pendingOf.set(keyOf(k[0], k[1]), queued[n]!));
    }
    const raised: RemoteChange[] = [];
    const stored = new Map<string, LocalEntity>();
    for (const change of usable) {
      const key = keyOf(change.entity_type, change.entity_id);
      // A pull from the beginning refreshes every row's last_synced_at (a resync removes the rows it left
      // stale); any other pull may leave a row that would not change.
      const result = this.#merge(current.get(key), change, pendingOf.get(key) ?? [], now, held === null);
      if (result === null) continue;
      current.set(key, result.entity);
      stored.set(key, result.entity);
      if (result.raised !== null) raised.push(result.raised);
    }
    for (const [key, entity] of stored) {
      issue(entities.put(entity));
      held?.add(key);
    }
    if (cursor !== undefined) issue(tx.objectStore('meta').put(cursor, Meta.cursor));
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
  #merge(local: LocalEntity | undefined, change: PulledChange, pending: StoredEntry[], now: number, mayKeep: boolean): { entity: LocalEntity; raised: RemoteChange | null } | null {
    const { entity_type: type, entity_id: id } = change;
    const remote = change.data;
    const version = change.sync_version;
    const archived = remote['is_archived'] === true || change.operation === 'delete';
    const other = change.modified_by_device !== this.#options.deviceId;
    if (local === undefined) {
      const entity: LocalEntity = {
        entity_type: type, entity_id: id, data: remote, sync_version: version, server_version: version,
        is_archived: archived, is_contact_zero: false, shadow: remote, last_synced_at: now,
      };
      const fields = Object.keys(remote).filter((n) => !isDerived(n));
      return { entity, raised: other ? { entityType: type, entityId: id, fields, archived } : null };
    }
    if (local.is_contact_zero) return null;
    if (version < local.server_version) return null;
    if (mayKeep && pending.length === 0 && holdsAlready(local, change, archived)) return null;
    let changed: string[];
    if (pending.length === 0 && local.sync_version <= version) {
      changed = other ? changedFields(local.data, remote) : [];
      local.data = remote; // and the shadow below: one object, stored once
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

/**
 * True when the row already is the pulled state: the version it holds, and the same values in every
 * field but the server-derived ones, both in the local view and in the last known server state, with
 * the same instants for `created_at` and `updated_at` (the server may spell them differently). This is
 * the device's own change coming back after its push answer was recorded, and a second pull of a page.
 */
export function holdsAlready(local: LocalEntity, change: PulledChange, archived: boolean): boolean {
  const remote = change.data;
  if (local.server_version !== change.sync_version || local.sync_version !== change.sync_version || local.is_archived !== archived) return false;
  if (!sameInstant(local.data['updated_at'], remote['updated_at']) || !sameInstant(local.data['created_at'], remote['created_at'])) return false;
  return sameContent(local.data, remote) && sameContent(local.shadow, remote);
}

/** The same values in every field that is neither server-derived nor local-only (absent reads as null). */
function sameContent(a: JsonObject | null, b: JsonObject): boolean {
  if (a === null) return false;
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!isDerived(name) && !isLocalOnly(name) && !sameField(a, b, name)) return false;
  }
  return true;
}

function sameInstant(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  const x = Date.parse(a);
  return !Number.isNaN(x) && x === Date.parse(b);
}

/** Every field the pending entries set, with the stamp of the newest entry that sets it. */
export function pendingFields(pending: StoredEntry[], deviceId: string): Map<string, Stamp> {
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

/** Pulled changes stored per transaction while the app writes: a local write waits behind at most this many. */
const PAGE_CHUNK = 100;

/** Push batches taken in one transaction, and whose answers are recorded in one, while the app writes. */
const GROUP_WHILE_WRITING = 10;

/** Answered changes applied per transaction while the app writes (the .NET SDK records answers 25 at a time). */
const ANSWER_CHUNK = 25;

/**
 * The keys among `keys` the entities store does not hold, from one key listing per entity type over the
 * range the page's ids span, at most as many keys as the page has of that type: what lies before the
 * last key listed is known exactly, anything after it is left to be read. IndexedDB orders string keys
 * by UTF-16 code unit, as `<` on strings does.
 */
async function absentKeys(
  entities: { getAllKeys(query: IDBKeyRange, count: number): Promise<[string, string][]> },
  keys: [string, string][],
): Promise<Set<string>> {
  const idsOf = new Map<string, string[]>();
  for (const [type, id] of keys) {
    const ids = idsOf.get(type);
    if (ids === undefined) idsOf.set(type, [id]);
    else ids.push(id);
  }
  const groups = [...idsOf].map(([type, ids]) => ({ type, ids: ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) }));
  const listed = await Promise.all(groups.map(({ type, ids }) => entities.getAllKeys(IDBKeyRange.bound([type, ids[0]!], [type, ids.at(-1)!]), ids.length)));
  const absent = new Set<string>();
  groups.forEach(({ type, ids }, n) => {
    const found = listed[n]!;
    const here = new Set(found.map((k) => k[1]));
    const complete = found.length < ids.length;
    const lastListed = found.at(-1)?.[1];
    for (const id of ids) {
      if (!here.has(id) && (complete || (lastListed !== undefined && id < lastListed))) absent.add(keyOf(type, id));
    }
  });
  return absent;
}

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

/**
 * A push answer's items: each answered change of the batch with its outcome, in batch order, and each
 * entry's position in the batch. A change the answer does not name is not among them (it stays queued).
 */
function answeredItems(batch: OutboxEntry[], answer: PushAnswer): { items: AckedItem[]; position: Map<number, number> } {
  const byId = new Map(batch.map((e) => [e.change_id, e]));
  const conflictsByChange = new Map<string, WireConflict>();
  for (const c of answer.conflicts) if (!conflictsByChange.has(c.change_id)) conflictsByChange.set(c.change_id, c);
  const items: AckedItem[] = [];
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
  const position = new Map(batch.map((e, n) => [e.seq, n]));
  items.sort((x, y) => position.get(x.entry.seq)! - position.get(y.entry.seq)!);
  return { items, position };
}

/** The entries in batches of `size`, in order. */
function split<T>(entries: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < entries.length; i += size) out.push(entries.slice(i, i + size));
  return out;
}
