/** The observable status (DESIGN 5.5) and the rule that derives the indicator's state from the facts. */
import type { Readable, SyncErrorInfo, SyncProgress, SyncState, SyncStatus } from './types.js';

/** Out of sync for longer than this raises the stale warning (DESIGN 5.3: 7 days). */
export const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/** The facts the state is derived from. */
export interface StatusFacts {
  online: boolean;
  running: boolean;
  error: SyncErrorInfo | null;
  pendingChanges: number;
  conflicts: number;
  lastSyncAt: number | null;
  progress: SyncProgress | null;
  isLeader: boolean;
  signedIn: boolean;
}

/** offline > syncing > error > conflict > pending > synced. */
export function deriveState(f: StatusFacts): SyncState {
  if (!f.online) return 'offline';
  if (f.running) return 'syncing';
  if (f.error !== null) return 'error';
  if (f.conflicts > 0) return 'conflict';
  if (f.pendingChanges > 0) return 'pending';
  return 'synced';
}

export function toStatus(f: StatusFacts, now: number): SyncStatus {
  return {
    state: deriveState(f),
    lastSyncAt: f.lastSyncAt === null ? null : new Date(f.lastSyncAt).toISOString(),
    pendingChanges: f.pendingChanges,
    conflicts: f.conflicts,
    progress: f.running ? f.progress : null,
    stale: f.lastSyncAt !== null && now - f.lastSyncAt > STALE_AFTER_MS,
    online: f.online,
    error: f.error,
    isLeader: f.isLeader,
    signedIn: f.signedIn,
  };
}

/** A value with subscribers (the Svelte store contract). */
export class Store<T> implements Readable<T> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();

  constructor(value: T) {
    this.#value = value;
  }

  get(): T {
    return this.#value;
  }

  set(value: T): void {
    this.#value = value;
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (e) {
        reportListenerError(e);
      }
    }
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#value);
    return () => this.#listeners.delete(listener);
  }
}

/** A listener's exception must not break the SDK; it is rethrown outside the call stack. */
export function reportListenerError(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}
