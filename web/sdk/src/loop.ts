/**
 * The sync loop (DESIGN 5.2, 5.3), run by the one elected tab: a step (pull, push, pull again when
 * something was pushed, then dirty note bodies) at start-up, 2 s after the last local write (at most
 * 8 s after the first unpushed one), every 30 s, on a live event, and after a failure with backoff.
 * Steps never overlap; a request for a step while one runs makes one more step after it. While the app
 * is still writing when a write's debounce step comes (the 8 s bound), that step only pushes, and a
 * full step follows once writes pause.
 */
import { backoffDelay } from './backoff.js';
import { DueTimer } from './due-timer.js';
import { SyncError } from './errors.js';
import type { SyncEngine } from './engine.js';
import type { RemoteChange, SyncErrorInfo, SyncProgress } from './types.js';

export interface LoopOptions {
  debounceMs: number;
  pullIntervalMs: number;
  backoffMs: number[];
  jitter: number;
  now: () => number;
  random: () => number;
}

export interface LoopHooks {
  /** Whether the browser believes it is online (navigator.onLine). */
  online(): boolean;
  /**
   * Whether the app is making local writes now (in any tab of the profile). A step the loop starts
   * on its own then only pushes: the pulls, which store pages beside the writes, wait until the writes
   * pause (the step after the debounce), so a write is not kept waiting behind them.
   */
  writing(): boolean;
  /** Pending changes now (the outbox size). */
  pendingChanges(): Promise<number>;
  /** Syncs note bodies with unsynced edits; called at the end of every step. */
  documents(): Promise<void>;
  /** The loop's facts changed. */
  update(facts: { running?: boolean; error?: SyncErrorInfo | null; online?: boolean; lastSyncAt?: number; progress?: SyncProgress | null; pendingChanges?: number }): void;
  /** A pull overwrote entities this device held. */
  remoteChanges(changes: RemoteChange[]): void;
  /** A step finished. */
  synced(result: { at: number; pulled: number; pushed: number }): void;
}

export class SyncLoop {
  readonly #engine: SyncEngine;
  readonly #options: LoopOptions;
  readonly #hooks: LoopHooks;
  /** The next step's timer; `#timerIsDebounce` says whether a write's debounce set it. */
  readonly #timer = new DueTimer(() => this.#options.now(), () => this.#fire());
  #running: Promise<void> | null = null;
  #again = false;
  #againDue = Infinity;
  /** Every request merged into `#again` was a write's debounce. */
  #againIsDebounce = true;
  #timerIsDebounce = false;
  /**
   * The next step pulls whatever asked for it: nothing was pulled since start-up, a step failed or
   * found the browser offline, or the browser came back online (pull first, DESIGN 5.3).
   */
  #needsFull = true;
  #attempt = 0;
  #firstUnpushedAt: number | null = null;
  /** A live event arrived after the running step's last pull began. */
  #unpulledEvent = false;
  /** The running step only pushed (the app was writing): a full step is owed once writes pause. */
  #pullOwed = false;
  #started = false;
  #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(engine: SyncEngine, options: LoopOptions, hooks: LoopHooks) {
    this.#engine = engine;
    this.#options = options;
    this.#hooks = hooks;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Starts with a step at once (start-up sync). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule(0);
  }

  stop(): void {
    this.#started = false;
    this.#timer.clear();
    for (const w of this.#waiters.splice(0)) w.reject(new SyncError('STOPPED', 'The sync loop stopped.'));
  }

  /** A local write was committed: push after the debounce. */
  notifyWrite(): void {
    const now = this.#options.now();
    this.#firstUnpushedAt ??= now;
    const latest = this.#firstUnpushedAt + this.#options.debounceMs * 4 - now;
    this.#schedule(Math.max(0, Math.min(this.#options.debounceMs, latest)), true);
  }

  /** A live event or the app asked: a step now. */
  requestStep(): void {
    this.#schedule(0);
  }

  /**
   * A live event: changes were committed on the server. A pull reads everything committed before its
   * first request, so an event that arrives while a step runs needs another step only when no pull of
   * that step starts after it: the echo of this device's own push arrives while the push runs and is
   * covered by the step's closing pull. With no step running, a step now.
   */
  notifyRemoteChanges(): void {
    if (this.#running !== null) this.#unpulledEvent = true;
    else if (this.#hooks.writing()) this.#schedule(this.#options.debounceMs, true); // pulled once writes pause
    else this.requestStep();
  }

  /** The browser went online: retry at once. */
  notifyOnline(): void {
    this.#needsFull = true;
    this.#attempt = 0;
    this.#schedule(0);
  }

  /** Runs a step now (or joins the one running and one after it); resolves when it succeeded. */
  syncNow(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#schedule(0);
    });
  }

  /**
   * Asks for a step in `delayMs`. `debounce` moves a pending write-step later (each write restarts
   * the 2 s wait); any other request only moves the next step earlier.
   */
  #schedule(delayMs: number, debounce = false): void {
    if (!this.#started) return;
    const due = this.#options.now() + delayMs;
    if (this.#running !== null) {
      this.#againIsDebounce = (this.#again ? this.#againIsDebounce : true) && debounce;
      this.#again = true;
      this.#againDue = Math.min(this.#againDue, due);
      return;
    }
    if (this.#timer.due !== Infinity) {
      // A debounce moves a debounce step, later (each write restarts the wait) or earlier; anything else
      // only ever brings the next step earlier.
      const moves = debounce && this.#timerIsDebounce;
      if (!moves && this.#timer.due <= due) return;
    }
    this.#timerIsDebounce = debounce;
    this.#timer.at(due);
  }

  /** The step's timer went off. */
  #fire(): void {
    const debounce = this.#timerIsDebounce;
    this.#running = this.#step(debounce).finally(() => {
      this.#running = null;
      const owed = this.#pullOwed;
      this.#pullOwed = false;
      if (this.#unpulledEvent) {
        this.#unpulledEvent = false;
        // After a push-only step the owed step covers the event (its own push's echo among them).
        if (!owed) {
          this.#again = true;
          this.#againIsDebounce = false;
          this.#againDue = Math.min(this.#againDue, this.#options.now());
        }
      }
      if (this.#again) {
        this.#again = false;
        const againDue = this.#againDue;
        const againDebounce = this.#againIsDebounce;
        this.#againDue = Infinity;
        this.#againIsDebounce = true;
        this.#schedule(Math.max(0, againDue - this.#options.now()), againDebounce);
      }
      // A debounce step: each write moves it later (within the 8 s bound of an unpushed write).
      if (owed) this.#schedule(this.#options.debounceMs, true);
    });
  }

  /**
   * A step while the app writes: the outbox goes out, nothing is pulled (the full step owed once writes
   * pause pulls, and applies the answers). A failure backs off as any step's does.
   */
  async #pushOnly(): Promise<void> {
    try {
      this.#firstUnpushedAt = null;
      await this.#engine.push({ whileWriting: true });
      this.#pullOwed = true;
      this.#attempt = 0;
      this.#hooks.update({ running: false, error: null, online: true, progress: null });
    } catch (e) {
      await this.#failed(e, []);
    }
  }

  /** A step; `fromDebounce`: the timer was a write's debounce (or the step owed after a push-only one). */
  async #step(fromDebounce: boolean): Promise<void> {
    const waiters = this.#waiters.splice(0);
    if (!this.#hooks.online()) {
      this.#needsFull = true;
      this.#hooks.update({ online: false, running: false });
      for (const w of waiters) w.reject(new SyncError('NETWORK_ERROR', 'The browser is offline.', 0, true));
      return; // the 'online' event starts the next step
    }
    this.#hooks.update({ running: true, progress: null });
    // Only a write's own debounce step may skip the pulls, and only once a pull has succeeded since the
    // last failure or return online; a step the app asked for always pulls.
    if (waiters.length === 0 && fromDebounce && !this.#needsFull && this.#hooks.writing()) {
      await this.#pushOnly();
      return;
    }
    try {
      // Offline for days: pull first, then push (DESIGN 5.3), then pull what the push merged.
      this.#unpulledEvent = false; // cleared before the pull's first request goes out
      const first = await this.#engine.pull();
      this.#firstUnpushedAt = null;
      const pushed = await this.#engine.push();
      this.#hooks.update({ pendingChanges: await this.#hooks.pendingChanges() });
      let pulled = first.pulled;
      const changes = [...first.changes];
      if (pushed.pushed + pushed.rejected > 0) {
        this.#unpulledEvent = false;
        const second = await this.#engine.pull();
        pulled += second.pulled;
        changes.push(...second.changes);
      }
      if (changes.length > 0) this.#hooks.remoteChanges(changes);
      await this.#hooks.documents();
      const at = this.#options.now();
      this.#attempt = 0;
      this.#needsFull = false;
      this.#hooks.update({ running: false, error: null, online: true, lastSyncAt: at, progress: null, pendingChanges: await this.#hooks.pendingChanges() });
      this.#hooks.synced({ at, pulled, pushed: pushed.pushed });
      for (const w of waiters) w.resolve();
      this.#schedule(this.#options.pullIntervalMs);
    } catch (e) {
      await this.#failed(e, waiters);
    }
  }

  /** A failed step: the error in the status, the waiters told, the next step after the backoff. */
  async #failed(e: unknown, waiters: { resolve: () => void; reject: (e: unknown) => void }[]): Promise<void> {
    const error = e instanceof SyncError ? e : new SyncError('CLIENT_ERROR', e instanceof Error ? e.message : String(e));
    this.#attempt++;
    this.#needsFull = true;
    const network = error.status === 0 && error.code === 'NETWORK_ERROR';
    this.#hooks.update({
      running: false,
      progress: null,
      online: !network,
      error: network ? null : { code: error.code, message: error.message, status: error.status },
      pendingChanges: await this.#hooks.pendingChanges().catch(() => 0),
    });
    for (const w of waiters) w.reject(error);
    const retryAfter = error.retryAfter === null ? null : error.retryAfter * 1000;
    this.#schedule(backoffDelay(this.#options.backoffMs, this.#options.jitter, this.#options.random, this.#attempt, retryAfter));
  }
}
