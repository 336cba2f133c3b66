/**
 * Outbox coalescing (DESIGN 2, 5.2), the same algebra as the .NET SDK's OutboxCoalescer:
 * create+update = create, update+update = merged patch (later values win), create+delete = nothing,
 * delete+restore = an update. A delete is the field `is_archived = true` (DESIGN 4.4), so update+delete
 * and delete+update are one update of the edited fields and `is_archived: true`: the server keeps the
 * edits on the archived entity and a restore brings them back. A delete without field edits stays a
 * `delete`. An entry is open when it was not yet taken into a batch and was made from the server
 * version the device still knows: after a pull moved that version on, or once the entry was sent, a new
 * edit makes a new entry, so a resent batch stays idempotent.
 */

/** A JSON object as entities and patches are kept. */
export type JsonObject = Record<string, unknown>;

/** One outbox entry as stored (and pushed: the wire fields are snake_case). */
export interface OutboxEntry {
  seq: number;
  change_id: string;
  entity_type: string;
  entity_id: string;
  operation: 'create' | 'update' | 'delete';
  /** Create: the full entity; update: the changed fields; delete: null. */
  data: JsonObject | null;
  /** ISO 8601 UTC. */
  client_timestamp: string;
  sync_version: number;
  base_version: number;
  /**
   * Taken into a batch: frozen (resent as it is until answered). Stored false since schema 2, where
   * the outbox's in-flight mark says it (db.ts `Meta.sentThrough`); filled in before coalescing.
   */
  sent: boolean;
}

export type EditKind = 'create' | 'update' | 'delete' | 'restore';

/** One local write as the outbox takes it; `data` is the entity (create), the changed fields (update), or null. */
export interface LocalEdit {
  kind: EditKind;
  data: JsonObject | null;
  sync_version: number;
  client_timestamp: string;
  base_version: number;
}

export type CoalesceResult =
  | { outcome: 'inserted'; entry: OutboxEntry }
  | { outcome: 'updated'; entry: OutboxEntry }
  | { outcome: 'removed'; entry: OutboxEntry };

/**
 * Takes `edit` into the outbox whose newest entry for the entity is `last`. The server version the
 * device knows is the edit's `base_version`. When the server never had the entity (0) and nothing is
 * queued for it (a create cancelled by a delete, or refused), a delete has nothing to say (`nothing`)
 * and any other edit re-creates the entity from `localEntity`, the device's full entity after the edit.
 */
export function enqueue(
  last: OutboxEntry | undefined,
  edit: LocalEdit,
  localEntity: JsonObject,
  entityType: string,
  entityId: string,
  nextId: () => { seq: number; changeId: string },
): CoalesceResult | { outcome: 'nothing' } {
  if (edit.base_version === 0 && last === undefined && edit.kind !== 'create') {
    if (edit.kind === 'delete') return { outcome: 'nothing' };
    edit = { ...edit, kind: 'create', data: pushable(localEntity) };
  }
  return coalesce(isOpen(last, edit.base_version) ? last : undefined, edit, entityType, entityId, nextId);
}

/**
 * The entity as a create pushes it: no server-managed, local-only or null fields. The values are the
 * entity's own (not copied): the outbox entry made from it copies them ({@link coalesce}).
 */
export function pushable(data: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [name, value] of Object.entries(data)) {
    if (value !== null && value !== undefined && name !== 'updated_at' && name !== 'sync_version' && name !== 'is_contact_zero') {
      result[name] = value;
    }
  }
  return result;
}

/** True when `entry` can take further edits: not sent, and made from the server version still known. */
export function isOpen(entry: OutboxEntry | undefined, serverVersion: number): entry is OutboxEntry {
  return entry !== undefined && !entry.sent && entry.base_version === serverVersion;
}

/**
 * Applies `edit` to the open entry (or makes a new one with `nextId` when `open` is undefined). The
 * entry given is not changed; the result holds a new object.
 */
export function coalesce(
  open: OutboxEntry | undefined,
  edit: LocalEdit,
  entityType: string,
  entityId: string,
  nextId: () => { seq: number; changeId: string },
): CoalesceResult {
  if (open === undefined) {
    const { seq, changeId } = nextId();
    return {
      outcome: 'inserted',
      entry: {
        seq,
        change_id: changeId,
        entity_type: entityType,
        entity_id: entityId,
        operation: edit.kind === 'create' ? 'create' : edit.kind === 'delete' ? 'delete' : 'update',
        data:
          edit.kind === 'create' || edit.kind === 'update'
            ? clone(edit.data)
            : edit.kind === 'restore'
              ? restored(null)
              : null,
        client_timestamp: edit.client_timestamp,
        sync_version: edit.sync_version,
        base_version: edit.base_version,
        sent: false,
      },
    };
  }

  const entry: OutboxEntry = { ...open, data: clone(open.data) };
  switch (`${open.operation}+${edit.kind}`) {
    case 'create+delete':
      return { outcome: 'removed', entry };
    case 'create+update':
    case 'update+update':
      entry.data = merge(entry.data, edit.data);
      break;
    case 'create+restore':
    case 'update+restore':
      entry.data = restored(entry.data);
      break;
    case 'update+delete':
      archive(entry, entry.data);
      break;
    case 'delete+restore':
      entry.operation = 'update';
      entry.data = restored(null);
      break;
    case 'delete+update':
      archive(entry, clone(edit.data));
      break;
    case 'delete+delete':
      break;
    default:
      throw new Error(`Cannot coalesce ${edit.kind} into an open ${open.operation} of ${entityType}/${entityId}.`);
  }

  entry.sync_version = edit.sync_version;
  entry.client_timestamp = edit.client_timestamp;
  return { outcome: 'updated', entry };
}

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return value === null || value === undefined ? value : (structuredClone(value) as T);
}

/** A copy of `a` with the fields of `b` set on it. */
export function merge(a: JsonObject | null, b: JsonObject | null): JsonObject {
  const result: JsonObject = a === null ? {} : clone(a);
  if (b !== null) {
    for (const [name, value] of Object.entries(b)) {
      result[name] = clone(value);
    }
  }
  return result;
}

function restored(data: JsonObject | null): JsonObject {
  const result = merge(data, null);
  result['is_archived'] = false;
  return result;
}

/** Makes `entry` archive the entity along with `fields`: an update when there are fields, else a bare delete. */
function archive(entry: OutboxEntry, fields: JsonObject | null): void {
  if (fields !== null) {
    delete fields['is_archived'];
  }
  if (fields === null || Object.keys(fields).length === 0) {
    entry.operation = 'delete';
    entry.data = null;
    return;
  }
  fields['is_archived'] = true;
  entry.operation = 'update';
  entry.data = fields;
}
