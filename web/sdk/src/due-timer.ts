/**
 * A timer whose due time moves. Moving it later sets no new timer: the one set goes off early and waits
 * out the rest (a write that postpones a step costs no timer of its own). Moving it earlier sets it again.
 * The rest is counted from now, or from the time the timer was set for when the clock says earlier, so an
 * injected clock that stands still cannot keep it waiting.
 */
export class DueTimer {
  readonly #now: () => number;
  readonly #fire: () => void;
  #handle: ReturnType<typeof setTimeout> | null = null;
  #due = Infinity;

  constructor(now: () => number, fire: () => void) {
    this.#now = now;
    this.#fire = fire;
  }

  /** When it goes off; Infinity when it is not set. */
  get due(): number {
    return this.#due;
  }

  /** Makes it go off at `due`, earlier or later than it was set for. */
  at(due: number): void {
    const later = this.#handle !== null && due >= this.#due;
    this.#due = due;
    if (later) return;
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#arm(Math.max(0, due - this.#now()));
  }

  clear(): void {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = null;
    this.#due = Infinity;
  }

  #arm(delayMs: number): void {
    const armedFor = this.#due;
    this.#handle = setTimeout(() => {
      const rest = this.#due - Math.max(armedFor, this.#now());
      if (rest > 0) {
        this.#arm(rest);
        return;
      }
      this.#handle = null;
      this.#due = Infinity;
      this.#fire();
    }, delayMs);
  }
}
