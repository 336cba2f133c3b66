/**
 * The public types of the SDK: entities as the wire contract carries them (DESIGN 1, 3), the sync
 * status (DESIGN 5.5), conflicts (3.4), notifications and progress.
 */

/** The eight entity types of DESIGN 1. */
export const ENTITY_TYPES = ['contact', 'note', 'task', 'interaction', 'folder', 'group', 'project', 'pipeline'] as const;

/** One of the eight entity types. */
export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * The fields every entity has. Versions are integers below 2^53 (DESIGN 3.2): the SDK refuses any
 * answer that carries one it cannot hold exactly. Unknown fields are kept as they came (forward
 * compatibility), hence the index signature.
 */
export interface EntityBase {
  id: string;
  /** ISO 8601 UTC. */
  created_at: string;
  /** ISO 8601 UTC. */
  updated_at: string;
  sync_version: number;
  is_archived: boolean;
  [field: string]: unknown;
}

export interface Contact extends EntityBase {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  status?: string | null;
  company?: string | null;
  title?: string | null;
  tags?: string[] | null;
  /** True only on the user's own Contact Zero, which stays on this device and is never synced. */
  is_contact_zero?: boolean;
}

/** A note's fields; its body is a Yjs document (see {@link NoteDocument}). */
export interface Note extends EntityBase {
  title?: string | null;
  folder_id?: string | null;
  tags?: string[] | null;
  pinned?: boolean | null;
}

export interface Task extends EntityBase {
  title?: string | null;
  description?: string | null;
  status?: string | null;
  priority?: string | null;
  /** ISO 8601 UTC. */
  due_at?: string | null;
  contact_id?: string | null;
  project_id?: string | null;
}

export interface Interaction extends EntityBase {
  contact_id?: string | null;
  kind?: string | null;
  /** ISO 8601 UTC. */
  occurred_at?: string | null;
  summary?: string | null;
}

export interface Folder extends EntityBase {
  name?: string | null;
  parent_id?: string | null;
}

export interface Group extends EntityBase {
  name?: string | null;
  contact_ids?: string[] | null;
}

export interface Project extends EntityBase {
  name?: string | null;
  status?: string | null;
  description?: string | null;
  pipeline_id?: string | null;
}

export interface Pipeline extends EntityBase {
  name?: string | null;
  stages?: unknown[] | null;
}

/** The entity interface of each type. */
export interface EntityMap {
  contact: Contact;
  note: Note;
  task: Task;
  interaction: Interaction;
  folder: Folder;
  group: Group;
  project: Project;
  pipeline: Pipeline;
}

/** The fields an app gives to create an entity: everything but the metadata; `id` is generated when absent. */
export type NewEntity<T extends EntityBase> = Omit<Partial<T>, 'created_at' | 'updated_at' | 'sync_version' | 'is_archived'> & {
  id?: string;
};

/** The fields an app changes in an update. A field set to null is cleared. */
export type EntityPatch<T extends EntityBase> = Omit<Partial<T>, 'id' | 'created_at' | 'updated_at' | 'sync_version'>;

/** What happened to an entity, as store subscribers and other tabs see it. */
export interface EntityChange<T extends EntityBase = EntityBase> {
  entityType: EntityType;
  entityId: string;
  /** The entity as stored now; undefined when it was removed from this device (a purged tombstone). */
  entity: T | undefined;
  /** `local`: a write on this device (any tab); `remote`: brought by a pull or a push answer. */
  source: 'local' | 'remote';
}

/** The states of the seed's indicator (DESIGN 5.5). */
export type SyncState = 'synced' | 'syncing' | 'pending' | 'offline' | 'error' | 'conflict';

/** Progress of a large sync, from pull's `remaining` and the outbox size. */
export interface SyncProgress {
  phase: 'pull' | 'push' | 'documents';
  /** Changes done in this phase so far. */
  done: number;
  /** The total as far as known (pull: done + the server's `remaining`), or null when unknown. */
  total: number | null;
  /** 0 to 100 when the total is known, else null. */
  percent: number | null;
  /** "Syncing 1,234 changes… 45%". */
  message: string;
}

/** The error a status in state `error` carries. */
export interface SyncErrorInfo {
  code: string;
  message: string;
  /** HTTP status of the answer, 0 for a network failure. */
  status: number;
}

/** The status every tab sees (the loop's tab broadcasts it to the others). */
export interface SyncStatus {
  state: SyncState;
  /** ISO 8601 UTC of the last sync that finished, or null when never synced. */
  lastSyncAt: string | null;
  /** Changes in the outbox (not yet acknowledged by the server). */
  pendingChanges: number;
  /** Open conflicts (needing review) known on this device. */
  conflicts: number;
  /** Set while a sync runs. */
  progress: SyncProgress | null;
  /** True when the last finished sync is more than 7 days old (DESIGN 5.3) and changes may be missing. */
  stale: boolean;
  /** False when `navigator.onLine` is false or the last request failed at the network level. */
  online: boolean;
  /** Set in state `error`: why. */
  error: SyncErrorInfo | null;
  /** True in the one tab of this profile and user that runs the loop. */
  isLeader: boolean;
  /** True when the user is signed in on this client. */
  signedIn: boolean;
}

/** A minimal observable store (the Svelte store contract): `subscribe` calls the listener at once, then on every change. */
export interface Readable<T> {
  get(): T;
  subscribe(listener: (value: T) => void): () => void;
}

/** How a conflict was settled by the server (DESIGN 3.2). */
export type ConflictResolution = 'local_won' | 'remote_won' | 'mixed';

/** A conflict record as the server lists it (DESIGN 3.2, 3.4), kept locally. */
export interface SyncConflict {
  conflictId: string;
  changeId: string;
  entityType: EntityType | string;
  entityId: string;
  fields: string[];
  resolution: ConflictResolution | string;
  needsReview: boolean;
  /** `open` (needs review, not resolved), `auto_resolved` or `resolved`. */
  status: 'open' | 'auto_resolved' | 'resolved' | string;
  /** The entity after the merge; absent when the server sent `winner_ref` instead (pull brings the entity). */
  winner: Record<string, unknown> | null;
  /** The change id of an earlier conflict of the same push that carries the winner. */
  winnerRef: string | null;
  /** The values this device pushed for the contested fields. */
  local: Record<string, unknown>;
  /** The values they met on the server. */
  remote: Record<string, unknown>;
}

/** The choices of the resolve endpoint (DESIGN 3.4). */
export type ConflictChoice = 'keep_local' | 'use_remote' | 'merged';

/** One entity a pull changed on this device. */
export interface RemoteChange {
  entityType: EntityType | string;
  entityId: string;
  /** The user-visible fields whose values changed. */
  fields: string[];
  /** True when the change archived the entity. */
  archived: boolean;
}

/**
 * "Contact updated on another device": raised when a pull overwrites entities this device already
 * held. A pull that brings many is one aggregated notification ("12 contacts updated on another device").
 */
export interface RemoteChangeNotification {
  message: string;
  changes: RemoteChange[];
  aggregated: boolean;
}

/** A change the server refused (DESIGN 3.2 per-change failures); it left the outbox. */
export interface RejectedChange {
  changeId: string;
  entityType: string;
  entityId: string;
  operation: 'create' | 'update' | 'delete';
  code: string;
  message: string;
}

/** What the server answered to signup or login (DESIGN 3.1). */
export interface AccountSession {
  userId: string;
  /** The user's own contact, created on this device only. */
  contactZeroId: string;
  accessToken: string;
  refreshToken: string | null;
  /** Seconds. */
  expiresIn: number;
}

/** Events of the client; every tab of the profile receives them. */
export interface SyncEvents {
  notification: RemoteChangeNotification;
  conflict: SyncConflict;
  rejected: RejectedChange;
  /** A sync finished (the loop's tab ran it). */
  synced: { at: string; pulled: number; pushed: number };
}
