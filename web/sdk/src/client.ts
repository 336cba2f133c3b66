/**
 * The SDK's entry point: the signed-in user's local store, typed entity stores, conflicts, note
 * bodies and the status every tab sees. The sync loop runs in the one tab elected per profile and
 * user (Web Locks); the others follow it over a BroadcastChannel.
 */
import type { ConflictListOptions, Conflicts, EntityStore, ListOptions, NoteDocuments } from './api.js';
import { Auth } from './auth.js';
import type { EditKind, JsonObject } from './coalesce.js';
import { Meta, openSessionDb, openSyncDb, typeRange, type LocalEntity, type Session, type SessionDb, type SyncDb } from './db.js';
import { DocumentManager } from './documents.js';
import { Election } from './election.js';
import { SyncEngine, pendingFields, toConflict } from './engine.js';
import { NotSignedInError, SyncError } from './errors.js';
import { Hub, type HubMessage } from './hub.js';
import { field, isArchived, iso } from './json.js';
import { SyncLoop } from './loop.js';
import { notificationOf } from './notifications.js';
import type { SyncClientOptions } from './options.js';
import { Store, reportListenerError, toStatus, type StatusFacts } from './status.js';
import { HttpTransport, type AuthAnswer } from './transport.js';
import type {
  AccountSession,
  ConflictChoice,
  Contact,
  EntityBase,
  EntityChange,
  EntityMap,
  EntityPatch,
  EntityType,
  Folder,
  Group,
  Interaction,
  NewEntity,
  Note,
  Pipeline,
  Project,
  Readable,
  SyncConflict,
  SyncEvents,
  SyncStatus,
  Task,
} from './types.js';
import { ENTITY_TYPES } from './types.js';
import { setMetadata, writeEntity } from './writes.js';
import { DueTimer } from './due-timer.js';

const DEVICE_KEY = 'device_id';

interface Resolved {
  serverUrl: string;
  profile: string;
  autoStart: boolean;
  debounceMs: number;
  pullIntervalMs: number;
  pushBatchSize: number;
  pullPageSize: number;
  backoffMs: number[];
  jitter: number;
  liveEvents: boolean;
  documentTransport: 'auto' | 'rest' | 'socket';
  clientVersion: string | undefined;
  schemaVersion: string;
  now: () => number;
  random: () => number;
  indexedDB: IDBFactory;
}

/** The signed-in user's parts; replaced on sign-out and sign-in. */
interface UserParts {
  session: Session;
  db: SyncDb;
  hub: Hub;
  engine: SyncEngine;
  loop: SyncLoop;
  election: Election;
  documents: DocumentManager;
  stopLive: (() => void) | null;
  unlisten: () => void;
  pendingSyncNow: Map<string, { resolve: () => void; reject: (e: unknown) => void }>;
  /** Refreshes this tab asked the loop's tab for, by the token that failed. */
  refreshAsks: Map<string, ((outcome: { token: string | null; error: SyncError | null }) => void)[]>;
}

/** How long a tab waits for the loop's tab to refresh a token before it refreshes itself. */
const REFRESH_ASK_MS = 10_000;
/** A recount of the outbox (confirming the counted writes and batches) waits for this pause in writes, and at most for the longer wait: each is a read of the whole outbox that a write would wait behind. */
const RECOUNT_DELAY_MS = 250;
const RECOUNT_MAX_WAIT_MS = 5_000;
/** The loop counts the app as writing for this long after a local write (push-only steps, shorter transactions: loop.ts, engine.ts). */
const WRITING_MS = 2_000;

export class SyncClient {
  readonly #options: Resolved;
  readonly #sessionDb: SessionDb;
  readonly #transport: HttpTransport;
  readonly #auth: Auth;
  readonly #status: Store<SyncStatus>;
  readonly #facts: StatusFacts;
  readonly #events = new Map<keyof SyncEvents, Set<(payload: never) => void>>();
  readonly #entityListeners = new Map<string, Set<(change: EntityChange) => void>>();
  readonly #conflictListeners = new Set<() => void>();
  readonly #stores = new Map<EntityType, TypedStore<EntityBase>>();
  #user: UserParts | null = null;
  /** The last status the loop's tab published (a following tab shows it). */
  #leaderStatus: SyncStatus | null = null;
  #closed = false;
  /** Writes this tab has counted into the status ({@link #countWrite}); a recount that overlapped one is redone. */
  #writesCounted = 0;
  /** When this tab last made a write or heard of one from another tab (`now`, ms). */
  #lastWriteAt = -Infinity;
  readonly #recountTimer = new DueTimer(() => this.#options.now(), () => {
    this.#recountFirstAskedAt = null;
    void this.#recountPending();
  });
  #recountFirstAskedAt: number | null = null;
  readonly #onOnline = (): void => this.#online(true);
  readonly #onOffline = (): void => this.#online(false);

  /** The typed stores. */
  readonly contacts: EntityStore<Contact>;
  readonly notes: EntityStore<Note>;
  readonly tasks: EntityStore<Task>;
  readonly interactions: EntityStore<Interaction>;
  readonly folders: EntityStore<Folder>;
  readonly groups: EntityStore<Group>;
  readonly projects: EntityStore<Project>;
  readonly pipelines: EntityStore<Pipeline>;
  /** Conflicts of DESIGN 3.4. */
  readonly conflicts: Conflicts;
  /** Note bodies (DESIGN 6). */
  readonly documents: NoteDocuments;

  private constructor(options: Resolved, sessionDb: SessionDb, given: SyncClientOptions) {
    this.#options = options;
    this.#sessionDb = sessionDb;
    this.#transport = new HttpTransport(options.serverUrl, given.fetch);
    this.#auth = new Auth(sessionDb, this.#transport, given.refreshAccessToken, `framelord-sync:${options.profile}:refresh`);
    this.#facts = { online: browserOnline(), running: false, error: null, pendingChanges: 0, conflicts: 0, lastSyncAt: null, progress: null, isLeader: false, signedIn: false };
    this.#status = new Store(toStatus(this.#facts, options.now()));
    for (const type of ENTITY_TYPES) this.#stores.set(type, new TypedStore(this, type));
    this.contacts = this.store('contact');
    this.notes = this.store('note');
    this.tasks = this.store('task');
    this.interactions = this.store('interaction');
    this.folders = this.store('folder');
    this.groups = this.store('group');
    this.projects = this.store('project');
    this.pipelines = this.store('pipeline');
    this.conflicts = {
      list: (o) => this.#listConflicts(o),
      refresh: () => this.#refreshConflicts(),
      resolve: (id, choice, data) => this.#resolve(id, choice, data),
      subscribe: (listener) => {
        this.#conflictListeners.add(listener);
        return () => this.#conflictListeners.delete(listener);
      },
    };
    this.documents = {
      open: (noteId) => this.#parts().documents.open(noteId),
      getState: (noteId) => this.#parts().documents.getState(noteId),
    };
  }

  /**
   * Opens the client of a browser profile. When a user signed in earlier (in this or another tab),
   * their local store opens and, unless `autoStart` is false, the tab joins the loop election.
   */
  static async open(options: SyncClientOptions): Promise<SyncClient> {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (factory === undefined) throw new SyncError('NO_INDEXEDDB', 'IndexedDB is not available here.');
    const resolved: Resolved = {
      serverUrl: options.serverUrl,
      profile: options.profile ?? 'default',
      autoStart: options.autoStart ?? true,
      debounceMs: options.debounceMs ?? 2000,
      pullIntervalMs: options.pullIntervalMs ?? 30000,
      pushBatchSize: options.pushBatchSize ?? 100,
      pullPageSize: options.pullPageSize ?? 500,
      backoffMs: options.backoffMs ?? [2000, 4000, 8000, 16000, 32000],
      jitter: options.jitter ?? 0.2,
      liveEvents: options.liveEvents ?? true,
      documentTransport: options.documentTransport ?? 'auto',
      clientVersion: options.clientVersion,
      schemaVersion: options.schemaVersion ?? '1',
      now: options.now ?? (() => Date.now()),
      random: options.random ?? (() => Math.random()),
      indexedDB: factory,
    };
    const sessionDb = await openSessionDb(factory, `framelord-sync:${resolved.profile}`);
    const client = new SyncClient(resolved, sessionDb, options);
    const session = await client.#auth.session();
    if (session !== undefined) await client.#attach(session);
    if (typeof addEventListener === 'function') {
      addEventListener('online', client.#onOnline);
      addEventListener('offline', client.#onOffline);
    }
    return client;
  }

  /** True when a user is signed in on this profile. */
  get signedIn(): boolean {
    return this.#user !== null;
  }

  /** The signed-in user's id, or null. */
  get userId(): string | null {
    return this.#user?.session.userId ?? null;
  }

  /** The signed-in user's Contact Zero id (a local-only contact), or null. */
  get contactZeroId(): string | null {
    return this.#user?.session.contactZeroId ?? null;
  }

  /** This profile's device id (sent as `device_id`). */
  get deviceId(): string | null {
    return this.#user?.session.deviceId ?? null;
  }

  /** The status store every tab sees. */
  get status(): Readable<SyncStatus> {
    return this.#status;
  }

  /** The store of one entity type. */
  store<K extends EntityType>(type: K): EntityStore<EntityMap[K]> {
    return this.#stores.get(type) as unknown as EntityStore<EntityMap[K]>;
  }

  /** Subscribes to an event (every tab receives them). Returns the unsubscribe function. */
  on<K extends keyof SyncEvents>(event: K, listener: (payload: SyncEvents[K]) => void): () => void {
    let set = this.#events.get(event);
    if (set === undefined) this.#events.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Creates the account (DESIGN 3.1); Contact Zero is created locally with the server's id. */
  async signup(email: string, password: string, displayName: string): Promise<AccountSession> {
    const deviceId = await this.#deviceId();
    const answer = await this.#transport.signup({ email, password, display_name: displayName, device_id: deviceId, device_name: deviceName() });
    return this.#signedIn(answer, deviceId, displayName);
  }

  /** Signs in; creates Contact Zero locally when this device does not hold it yet. */
  async login(email: string, password: string): Promise<AccountSession> {
    const deviceId = await this.#deviceId();
    const answer = await this.#transport.login({ email, password, device_id: deviceId, device_name: deviceName() });
    return this.#signedIn(answer, deviceId, null);
  }

  /** Stops syncing and forgets the tokens; the local store stays for the next sign-in. */
  async signOut(): Promise<void> {
    this.#detach();
    await this.#auth.clear();
  }

  /** Starts the loop election (done by `open` and sign-in unless `autoStart` is false). */
  start(): void {
    const user = this.#parts();
    user.election.start();
  }

  /** Runs a sync step now (in the loop's tab, whichever it is) and resolves when it succeeded. */
  async syncNow(): Promise<void> {
    const user = this.#parts();
    if (user.election.isLeader) return user.loop.syncNow();
    const id = `${Date.now()}-${Math.random()}`;
    return new Promise((resolve, reject) => {
      user.pendingSyncNow.set(id, { resolve, reject });
      user.hub.post({ t: 'sync-now', id });
    });
  }

  /** Stops the loop, closes databases and channels. */
  close(): void {
    this.#closed = true;
    this.#detach();
    this.#sessionDb.close();
    if (typeof removeEventListener === 'function') {
      removeEventListener('online', this.#onOnline);
      removeEventListener('offline', this.#onOffline);
    }
  }

  // ---- entity stores (called by TypedStore) ----

  /** @internal */
  async readEntity(type: string, id: string): Promise<EntityBase | undefined> {
    const row = await this.#parts().db.get('entities', [type, id]);
    return row === undefined ? undefined : (row.data as EntityBase);
  }

  /** @internal */
  async readAll(type: string, options: ListOptions | undefined): Promise<EntityBase[]> {
    const rows = await this.#parts().db.getAll('entities', typeRange(type));
    return rows.filter((r) => options?.includeArchived === true || !r.is_archived).map((r) => r.data as EntityBase);
  }

  /** @internal */
  async write(type: EntityType, id: string, kind: EditKind, build?: (current: JsonObject | undefined) => JsonObject): Promise<EntityBase> {
    const user = this.#parts();
    this.#lastWriteAt = this.#options.now();
    const { entity, queued, outboxDelta } = await writeEntity(user.db, user.session.contactZeroId, this.#lastWriteAt, type, id, kind, build);
    // The status counts the write before the call returns (the recount below only confirms it), so an
    // app that reads it right after a write never sees "synced" with the write still unsent.
    if (outboxDelta !== 0) this.#countWrite(outboxDelta);
    const keys = [{ entityType: type, entityId: id }];
    this.#dispatchChanged(keys, 'local');
    user.hub.post({ t: 'changed', keys, source: 'local' });
    if (queued) {
      if (user.election.isLeader) {
        user.loop.notifyWrite();
        this.#recountSoon();
      } else {
        user.hub.post({ t: 'wake' });
      }
    }
    return entity.data as EntityBase;
  }

  /** @internal */
  listenEntities(type: string, listener: (change: EntityChange) => void): () => void {
    let set = this.#entityListeners.get(type);
    if (set === undefined) this.#entityListeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  // ---- sign-in ----

  async #deviceId(): Promise<string> {
    const existing = await this.#sessionDb.get('session', DEVICE_KEY);
    if (typeof existing === 'string') return existing;
    const id = `web_${randomId()}`;
    await this.#sessionDb.put('session', id, DEVICE_KEY);
    return id;
  }

  async #signedIn(answer: AuthAnswer, deviceId: string, displayName: string | null): Promise<AccountSession> {
    this.#detach();
    const session: Session = {
      userId: answer.user_id,
      contactZeroId: answer.contact_zero_id,
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token ?? null,
      deviceId,
    };
    await this.#auth.save(session);
    await this.#attach(session);
    const user = this.#parts();
    if ((await user.db.get('entities', ['contact', session.contactZeroId])) === undefined) {
      await writeEntity(user.db, session.contactZeroId, this.#options.now(), 'contact', session.contactZeroId, 'create', () =>
        displayName === null ? {} : { name: displayName });
    }
    return { userId: session.userId, contactZeroId: session.contactZeroId, accessToken: session.accessToken, refreshToken: session.refreshToken, expiresIn: answer.expires_in };
  }

  async #attach(session: Session): Promise<void> {
    const name = `framelord-sync:${this.#options.profile}:${session.userId}`;
    const db = await openSyncDb(this.#options.indexedDB, name);
    const meta = db.transaction('meta', 'readwrite');
    await meta.store.put(session.deviceId, Meta.deviceId);
    await meta.store.put(session.userId, Meta.userId);
    await meta.store.put(session.contactZeroId, Meta.contactZeroId);
    await meta.done;
    const hub = new Hub(name);
    const engine = new SyncEngine(db, this.#transport, this.#auth, {
      deviceId: session.deviceId,
      contactZeroId: session.contactZeroId,
      schemaVersion: this.#options.schemaVersion,
      clientVersion: this.#options.clientVersion,
      pushBatchSize: this.#options.pushBatchSize,
      pullPageSize: this.#options.pullPageSize,
      now: this.#options.now,
      writing: () => this.#options.now() - this.#lastWriteAt < WRITING_MS,
    }, {
      progress: (progress) => this.#update({ progress }),
      acknowledged: (entries) => {
        // Every tab sees the outbox shrink batch by batch during a large push: an answered batch is taken
        // off the count at once, and the recount once the push pauses confirms it.
        this.#countWrite(-entries);
        this.#recountSoon();
      },
      conflict: (c) => this.#emit('conflict', c),
      rejected: (r) => this.#emit('rejected', r),
      changed: (keys) => {
        this.#dispatchChanged(keys, 'remote');
        hub.post({ t: 'changed', keys, source: 'remote' });
      },
    });
    const documents = new DocumentManager(db, this.#transport, this.#auth, {
      mode: this.#options.documentTransport,
      socketUrl: this.#transport.baseUrl.replace(/^http/, 'ws') + '/yjs',
      prefix: name,
      online: () => this.#facts.online,
      restDebounceMs: 300,
    });
    const loop = new SyncLoop(engine, {
      debounceMs: this.#options.debounceMs,
      pullIntervalMs: this.#options.pullIntervalMs,
      backoffMs: this.#options.backoffMs,
      jitter: this.#options.jitter,
      now: this.#options.now,
      random: this.#options.random,
    }, {
      online: () => browserOnline(),
      writing: () => this.#options.now() - this.#lastWriteAt < WRITING_MS,
      pendingChanges: () => db.count('outbox'),
      documents: () => documents.syncDirty(),
      update: (facts) => this.#update(facts),
      remoteChanges: (changes) => {
        const notification = notificationOf(changes);
        if (notification !== null) this.#emit('notification', notification);
      },
      synced: (r) => {
        void this.#recountConflicts();
        this.#emit('synced', { at: iso(r.at), pulled: r.pulled, pushed: r.pushed });
      },
    });
    const election = new Election(`framelord-sync:${this.#options.profile}:${session.userId}:loop`, () => this.#elected());
    const user: UserParts = {
      session, db, hub, engine, loop, election, documents, stopLive: null,
      unlisten: () => undefined, pendingSyncNow: new Map(), refreshAsks: new Map(),
    };
    user.unlisten = hub.listen((m) => this.#onMessage(user, m));
    this.#auth.route = {
      isLeader: () => election.isLeader,
      ask: (failed) => new Promise<string | null>((resolve, reject) => {
        const waiters = user.refreshAsks.get(failed) ?? [];
        const timer = setTimeout(() => {
          const left = (user.refreshAsks.get(failed) ?? []).filter((w) => w !== waiter);
          if (left.length > 0) user.refreshAsks.set(failed, left);
          else user.refreshAsks.delete(failed);
          resolve(null);
        }, REFRESH_ASK_MS);
        const waiter = (outcome: { token: string | null; error: SyncError | null }): void => {
          clearTimeout(timer);
          if (outcome.error !== null) reject(outcome.error);
          else resolve(outcome.token);
        };
        waiters.push(waiter);
        user.refreshAsks.set(failed, waiters);
        hub.post({ t: 'refresh', failed });
      }),
      announce: (failed, token) => hub.post({ t: 'refreshed', failed, token, error: null }),
    };
    this.#user = user;
    const lastSyncAt = (await db.get('meta', Meta.lastSyncAt)) as number | undefined;
    this.#facts.lastSyncAt = lastSyncAt ?? null;
    this.#facts.signedIn = true;
    await this.#recountPending();
    await this.#recountConflicts();
    hub.post({ t: 'hello' });
    if (this.#options.autoStart) election.start();
  }

  #detach(): void {
    const user = this.#user;
    if (user === null) return;
    this.#user = null;
    this.#recountTimer.clear();
    this.#recountFirstAskedAt = null;
    user.loop.stop();
    user.stopLive?.();
    user.election.stop();
    user.documents.closeAll();
    user.unlisten();
    user.hub.close();
    user.db.close();
    this.#auth.route = null;
    for (const w of user.pendingSyncNow.values()) w.reject(new SyncError('STOPPED', 'The client signed out.'));
    for (const waiters of user.refreshAsks.values()) for (const w of waiters) w({ token: null, error: new SyncError('STOPPED', 'The client signed out.') });
    user.refreshAsks.clear();
    Object.assign(this.#facts, { running: false, error: null, pendingChanges: 0, conflicts: 0, lastSyncAt: null, progress: null, isLeader: false, signedIn: false });
    this.#publish();
  }

  #parts(): UserParts {
    if (this.#user === null) throw new NotSignedInError();
    return this.#user;
  }

  // ---- the loop's tab ----

  #elected(): void {
    const user = this.#user;
    if (user === null || this.#closed) return;
    this.#facts.isLeader = true;
    this.#leaderStatus = null;
    user.loop.start();
    if (this.#options.liveEvents) user.stopLive = this.#runLiveEvents(user);
    this.#publish();
    // syncNow() calls made while this tab was not (yet) the loop's tab were posted to a leader that may
    // never answer (this tab, before its lock was granted, or a tab that closed): this tab runs them.
    for (const [id, waiter] of user.pendingSyncNow) {
      user.pendingSyncNow.delete(id);
      user.loop.syncNow().then(waiter.resolve, waiter.reject);
    }
  }

  /** Reads `/sync/events` while this tab runs the loop; reconnects with backoff (2 s to 32 s). */
  #runLiveEvents(user: UserParts): () => void {
    const abort = new AbortController();
    let attempt = 0;
    const run = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        try {
          const session = await this.#auth.session();
          if (session === undefined) return;
          let token = session.accessToken;
          try {
            await this.#transport.events(token, abort.signal, (event) => this.#onLiveEvent(user, event), () => {
              attempt = 0;
            });
          } catch (e) {
            if (e instanceof SyncError && e.status === 401) {
              token = await this.#auth.refresh(token);
              continue;
            }
            throw e;
          }
          if (abort.signal.aborted) return;
          await sleep(1000, abort.signal);
        } catch {
          attempt++;
          await sleep(Math.min(32000, 2000 * 2 ** Math.min(attempt - 1, 4)), abort.signal);
        }
      }
    };
    void run();
    return () => abort.abort();
  }

  #onLiveEvent(user: UserParts, event: import('./transport.js').LiveEvent): void {
    if (event.type === 'changes') {
      // Covered by the running step's next pull (this device's own pushes, mostly), or a step now.
      user.loop.notifyRemoteChanges();
    } else {
      user.hub.post({ t: 'doc', noteId: event.noteId, syncVersion: event.syncVersion });
      void user.documents.onDocEvent(event.noteId, event.syncVersion);
    }
  }

  #onMessage(user: UserParts, m: HubMessage): void {
    const leader = user.election.isLeader;
    switch (m.t) {
      case 'status':
        if (!leader) {
          this.#leaderStatus = m.status;
          this.#publish();
        }
        break;
      case 'hello':
        if (leader) this.#publish();
        break;
      case 'wake':
        this.#lastWriteAt = this.#options.now();
        if (leader) {
          user.loop.notifyWrite();
          this.#recountSoon();
        }
        break;
      case 'sync-now':
        if (leader) {
          user.loop.syncNow().then(
            () => user.hub.post({ t: 'synced-now', id: m.id, error: null }),
            (e: unknown) => {
              const err = e instanceof SyncError ? e : new SyncError('CLIENT_ERROR', String(e));
              user.hub.post({ t: 'synced-now', id: m.id, error: { code: err.code, message: err.message, status: err.status } });
            },
          );
        }
        break;
      case 'synced-now': {
        const waiter = user.pendingSyncNow.get(m.id);
        if (waiter !== undefined) {
          user.pendingSyncNow.delete(m.id);
          if (m.error === null) waiter.resolve();
          else waiter.reject(new SyncError(m.error.code, m.error.message, m.error.status));
        }
        break;
      }
      case 'changed':
        this.#dispatchChanged(m.keys, m.source);
        break;
      case 'conflicts':
        if (leader) void this.#recountConflicts();
        this.#notifyConflictListeners();
        break;
      case 'doc':
        void user.documents.onDocEvent(m.noteId, m.syncVersion);
        break;
      case 'refresh':
        // The loop's tab refreshes for every tab; success is announced by the refresh itself.
        if (leader) {
          this.#auth.refresh(m.failed).catch((e: unknown) => {
            const err = e instanceof SyncError ? e : new SyncError('CLIENT_ERROR', String(e));
            user.hub.post({ t: 'refreshed', failed: m.failed, token: null, error: { code: err.code, message: err.message, status: err.status, transient: err.isTransient } });
          });
        }
        break;
      case 'refreshed': {
        const waiters = user.refreshAsks.get(m.failed);
        if (waiters === undefined) break;
        user.refreshAsks.delete(m.failed);
        const error = m.error === null ? null
          : m.error.code === 'UNAUTHORIZED' && m.error.status === 401 ? new NotSignedInError(m.error.message)
            : new SyncError(m.error.code, m.error.message, m.error.status, m.error.transient);
        for (const w of waiters) w({ token: m.token, error });
        break;
      }
      case 'notification':
      case 'conflict':
      case 'rejected':
      case 'synced':
        this.#dispatch(m.t, m.payload);
        break;
    }
  }

  // ---- status ----

  #update(facts: Partial<StatusFacts>): void {
    const user = this.#user;
    if (facts.lastSyncAt !== undefined && user !== null) void user.db.put('meta', facts.lastSyncAt, Meta.lastSyncAt);
    Object.assign(this.#facts, facts);
    this.#publish();
  }

  #publish(): void {
    const own = toStatus(this.#facts, this.#options.now());
    if (this.#facts.isLeader || this.#leaderStatus === null) {
      this.#status.set(own);
    } else {
      // A following tab shows the loop's status, and offline when its own browser says so.
      const leader = this.#leaderStatus;
      this.#status.set({ ...leader, isLeader: false, online: leader.online && own.online, state: own.online ? leader.state : 'offline' });
    }
    if (this.#facts.isLeader) this.#user?.hub.post({ t: 'status', status: { ...own, isLeader: false } });
  }

  /**
   * A committed change to the outbox size (a write, or a pushed batch acknowledged), shown at once: in the loop's tab as a fact, in a
   * following tab on the loop's last status (until the loop's recount arrives).
   */
  #countWrite(delta: number): void {
    this.#writesCounted++;
    if (this.#facts.isLeader || this.#leaderStatus === null) {
      this.#update({ pendingChanges: Math.max(0, this.#facts.pendingChanges + delta) });
      return;
    }
    const leader = this.#leaderStatus;
    const pendingChanges = Math.max(0, leader.pendingChanges + delta);
    const state = leader.state === 'synced' && pendingChanges > 0 ? 'pending' : leader.state === 'pending' && pendingChanges === 0 ? 'synced' : leader.state;
    this.#leaderStatus = { ...leader, pendingChanges, state };
    this.#publish();
  }

  async #recountPending(): Promise<void> {
    const user = this.#user;
    if (user === null) return;
    const counted = this.#writesCounted;
    const pendingChanges = await user.db.count('outbox');
    if (this.#user !== user) return;
    // A write counted meanwhile may or may not be in this count: count again rather than lose it.
    if (counted !== this.#writesCounted) this.#recountSoon();
    else this.#update({ pendingChanges });
  }

  /**
   * Recounts the outbox once writes pause (at most {@link RECOUNT_MAX_WAIT_MS} after the first asked):
   * counting is a read over the whole outbox that the next write's transaction waits behind, so a run
   * of writes (each already counted by {@link #countWrite}) or of pushed batches is confirmed once.
   */
  #recountSoon(): void {
    const now = this.#options.now();
    this.#recountFirstAskedAt ??= now;
    this.#recountTimer.at(Math.min(now + RECOUNT_DELAY_MS, this.#recountFirstAskedAt + RECOUNT_MAX_WAIT_MS));
  }

  async #recountConflicts(): Promise<void> {
    const user = this.#user;
    if (user === null) return;
    const all = await user.db.getAll('conflicts');
    this.#update({ conflicts: all.filter((c) => c.status === 'open').length });
  }

  #online(online: boolean): void {
    const user = this.#user;
    this.#update({ online });
    if (online && user !== null && user.election.isLeader) {
      user.loop.notifyOnline();
      user.documents.resume();
    }
  }

  // ---- events ----

  #emit<K extends keyof SyncEvents>(event: K, payload: SyncEvents[K]): void {
    this.#dispatch(event, payload);
    this.#user?.hub.post({ t: event, payload } as HubMessage);
    if (event === 'conflict') {
      void this.#recountConflicts();
      this.#notifyConflictListeners();
      this.#user?.hub.post({ t: 'conflicts' });
    }
  }

  #dispatch<K extends keyof SyncEvents>(event: K, payload: SyncEvents[K]): void {
    for (const listener of [...(this.#events.get(event) ?? [])]) {
      try {
        (listener as (p: SyncEvents[K]) => void)(payload);
      } catch (e) {
        reportListenerError(e);
      }
    }
  }

  #dispatchChanged(keys: { entityType: string; entityId: string }[], source: 'local' | 'remote'): void {
    const user = this.#user;
    if (user === null) return;
    const byType = new Map<string, string[]>();
    for (const k of keys) {
      if ((this.#entityListeners.get(k.entityType)?.size ?? 0) === 0) continue;
      const ids = byType.get(k.entityType) ?? [];
      ids.push(k.entityId);
      byType.set(k.entityType, ids);
    }
    for (const [type, ids] of byType) {
      void (async () => {
        for (const id of ids) {
          const row = await user.db.get('entities', [type, id]);
          const change: EntityChange = { entityType: type as EntityType, entityId: id, entity: row?.data as EntityBase | undefined, source };
          for (const listener of [...(this.#entityListeners.get(type) ?? [])]) {
            try {
              listener(change);
            } catch (e) {
              reportListenerError(e);
            }
          }
        }
      })();
    }
  }

  #notifyConflictListeners(): void {
    for (const listener of [...this.#conflictListeners]) {
      try {
        listener();
      } catch (e) {
        reportListenerError(e);
      }
    }
  }

  // ---- conflicts ----

  async #listConflicts(options: ConflictListOptions | undefined): Promise<SyncConflict[]> {
    const rows = await this.#parts().db.getAll('conflicts');
    return rows
      .filter((c) => options?.status === 'all' || c.status === 'open')
      .sort((a, b) => a.seq - b.seq)
      .map(({ seq: _seq, ...c }) => c);
  }

  async #refreshConflicts(): Promise<SyncConflict[]> {
    const user = this.#parts();
    let cursor: string | null = null;
    for (let pages = 0; pages < 10000; pages++) {
      const page = await this.#auth.authorized((token) => this.#transport.conflicts(token, 'all', cursor, 500));
      const tx = user.db.transaction(['conflicts', 'meta'], 'readwrite');
      let seq = ((await tx.objectStore('meta').get(Meta.conflictSeq)) as number | undefined) ?? 0;
      for (const wire of page.conflicts ?? []) {
        const existing = await tx.objectStore('conflicts').get(wire.conflict_id);
        const c = toConflict(wire, wire.needs_review ? 'open' : 'auto_resolved');
        if (existing !== undefined && c.winner === null) c.winner = existing.winner;
        await tx.objectStore('conflicts').put({ ...c, seq: existing?.seq ?? ++seq });
      }
      await tx.objectStore('meta').put(seq, Meta.conflictSeq);
      await tx.done;
      if (!page.has_more || page.cursor === null || page.cursor === undefined) break;
      cursor = page.cursor;
    }
    await this.#recountConflicts();
    this.#notifyConflictListeners();
    user.hub.post({ t: 'conflicts' });
    return this.#listConflicts({ status: 'all' });
  }

  async #resolve(conflictId: string, choice: ConflictChoice, data: Record<string, unknown> | undefined): Promise<EntityBase> {
    const user = this.#parts();
    const answer = await this.#auth.authorized((token) =>
      this.#transport.resolve(token, conflictId, { choice, ...(data !== undefined ? { data } : {}), device_id: user.session.deviceId }));
    const tx = user.db.transaction(['entities', 'outbox', 'conflicts'], 'readwrite');
    const conflict = await tx.objectStore('conflicts').get(conflictId);
    let result = answer.entity as EntityBase;
    if (conflict !== undefined) {
      conflict.status = 'resolved';
      await tx.objectStore('conflicts').put(conflict);
      const key: [string, string] = [conflict.entityType, conflict.entityId];
      const local = await tx.objectStore('entities').get(key);
      const remote = answer.entity;
      const shown = structuredClone(remote);
      const pending = await tx.objectStore('outbox').index('by_entity').getAll(key);
      if (local !== undefined) {
        for (const name of pendingFields(pending, user.session.deviceId).keys()) shown[name] = structuredClone(field(local.data, name));
      }
      const row: LocalEntity = {
        entity_type: conflict.entityType,
        entity_id: conflict.entityId,
        data: shown,
        sync_version: Math.max(local?.sync_version ?? 0, answer.sync_version),
        server_version: Math.max(local?.server_version ?? 0, answer.sync_version),
        is_archived: isArchived(shown),
        is_contact_zero: false,
        shadow: remote,
        last_synced_at: this.#options.now(),
      };
      setMetadata(row.data, row.entity_id, String(remote['created_at'] ?? local?.data['created_at'] ?? ''), String(remote['updated_at'] ?? ''), row.sync_version, row.is_archived);
      await tx.objectStore('entities').put(row);
      result = row.data as EntityBase;
    }
    await tx.done;
    if (conflict !== undefined) {
      const keys = [{ entityType: conflict.entityType, entityId: conflict.entityId }];
      this.#dispatchChanged(keys, 'remote');
      user.hub.post({ t: 'changed', keys, source: 'remote' });
    }
    await this.#recountConflicts();
    this.#notifyConflictListeners();
    user.hub.post({ t: 'conflicts' });
    return result;
  }
}

/** The typed store of one entity type. */
class TypedStore<T extends EntityBase> implements EntityStore<T> {
  readonly type: EntityType;
  readonly #client: SyncClient;

  constructor(client: SyncClient, type: EntityType) {
    this.#client = client;
    this.type = type;
  }

  async get(id: string): Promise<T | undefined> {
    return (await this.#client.readEntity(this.type, id)) as T | undefined;
  }

  async list(options?: ListOptions): Promise<T[]> {
    return (await this.#client.readAll(this.type, options)) as T[];
  }

  async query(predicate: (entity: T) => boolean, options?: ListOptions): Promise<T[]> {
    return (await this.list(options)).filter(predicate);
  }

  async create(fields: NewEntity<T>): Promise<T> {
    const id = typeof fields.id === 'string' && fields.id !== '' ? fields.id : `${prefixOf(this.type)}_${randomId()}`;
    return (await this.#client.write(this.type, id, 'create', () => {
      const data = structuredClone(fields) as JsonObject;
      for (const name of ['created_at', 'updated_at', 'sync_version', 'is_archived']) delete data[name];
      return data;
    })) as T;
  }

  async update(id: string, patch: EntityPatch<T> | ((current: T) => EntityPatch<T>)): Promise<T> {
    return (await this.#client.write(this.type, id, 'update', (current) => {
      const base = current ?? {};
      const changes = typeof patch === 'function' ? patch(structuredClone(base) as T) : patch;
      const next = { ...base } as JsonObject;
      for (const [name, value] of Object.entries(changes as JsonObject)) {
        if (value !== undefined) next[name] = structuredClone(value);
      }
      return next;
    })) as T;
  }

  async delete(id: string): Promise<T> {
    return (await this.#client.write(this.type, id, 'delete')) as T;
  }

  async restore(id: string): Promise<T> {
    return (await this.#client.write(this.type, id, 'restore')) as T;
  }

  subscribe(listener: (change: EntityChange<T>) => void): () => void {
    return this.#client.listenEntities(this.type, listener as (change: EntityChange) => void);
  }
}

function prefixOf(type: EntityType): string {
  return { contact: 'cnt', note: 'note', task: 'task', interaction: 'int', folder: 'fld', group: 'grp', project: 'prj', pipeline: 'pip' }[type];
}

function randomId(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}

function browserOnline(): boolean {
  const nav = globalThis.navigator as Navigator | undefined;
  return nav === undefined || typeof nav.onLine !== 'boolean' ? true : nav.onLine;
}

function deviceName(): string {
  const nav = globalThis.navigator as Navigator | undefined;
  return nav?.userAgent?.slice(0, 100) ?? 'web';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

