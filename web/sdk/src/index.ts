/**
 * @framelord/sync: the FrameLord Sync client for the browser (DESIGN 9).
 *
 * ```ts
 * const client = await SyncClient.open({ serverUrl: location.origin });
 * if (!client.signedIn) await client.login(email, password);        // or signup(): Contact Zero is created locally
 * client.status.subscribe(s => indicator.show(s.state));             // synced | syncing | pending | offline | error | conflict
 * client.on('notification', n => toast(n.message));                   // "Contact updated on another device"
 * const sarah = await client.contacts.create({ name: 'Sarah' });     // one IndexedDB transaction, then returns
 * const note = await client.documents.open(noteId);                  // a Y.Doc, BlockSuite-shaped, synced live
 * ```
 */
export { SyncClient } from './client.js';
export { SyncError, SchemaMismatchError, NotSignedInError } from './errors.js';
export { ENTITY_TYPES } from './types.js';
export { REMOTE_ORIGIN, createNoteBody } from './documents.js';
export { coalesce, enqueue } from './coalesce.js';
export type { SyncClientOptions } from './options.js';
export type {
  AccountSession,
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
  RejectedChange,
  RemoteChange,
  RemoteChangeNotification,
  SyncConflict,
  ConflictChoice,
  ConflictResolution,
  SyncErrorInfo,
  SyncEvents,
  SyncProgress,
  SyncState,
  SyncStatus,
  Task,
} from './types.js';
export type {
  ConflictListOptions,
  Conflicts,
  DocumentConnection,
  DocumentStatus,
  EntityStore,
  ListOptions,
  NoteDocument,
  NoteDocuments,
} from './api.js';
export type { OutboxEntry, LocalEdit, EditKind, CoalesceResult } from './coalesce.js';
