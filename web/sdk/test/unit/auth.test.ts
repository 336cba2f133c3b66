// Token refresh (DESIGN 3.1, 5.2): one refresh per spent token whatever the number of requests and
// tabs, the refresh token rotated and kept with the session, the app's callback only when the server
// refuses the refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { installFakeLocks, openClient, signedIn } from './helpers.js';
import { FakeServer } from './fake-server.js';
import { SyncError } from '../../src/errors.js';

const refreshes = (server: FakeServer) => server.requests.filter((r) => r.path === '/auth/refresh');

test('a 401 spends the stored refresh token once, keeps the new pair, and the next 401 uses the new refresh token', async () => {
  const server = new FakeServer();
  const { client } = await signedIn({}, server);
  client.start();
  await client.syncNow();
  await client.contacts.create({ id: 'c1', name: 'A' });
  server.validTokens.clear();
  // two requests meet the same 401 at once: one refresh serves both
  await Promise.all([client.syncNow(), client.conflicts.refresh()]);
  assert.deepEqual(refreshes(server).map((r) => r.body!['refresh_token']), ['r1']);
  assert.equal(client.status.get().pendingChanges, 0);
  server.validTokens.clear();
  await client.contacts.update('c1', { name: 'B' });
  await client.syncNow();
  assert.deepEqual(refreshes(server).map((r) => r.body!['refresh_token']), ['r1', 'r2']);
  assert.equal(server.refreshTokens.get('r3')?.state, 'live');
  client.close();
});

test('a refresh token spent elsewhere is refused; then, and only then, the app callback is asked', async () => {
  const server = new FakeServer();
  let asked = 0;
  const { client } = await signedIn({
    refreshAccessToken: async () => {
      asked++;
      server.validTokens.add('tok-app');
      return 'tok-app';
    },
  }, server);
  client.start();
  await client.syncNow();
  server.validTokens.clear();
  await client.contacts.create({ id: 'c1', name: 'A' });
  await client.syncNow();
  assert.equal(asked, 0, 'the server refresh worked: no callback');
  server.spendRefreshToken('r2'); // stolen and used
  server.validTokens.clear();
  await client.contacts.update('c1', { name: 'B' });
  await client.syncNow();
  assert.equal(asked, 1);
  assert.equal(server.refreshTokens.get('r2')?.state, 'revoked', 'presenting the spent token revoked the device');
  const pushes = server.requests.filter((r) => r.path === '/sync/push');
  assert.equal(pushes.at(-1)!.auth, 'Bearer tok-app');
  assert.equal(client.status.get().pendingChanges, 0);
  client.close();
});

test('without a callback a refused refresh stops syncing with UNAUTHORIZED and keeps the outbox; the token is never presented again', async () => {
  const server = new FakeServer();
  const { client } = await signedIn({}, server);
  client.start();
  await client.syncNow();
  server.spendRefreshToken('r1');
  server.validTokens.clear();
  await client.contacts.create({ id: 'c1', name: 'A' });
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.code === 'UNAUTHORIZED');
  await assert.rejects(client.syncNow(), (e: unknown) => e instanceof SyncError && e.code === 'UNAUTHORIZED');
  assert.equal(refreshes(server).length, 1, 'a refused refresh token is dropped, not retried');
  assert.equal(client.status.get().pendingChanges, 1);
  client.close();
});

test('with two tabs the loop\'s tab refreshes for both; the other tab takes the token it broadcasts', { timeout: 20_000 }, async () => {
  const uninstall = installFakeLocks();
  try {
    const server = new FakeServer();
    const factory = new IDBFactory();
    const leaderPaths: string[] = [];
    const followerPaths: string[] = [];
    const tagged = (paths: string[]) => (input: RequestInfo | URL, init?: RequestInit) => {
      paths.push(new URL(String(input)).pathname);
      return server.fetch(input, init);
    };
    const { client: leader } = await signedIn({ autoStart: true, fetch: tagged(leaderPaths) }, server, factory);
    await leader.syncNow(); // waits for the lock: this tab runs the loop
    const { client: follower } = await openClient({ autoStart: true, fetch: tagged(followerPaths) }, server, factory);
    assert.equal(leader.status.get().isLeader, true);
    await leader.contacts.create({ id: 'c1', name: 'A' });
    server.validTokens.clear();
    await Promise.all([follower.conflicts.refresh(), leader.syncNow()]);
    assert.equal(refreshes(server).length, 1, 'one refresh for both tabs');
    assert.deepEqual(followerPaths.filter((p) => p.endsWith('/auth/refresh')), [], 'the other tab did not refresh');
    assert.equal(leaderPaths.filter((p) => p.endsWith('/auth/refresh')).length, 1);
    const conflicts = server.requests.filter((r) => r.path === '/sync/conflicts');
    assert.equal(conflicts.at(-1)!.auth, 'Bearer tok2', 'the other tab retried with the broadcast token');
    follower.close();
    leader.close();
  } finally {
    uninstall();
  }
});
