/**
 * The interfaces the app codes against: typed entity stores, conflicts and note documents.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type {
  ConflictChoice,
  EntityBase,
  EntityChange,
  EntityPatch,
  EntityType,
  NewEntity,
  Readable,
  SyncConflict,
} from './types.js';

/** Options of {@link EntityStore.list} and {@link EntityStore.query}. */
export interface ListOptions {
  /** Include archived (deleted) entities. Default false. */
  includeArchived?: boolean;
}

/**
 * The local store of one entity type. Reads are local and work offline. Every write commits the
 * entity and its outbox entry in one IndexedDB transaction and resolves then (optimistic UI); the
 * loop pushes it later (2 s after the last write).
 */
export interface EntityStore<T extends EntityBase> {
  readonly type: EntityType;
  /** The entity, archived or not, or undefined when this device does not hold it. */
  get(id: string): Promise<T | undefined>;
  /** Every entity of the type, by id. */
  list(options?: ListOptions): Promise<T[]>;
  /** The entities the predicate keeps, by id. */
  query(predicate: (entity: T) => boolean, options?: ListOptions): Promise<T[]>;
  /** Creates the entity (an id is generated when none is given). Throws when the id exists. */
  create(fields: NewEntity<T>): Promise<T>;
  /** Sets the given fields (null clears one); a function gets the current entity. Throws when absent. */
  update(id: string, patch: EntityPatch<T> | ((current: T) => EntityPatch<T>)): Promise<T>;
  /** Archives the entity (a delete is `is_archived = true`, DESIGN 4.4). Contact Zero cannot be deleted. */
  delete(id: string): Promise<T>;
  /** Brings an archived entity back with its fields. */
  restore(id: string): Promise<T>;
  /** Called on every change of this type, local (any tab) or remote. Returns the unsubscribe function. */
  subscribe(listener: (change: EntityChange<T>) => void): () => void;
}

/** Options of {@link Conflicts.list}. */
export interface ConflictListOptions {
  /** `open` (default): needing review and not resolved; `all`: auto-resolved and resolved too. */
  status?: 'open' | 'all';
}

/** Conflicts of DESIGN 3.4, kept locally from push answers and the server's listing. */
export interface Conflicts {
  /** The conflicts known on this device, oldest first. */
  list(options?: ConflictListOptions): Promise<SyncConflict[]>;
  /** Reads every page of `GET /sync/conflicts?status=all` into the local store. Needs the network. */
  refresh(): Promise<SyncConflict[]>;
  /**
   * Resolves on the server (`keep_local`, `use_remote`, or `merged` with the fields in `data`) and
   * writes the answer's entity locally; the resolution reaches other devices by pull. Needs the network.
   */
  resolve(conflictId: string, choice: ConflictChoice, data?: Record<string, unknown>): Promise<EntityBase>;
  /** Called when the set of conflicts changes (any tab). */
  subscribe(listener: () => void): () => void;
}

/** How a note body is synced right now. */
export type DocumentConnection = 'offline' | 'rest' | 'socket';

/** The sync state of one open note body. */
export interface DocumentStatus {
  connection: DocumentConnection;
  /** True when the server holds every local edit of the body. */
  synced: boolean;
  /** The server's `sync_version` of the body as last seen, 0 when never synced. */
  syncVersion: number;
  /** The last refusal of the body by the server (a 413, say), or null. */
  error: { code: string; message: string } | null;
}

/**
 * One note body (DESIGN 6): a `Y.Doc` in BlockSuite's shape (root map `blocks`), kept in IndexedDB
 * (y-indexeddb) and synced live: over the y-websocket endpoint (DESIGN 3.8) when the server has it,
 * by the REST delta sync (3.5) otherwise. Edits are made on `doc` directly; edits applied from the
 * server or another tab carry {@link REMOTE_ORIGIN}, so a `Y.UndoManager` with its default tracked
 * origins (`null`) undoes only the user's own edits.
 */
export interface NoteDocument {
  readonly noteId: string;
  readonly doc: Y.Doc;
  /** Cursors and selections of other clients (live only over the socket); set the local state here. */
  readonly awareness: Awareness;
  readonly status: Readable<DocumentStatus>;
  /** Resolves once the local copy is loaded from IndexedDB. */
  readonly whenLoaded: Promise<void>;
  /** Syncs now (REST), resolving when the server has every local edit; rejects when offline. */
  sync(): Promise<void>;
  /** Stops syncing and releases the document (the local copy stays). */
  close(): void;
}

/** Note bodies of the signed-in user. */
export interface NoteDocuments {
  /** Opens (or returns the already open) body of the note; works offline. */
  open(noteId: string): Promise<NoteDocument>;
  /** The body as one Yjs v1 update, from the local copy (open or not). */
  getState(noteId: string): Promise<Uint8Array>;
}
