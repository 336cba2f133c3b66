/**
 * Tab-to-tab messages of one profile and user (BroadcastChannel): the loop's tab publishes status and
 * events; every tab announces its writes (so the loop pushes and other tabs' subscribers refresh).
 */
import type { RemoteChangeNotification, RejectedChange, SyncConflict, SyncStatus } from './types.js';

export type HubMessage =
  | { t: 'status'; status: SyncStatus }
  | { t: 'hello' }
  | { t: 'wake' }
  | { t: 'sync' }
  | { t: 'changed'; keys: { entityType: string; entityId: string }[]; source: 'local' | 'remote' }
  | { t: 'conflicts' }
  | { t: 'notification'; payload: RemoteChangeNotification }
  | { t: 'conflict'; payload: SyncConflict }
  | { t: 'rejected'; payload: RejectedChange }
  | { t: 'synced'; payload: { at: string; pulled: number; pushed: number } }
  | { t: 'synced-now'; id: string; error: { code: string; message: string; status: number } | null }
  | { t: 'sync-now'; id: string }
  | { t: 'doc'; noteId: string; syncVersion: number }
  /** A tab met a 401 with `failed`: the loop's tab refreshes it. */
  | { t: 'refresh'; failed: string }
  /** The loop's tab replaced `failed` (token) or could not (error). */
  | { t: 'refreshed'; failed: string; token: string | null; error: { code: string; message: string; status: number; transient: boolean } | null };

export class Hub {
  readonly #channel: BroadcastChannel | null;
  readonly #listeners = new Set<(message: HubMessage) => void>();

  constructor(name: string) {
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
    if (this.#channel !== null) {
      // Node keeps a process alive while a channel is open; browsers have no unref.
      (this.#channel as { unref?: () => void }).unref?.();
      this.#channel.onmessage = (e: MessageEvent) => {
        for (const listener of [...this.#listeners]) listener(e.data as HubMessage);
      };
    }
  }

  post(message: HubMessage): void {
    this.#channel?.postMessage(message);
  }

  listen(listener: (message: HubMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#listeners.clear();
    this.#channel?.close();
  }
}
