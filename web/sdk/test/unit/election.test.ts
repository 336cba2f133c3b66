import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeLocks, signedIn } from './helpers.js';

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
