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

/** How long the frequent messages wait to go together (ms). */
const GATHER_MS = 25;

/** What goes over the channel: one message, or the messages one task posted, in order. */
type Wire = HubMessage | { t: 'batch'; messages: HubMessage[] };

export class Hub {
  readonly #channel: BroadcastChannel | null;
  readonly #listeners = new Set<(message: HubMessage) => void>();
  #queued: HubMessage[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(name: string) {
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
    if (this.#channel !== null) {
      // Node keeps a process alive while a channel is open; browsers have no unref.
      (this.#channel as { unref?: () => void }).unref?.();
      this.#channel.onmessage = (e: MessageEvent) => {
        const wire = e.data as Wire;
        for (const message of wire.t === 'batch' ? wire.messages : [wire]) {
          for (const listener of [...this.#listeners]) listener(message);
        }
      };
    }
  }

  /**
   * Sends a message to the profile's other tabs. Status and `changed` messages, the frequent ones,
   * wait up to {@link GATHER_MS} and go together with the others posted meanwhile (in order, one
   * status: the last): a local write returns without waiting for the channel, and a run of writes or
   * batches costs one message instead of two each. Any other message goes at once, after what waits.
   */
  post(message: HubMessage): void {
    if (this.#channel === null) return;
    this.#queued.push(message);
    if (message.t === 'status' || message.t === 'changed') this.#flushTimer ??= setTimeout(() => this.flush(), GATHER_MS);
    else this.flush();
  }

  /** Sends what is queued now. */
  flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const messages = coalesce(this.#queued);
    this.#queued = [];
    if (messages.length === 0 || this.#channel === null) return;
    this.#channel.postMessage(messages.length === 1 ? messages[0]! : ({ t: 'batch', messages } satisfies Wire));
  }

  listen(listener: (message: HubMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.flush();
    this.#listeners.clear();
    this.#channel?.close();
  }
}

/** Drops every status but the last and joins neighbouring `changed` messages of one source. */
function coalesce(queued: HubMessage[]): HubMessage[] {
  let lastStatus = -1;
  for (let i = queued.length - 1; i >= 0 && lastStatus < 0; i--) if (queued[i]!.t === 'status') lastStatus = i;
  const out: HubMessage[] = [];
  queued.forEach((m, i) => {
    if (m.t === 'status' && i !== lastStatus) return;
    const previous = out.at(-1);
    if (m.t === 'changed' && previous?.t === 'changed' && previous.source === m.source) {
      out[out.length - 1] = { ...previous, keys: [...previous.keys, ...m.keys] };
      return;
    }
    out.push(m);
  });
  return out;
}
