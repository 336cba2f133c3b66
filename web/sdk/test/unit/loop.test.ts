import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SyncLoop, type LoopHooks } from '../../src/loop.js';
import type { SyncEngine } from '../../src/engine.js';
import { SyncError } from '../../src/errors.js';
import { backoffDelay } from '../../src/backoff.js';
import { deriveState, toStatus, STALE_AFTER_MS, type StatusFacts } from '../../src/status.js';

/** A loop over a scripted engine, on mocked timers and a clock that moves with them. */
function harness(script: { fail?: (step: number) => SyncError | null; duringPull?: (pull: number) => void; push?: () => { pushed: number; rejected: number; conflicts: number } } = {}) {
  mock.timers.enable({ apis: ['setTimeout'] });
  let clock = 0;
  const steps: number[] = [];
  const facts: Partial<StatusFacts>[] = [];
  let online = true;
  let writing = false;
  const pushes: { at: number; whileWriting: boolean }[] = [];
  const engine = {
    pull: async () => {
      steps.push(clock);
      const error = script.fail?.(steps.length) ?? null;
      if (error !== null) throw error;
      script.duringPull?.(steps.length);
      return { pulled: 0, changes: [] };
    },
    push: async (options: { whileWriting?: boolean } = {}) => {
      pushes.push({ at: clock, whileWriting: options.whileWriting === true });
      return script.push?.() ?? { pushed: 0, rejected: 0, conflicts: 0 };
    },
  } as unknown as SyncEngine;
  const hooks: LoopHooks = {
    online: () => online,
    writing: () => writing,
    pendingChanges: async () => 0,
    documents: async () => undefined,
    update: (f) => facts.push(f),
    remoteChanges: () => undefined,
    synced: () => undefined,
  };
  const loop = new SyncLoop(engine, { debounceMs: 2000, pullIntervalMs: 30000, backoffMs: [2000, 4000, 8000, 16000, 32000], jitter: 0.2, now: () => clock, random: () => 1 }, hooks);
  const flush = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  const advance = async (ms: number, options: { clockStands?: boolean } = {}) => {
    for (let t = 0; t < ms; t += 100) {
      if (options.clockStands !== true) clock += 100;
      mock.timers.tick(100);
      await flush();
    }
  };
  return {
    loop, steps, pushes, facts, advance, flush,
    setOnline: (v: boolean) => (online = v),
    setWriting: (v: boolean) => (writing = v),
    done: () => { loop.stop(); mock.timers.reset(); },
  };
}

test('the loop syncs at start-up and then every 30 s', async () => {
  const h = harness();
  h.loop.start();
  await h.advance(100);
  assert.deepEqual(h.steps, [100]);
  await h.advance(61000);
  assert.deepEqual(h.steps, [100, 30100, 60100]);
  h.done();
});

test('a write is pushed 2 s after the last write, and at most 8 s after the first', async () => {
  const h = harness();
  h.loop.start();
  await h.advance(100);
  h.loop.notifyWrite();
  await h.advance(1900);
  assert.equal(h.steps.length, 1);
  await h.advance(200);
  assert.equal(h.steps.length, 2);
  assert.equal(h.steps[1], 2100);
  // writes every second keep postponing the step, up to 4 × 2 s after the first write
  const first = 2200;
  for (let i = 0; i < 12; i++) {
    h.loop.notifyWrite();
    await h.advance(1000);
  }
  assert.equal(h.steps.length, 3);
  assert.ok(h.steps[2]! - first <= 8100, `step at ${h.steps[2]}`);
  h.done();
});

test('a write step moved later by each write goes off 2 s after the last one, on any clock', async () => {
  const h = harness();
  h.loop.start();
  await h.advance(100);
  // The step's timer is set once; each write only moves its due time, and the timer waits out the rest.
  for (let i = 0; i < 30; i++) {
    h.loop.notifyWrite();
    await h.advance(100);
  }
  assert.equal(h.steps.length, 1); // still waiting: the last write was 100 ms ago
  await h.advance(2000);
  assert.deepEqual(h.steps, [100, 5000]);
  // A clock that stands still (an app's injected one) cannot keep the step waiting.
  for (let i = 0; i < 5; i++) h.loop.notifyWrite();
  await h.advance(2100, { clockStands: true });
  assert.deepEqual(h.steps, [100, 5000, 5100]);
  h.done();
});

test('failed steps retry after 2, 4, 8, 16, 32 s, then 32 s with jitter', async () => {
  const h = harness({ fail: () => new SyncError('HTTP_503', 'down', 503, true) });
  h.loop.start();
  await h.advance(100);
  await h.advance(2000 + 4000 + 8000 + 16000 + 32000 + 38400 + 100);
  const gaps = h.steps.slice(1).map((t, i) => t - h.steps[i]!);
  assert.deepEqual(gaps, [2000, 4000, 8000, 16000, 32000, 38400]);
  h.done();
});

test('backoff jitter spreads the repeated delay both ways and honours Retry-After', () => {
  const delays = [2000, 4000, 8000, 16000, 32000];
  assert.equal(backoffDelay(delays, 0.2, () => 0, 6), 25600);
  assert.equal(backoffDelay(delays, 0.2, () => 0.5, 6), 32000);
  assert.equal(backoffDelay(delays, 0.2, () => 0.999, 9) < 38400, true);
  assert.equal(backoffDelay(delays, 0.2, () => 0, 1), 2000);
  assert.equal(backoffDelay(delays, 0.2, () => 0, 1, 60000), 60000);
});

test('status facts: syncing while a step runs, error with the reason, offline on a network failure', async () => {
  let n = 0;
  const h = harness({
    fail: () => (++n === 1 ? new SyncError('NETWORK_ERROR', 'down', 0, true) : n === 2 ? new SyncError('HTTP_500', 'boom', 500, true) : null),
  });
  h.loop.start();
  await h.advance(100);
  assert.deepEqual(h.facts[0], { running: true, progress: null });
  assert.equal(h.facts.at(-1)!.online, false);
  await h.advance(2000);
  assert.equal(h.facts.at(-1)!.online, true);
  assert.equal(h.facts.at(-1)!.error?.code, 'HTTP_500');
  await h.advance(4000);
  assert.equal(h.facts.at(-1)!.error, null);
  assert.equal(h.facts.at(-1)!.running, false);
  h.done();
});

test('while the browser is offline no request is made; going online syncs at once', async () => {
  const h = harness();
  h.setOnline(false);
  h.loop.start();
  await h.advance(5000);
  assert.deepEqual(h.steps, []);
  assert.equal(h.facts.at(-1)!.online, false);
  h.setOnline(true);
  h.loop.notifyOnline();
  await h.advance(100);
  assert.equal(h.steps.length, 1);
  h.done();
});

test('the indicator state follows the facts in priority order, and the stale flag after 7 days', () => {
  const base: StatusFacts = { online: true, running: false, error: null, pendingChanges: 0, conflicts: 0, lastSyncAt: 0, progress: null, isLeader: true, signedIn: true };
  assert.equal(deriveState(base), 'synced');
  assert.equal(deriveState({ ...base, pendingChanges: 3 }), 'pending');
  assert.equal(deriveState({ ...base, pendingChanges: 3, conflicts: 1 }), 'conflict');
  assert.equal(deriveState({ ...base, conflicts: 1, error: { code: 'X', message: '', status: 500 } }), 'error');
  assert.equal(deriveState({ ...base, error: { code: 'X', message: '', status: 500 }, running: true }), 'syncing');
  assert.equal(deriveState({ ...base, running: true, online: false }), 'offline');
  assert.equal(toStatus(base, STALE_AFTER_MS).stale, false);
  assert.equal(toStatus(base, STALE_AFTER_MS + 1).stale, true);
  assert.equal(toStatus({ ...base, lastSyncAt: null }, STALE_AFTER_MS * 10).stale, false);
});

test("a live event during a step's push is covered by its closing pull: no step of its own", async () => {
  let loop: SyncLoop | null = null;
  // The device's own push comes back as a live event while the push runs (the echo).
  const h = harness({ push: () => { loop!.notifyRemoteChanges(); return { pushed: 1, rejected: 0, conflicts: 0 }; } });
  loop = h.loop;
  h.loop.start();
  await h.advance(100);
  assert.deepEqual(h.steps, [100, 100]); // the first pull and the closing pull, nothing after
  await h.advance(5000);
  assert.deepEqual(h.steps, [100, 100]);
  h.done();
});

test('a live event that no later pull of the running step covers makes one more step at once', async () => {
  let loop: SyncLoop | null = null;
  // Nothing to push, so no closing pull: the event during the push needs a step.
  const h = harness({ push: () => { loop!.notifyRemoteChanges(); return { pushed: 0, rejected: 0, conflicts: 0 }; } });
  loop = h.loop;
  h.loop.start();
  await h.advance(100);
  await h.advance(100);
  assert.equal(h.steps.length, 2);
  assert.ok(h.steps[1]! <= 200);
  h.done();

  // An event during the closing pull (after its first request went out) also needs one.
  let loop2: SyncLoop | null = null;
  const h2 = harness({ push: () => ({ pushed: 1, rejected: 0, conflicts: 0 }), duringPull: (n) => { if (n === 2) loop2!.notifyRemoteChanges(); } });
  loop2 = h2.loop;
  h2.loop.start();
  await h2.advance(300);
  assert.ok(h2.steps.length >= 3, `pulls at ${h2.steps.join(', ')}`);
  assert.ok(h2.steps[2]! <= 300);
  h2.done();

  // With no step running, an event is a step now.
  const h3 = harness();
  h3.loop.start();
  await h3.advance(100);
  h3.loop.notifyRemoteChanges();
  await h3.advance(100);
  assert.deepEqual(h3.steps, [100, 200]);
  h3.done();
});

test('while the app writes, a step the loop starts only pushes; the pulls wait for the step after writes pause', async () => {
  const h = harness();
  h.loop.start();
  await h.advance(100);
  assert.deepEqual(h.steps, [100]); // the start-up step pulled
  h.pushes.length = 0;
  // 10 s of writes, one every 500 ms: the 8 s bound brings a step while they go on
  h.setWriting(true);
  for (let i = 0; i < 20; i++) {
    h.loop.notifyWrite();
    if (i === 12) h.loop.notifyRemoteChanges(); // another device's change: not pulled while writing
    await h.advance(500);
  }
  assert.deepEqual(h.steps, [100], 'no pull while the app writes');
  assert.ok(h.pushes.length >= 1 && h.pushes.every((p) => p.whileWriting), JSON.stringify(h.pushes));
  const pushedAt = h.pushes.length;
  // writes pause: the debounce step is a full one (pull, push, and the event's pull with it)
  h.setWriting(false);
  await h.advance(2100);
  assert.equal(h.steps.length, 2, 'one full step after the pause');
  assert.ok(h.steps[1]! >= 10100 + 1900 - 500 && h.steps[1]! <= 10100 + 2100, String(h.steps[1]));
  assert.equal(h.pushes.length, pushedAt + 1);
  assert.equal(h.pushes.at(-1)!.whileWriting, false);
  await h.advance(5000);
  assert.equal(h.steps.length, 2, 'the push-only step asked for no more steps than that one');
  h.done();
});

test('syncNow while the app writes is a full step', async () => {
  const h = harness();
  h.loop.start();
  await h.advance(100);
  h.setWriting(true);
  h.loop.notifyWrite();
  const done = h.loop.syncNow();
  await h.advance(100);
  await done;
  assert.equal(h.steps.length, 2);
  assert.equal(h.pushes.at(-1)!.whileWriting, false);
  h.done();
});

test('a write debounced while the browser was offline is pulled for first once it is back: no push-only step then', async () => {
  const h = harness();
  h.loop.start();
  await h.advance(100);
  h.setOnline(false);
  h.setWriting(true);
  h.loop.notifyWrite();
  await h.advance(2100); // the debounce step finds the browser offline
  assert.equal(h.steps.length, 1);
  h.setOnline(true);
  h.loop.notifyWrite(); // still writing when it comes back
  h.loop.notifyOnline();
  await h.advance(100);
  assert.equal(h.steps.length, 2, 'the step after coming back online pulls first');
  assert.equal(h.pushes.at(-1)!.whileWriting, false);
  h.done();
});
