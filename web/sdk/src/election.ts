/**
 * One loop per browser profile and user: the tab holding the Web Lock runs it. The lock is released
 * when that tab closes (or crashes), and the next tab waiting for it is elected. Without Web Locks
 * (Node, old browsers) the only context is the leader.
 */
export class Election {
  readonly #name: string;
  readonly #onElected: () => void;
  #release: (() => void) | null = null;
  #abort: AbortController | null = null;
  #leader = false;

  constructor(name: string, onElected: () => void) {
    this.#name = name;
    this.#onElected = onElected;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  start(): void {
    if (this.#abort !== null) return;
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    this.#abort = new AbortController();
    if (locks === undefined) {
      this.#leader = true;
      this.#onElected();
      return;
    }
    locks
      .request(this.#name, { signal: this.#abort.signal }, () => {
        this.#leader = true;
        this.#onElected();
        return new Promise<void>((resolve) => {
          this.#release = resolve;
        });
      })
      .catch(() => {
        // aborted while waiting: this tab stopped before it was elected
      });
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    this.#release?.();
    this.#release = null;
    this.#leader = false;
  }
}
