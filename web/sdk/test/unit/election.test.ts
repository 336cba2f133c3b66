import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signedIn } from './helpers.js';

/** Web Locks as browsers grant them: asynchronously, one holder per name, the next waiter on release. */
function installFakeLocks() {
  const held = new Map<string, (() => void)[]>();
  const locks = {
    request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<void> {
      return new Promise((resolve, reject) => {
        const grant = () => {
          setTimeout(() => {
            void callback().then(() => {
              const queue = held.get(name)!;
              queue.shift();
              if (queue.length > 0) queue[0]!();
              else held.delete(name);
              resolve();
            });
          }, 50); // granted later than a page usually asks for a sync
        };
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        const queue = held.get(name);
        if (queue === undefined) {
          held.set(name, [grant]);
          grant();
        } else {
          queue.push(grant);
        }
      });
    },
  };
  Object.defineProperty(globalThis, 'navigator', { value: { locks, onLine: true }, configurable: true });
  return () => Reflect.deleteProperty(globalThis, 'navigator');
}

test('syncNow() called before this tab\'s lock is granted runs once the tab is elected', { timeout: 20_000 }, async () => {
  const uninstall = installFakeLocks();
  try {
    const { client, server } = await signedIn({ autoStart: true });
    server.remoteWrite('task', 't1', { title: 'remote' });
    await client.syncNow();
    assert.equal((await client.tasks.get('t1'))?.title, 'remote');
    assert.equal(client.status.get().isLeader, true);
    client.close();
  } finally {
    uninstall();
  }
});
