import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { installFakeLocks, openClient, signedIn } from './helpers.js';
import { FakeServer } from './fake-server.js';

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

test('a write in a tab that does not run the loop shows as pending there by the time it returns', { timeout: 20_000 }, async () => {
  const uninstall = installFakeLocks();
  try {
    const server = new FakeServer();
    const factory = new IDBFactory();
    const { client: leader } = await signedIn({ autoStart: true }, server, factory);
    await leader.syncNow(); // waits for the lock: this tab runs the loop
    const { client: follower } = await openClient({ autoStart: true }, server, factory);
    for (let i = 0; i < 100 && follower.status.get().lastSyncAt === null; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(follower.status.get().isLeader, false);
    assert.equal(follower.status.get().state, 'synced', "the follower shows the loop's status");
    await follower.tasks.create({ id: 't1', title: 'from the other tab' });
    assert.equal(follower.status.get().state, 'pending');
    assert.equal(follower.status.get().pendingChanges, 1);
    follower.close();
    leader.close();
  } finally {
    uninstall();
  }
});
