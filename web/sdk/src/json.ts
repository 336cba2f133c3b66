/** Field-level operations on entity JSON (the .NET SDK's EntityJson) and the write stamp order (DESIGN 4). */
import { clone, type JsonObject } from './coalesce.js';

/** Fields the server derives: never part of a patch, never contested. */
export function isDerived(name: string): boolean {
  return name === 'id' || name === 'created_at' || name === 'updated_at' || name === 'sync_version';
}

/** Local-only fields: never pushed (Contact Zero's marker). */
export function isLocalOnly(name: string): boolean {
  return name === 'is_contact_zero';
}

/** The value of a field, absent read as null. */
export function field(entity: JsonObject | null | undefined, name: string): unknown {
  if (entity === null || entity === undefined || !Object.prototype.hasOwnProperty.call(entity, name)) return null;
  const value = entity[name];
  return value === undefined ? null : value;
}

/** Deep equality of JSON values (absent and null are the same). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

export function sameField(a: JsonObject | null | undefined, b: JsonObject | null | undefined, name: string): boolean {
  return jsonEqual(field(a, name), field(b, name));
}

/** The fields of `after` that differ from `before` (a field gone is set to null); derived and local-only fields left out. */
export function diff(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [name, value] of Object.entries(after)) {
    if (isDerived(name) || isLocalOnly(name) || value === undefined) continue;
    if (!jsonEqual(field(before, name), value)) patch[name] = clone(value);
  }
  for (const [name, old] of Object.entries(before)) {
    if (!isDerived(name) && !isLocalOnly(name) && (!(name in after) || after[name] === undefined) && old !== null && old !== undefined) {
      patch[name] = null;
    }
  }
  return patch;
}

/** The user-visible fields (not derived) whose values differ. */
export function changedFields(before: JsonObject, after: JsonObject): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => !isDerived(n) && !sameField(before, after, n));
}

export function isArchived(data: JsonObject | null | undefined): boolean {
  return field(data, 'is_archived') === true;
}

/** A write's order (DESIGN 4): version, then client time, then device id (ordinal). */
export interface Stamp {
  version: number;
  /** Milliseconds since the epoch. */
  time: number;
  device: string;
}

export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.device < b.device ? -1 : a.device > b.device ? 1 : 0;
}

/** The largest version the wire carries (DESIGN 3.2: 2^53 − 1). */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;

/** True for an integer from 0 to 2^53 − 1: anything else cannot have come through JSON exactly. */
export function isExactVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** ISO 8601 UTC with milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
