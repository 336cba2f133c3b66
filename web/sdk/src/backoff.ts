/**
 * The retry schedule of the loop (DESIGN 5.2): the given delays in turn (default 2, 4, 8, 16, 32 s),
 * then the last one again and again with a spread of ±jitter from the injected random source. A
 * server's Retry-After is honoured when it asks for longer.
 */
export function backoffDelay(delays: readonly number[], jitter: number, random: () => number, attempt: number, retryAfterMs: number | null = null): number {
  if (attempt < 1 || delays.length === 0) throw new RangeError('attempt must be at least 1');
  let delay = delays[Math.min(attempt, delays.length) - 1]!;
  if (attempt > delays.length && jitter > 0) delay *= 1 + jitter * (random() * 2 - 1);
  return retryAfterMs !== null && retryAfterMs > delay ? retryAfterMs : delay;
}
