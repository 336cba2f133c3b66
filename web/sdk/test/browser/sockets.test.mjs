// Note bodies live over the y-websocket endpoint (DESIGN 3.8) between two browser devices of one user:
// edits and awareness cross the socket with no REST note sync; with the socket endpoint down the
// devices fall back to the REST delta sync (3.5) and converge; when it is back they reconnect. The
// harness's proxy (the pages' origin) counts every forwarded request and takes the sockets down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
const REST_NOTE_SYNC = /^POST \/api\/v1\/notes\/[^/]+\/sync$/;
const SOCKET_UPGRADE = /^UPGRADE \/api\/v1\/yjs\/[^/]+$/;
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

async function device(user, signup, transport) {
  const d = await newDevice(browser, server.url);
  const page = await d.newTab();
  await page.evaluate(async ({ url, user, signup, password, transport }) => {
    window.restStacks = [];
    const fetchLogged = (input, init) => {
      if (/\/notes\/[^/]+\/sync$/.test(String(input))) window.restStacks.push(new Error('rest').stack);
      return fetch(input, init);
    };
    window.client = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100, documentTransport: transport, fetch: fetchLogged });
    if (signup) await window.client.signup(user, password, 'Live');
    else await window.client.login(user, password);
    await window.client.syncNow();
  }, { url: server.url, user, signup, password: PASSWORD, transport });
  return { ...d, page };
}

/** Opens the body in the page as window.note and waits until its socket finished the handshake. */
async function openOverSocket(page, noteId) {
  await page.evaluate(async (id) => {
    window.note = await window.client.documents.open(id);
  }, noteId);
  await connection(page, 'socket');
}

const connection = (page, want) =>
  page.waitForFunction((w) => window.note.status.get().connection === w, want, { timeout: 30_000 });

const paragraph = 'window.note.doc.getMap("blocks").get("paragraph")?.get("prop:text")?.toString() ?? null';
const text = (page) => page.evaluate(paragraph);
const waitText = (page, want) =>
  page.waitForFunction(`(${paragraph}) === ${JSON.stringify(want)}`, undefined, { timeout: 30_000 });
const edit = (page, at, what) =>
  page.evaluate(({ at, what }) => {
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    t.insert(at === 'end' ? t.length : at, what);
  }, { at, what });
const waitSynced = (page) => page.waitForFunction(() => window.note.status.get().synced === true, undefined, { timeout: 30_000 });

test('two devices edit one note live over the socket, with no REST note sync, and see each other in awareness', async () => {
  const user = email('live');
  const a = await device(user, true, 'socket');
  const b = await device(user, false, 'socket');
  const restBefore = server.proxy.count(REST_NOTE_SYNC);
  const upgradesBefore = server.proxy.count(SOCKET_UPGRADE);
  const since = server.proxy.requests.length;
  for (const d of [a, b]) {
    await d.page.evaluate(() => {
      window.transitions = [];
      window.watch = (n) => n.status.subscribe((s) => window.transitions.push(`${s.connection}/${s.synced}`));
    });
  }

  await a.page.evaluate(() => window.client.notes.create({ id: 'note-live', title: 'Live' }));
  await openOverSocket(a.page, 'note-live');
  await a.page.evaluate(() => window.watch(window.note));
  await a.page.evaluate(() => window.FL.createNoteBody(window.note.doc, 'Live', 'Hello'));
  await openOverSocket(b.page, 'note-live');
  await b.page.evaluate(() => window.watch(window.note));
  await waitText(b.page, 'Hello');

  // concurrent edits on both sides, both relayed live
  await Promise.all([edit(a.page, 'end', ' from A'), edit(b.page, 0, 'B: ')]);
  await waitText(a.page, 'B: Hello from A');
  await waitText(b.page, 'B: Hello from A');
  await waitSynced(a.page);
  await waitSynced(b.page);

  // cursors: each device's awareness state reaches the other through the server's relay
  await a.page.evaluate(() => window.note.awareness.setLocalStateField('user', { name: 'A' }));
  await b.page.evaluate(() => window.note.awareness.setLocalStateField('user', { name: 'B' }));
  const names = (want) => `[...window.note.awareness.getStates().values()].some((s) => s.user?.name === ${JSON.stringify(want)})`;
  await a.page.waitForFunction(names('B'), undefined, { timeout: 30_000 });
  await b.page.waitForFunction(names('A'), undefined, { timeout: 30_000 });

  // the loop ran meanwhile (the note's entity was pushed and pulled) yet no body went by REST
  await a.page.evaluate(() => window.client.syncNow());
  await b.page.evaluate(() => window.client.syncNow());
  const seen = async () => JSON.stringify({ stacks: [await a.page.evaluate(() => window.restStacks), await b.page.evaluate(() => window.restStacks)], requests: server.proxy.requests.slice(since), a: await a.page.evaluate(() => window.transitions), b: await b.page.evaluate(() => window.transitions) });
  assert.equal(server.proxy.count(REST_NOTE_SYNC) - restBefore, 0, `no REST note sync while the sockets are up: ${await seen()}`);
  assert.ok(server.proxy.count(SOCKET_UPGRADE) - upgradesBefore >= 2, 'each device opened a socket');

  // what the sockets delivered is the stored document: a REST-only third device reads it
  const c = await device(user, false, 'rest');
  await c.page.evaluate(async () => {
    window.note = await window.client.documents.open('note-live');
    await window.note.sync();
  });
  assert.equal(await text(c.page), 'B: Hello from A');
  for (const d of [a, b, c]) await d.context.close();
});

test('with the socket endpoint down the devices fall back to REST and converge, then reconnect to the socket', async () => {
  const user = email('fallback');
  const a = await device(user, true, 'auto');
  const b = await device(user, false, 'auto');
  await openOverSocket(a.page, 'note-fb');
  await a.page.evaluate(() => window.FL.createNoteBody(window.note.doc, 'Fallback', 'one'));
  await openOverSocket(b.page, 'note-fb');
  await waitText(b.page, 'one');
  await waitSynced(a.page);

  server.proxy.setSocketsDown(true);
  try {
    await connection(a.page, 'rest');
    await connection(b.page, 'rest');
    const restDown = server.proxy.count(REST_NOTE_SYNC);
    // edits on both sides while only REST works: the live event stream tells the other device
    await edit(a.page, 'end', ' two');
    await edit(b.page, 0, 'zero ');
    await waitText(a.page, 'zero one two');
    await waitText(b.page, 'zero one two');
    await waitSynced(a.page);
    await waitSynced(b.page);
    assert.ok(server.proxy.count(REST_NOTE_SYNC) > restDown, 'the bodies went by REST');
  } finally {
    server.proxy.setSocketsDown(false);
  }

  // the providers reconnect by themselves; from then on edits cross the socket again
  await connection(a.page, 'socket');
  await connection(b.page, 'socket');
  await waitSynced(a.page);
  await waitSynced(b.page);
  const restUp = server.proxy.count(REST_NOTE_SYNC);
  await edit(a.page, 'end', ' three');
  await waitText(b.page, 'zero one two three');
  await waitSynced(a.page);
  assert.equal(server.proxy.count(REST_NOTE_SYNC), restUp, 'after the reconnect the edit went over the socket');
  await a.context.close();
  await b.context.close();
});
