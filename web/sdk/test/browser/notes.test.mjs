// Note bodies: BlockSuite-shaped Y.Docs in y-indexeddb, synced between two devices of one user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email, newDevice } from './harness.mjs';
import { serverAndBrowser } from './setup.mjs';

const PASSWORD = 'correct horse battery staple';
let server;
let browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

async function device(user, signup, transport) {
  const d = await newDevice(browser, server.url);
  const page = await d.newTab();
  await page.evaluate(async ({ url, user, signup, password, transport }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100, documentTransport: transport });
    if (signup) await window.client.signup(user, password, 'Notes');
    else await window.client.login(user, password);
    await window.client.syncNow();
  }, { url: server.url, user, signup, password: PASSWORD, transport });
  return { ...d, page };
}

const text = (page) => page.evaluate(() => window.note.doc.getMap('blocks').get('paragraph').get('prop:text').toString());

test('a note body edited on two devices (one offline) converges by the REST delta sync, and survives a reload', async () => {
  const user = email('notes');
  // A asks for the socket (DESIGN 3.8) and falls back to REST where the server has none
  const a = await device(user, true, 'auto');
  const b = await device(user, false, 'rest');
  await a.page.evaluate(async () => {
    await window.client.notes.create({ id: 'note-1', title: 'Plan' });
    window.note = await window.client.documents.open('note-1');
    window.FL.createNoteBody(window.note.doc, 'Plan', 'Hello');
    await window.note.sync();
  });
  await b.page.evaluate(async () => {
    window.note = await window.client.documents.open('note-1');
    await window.note.sync();
  });
  assert.equal(await text(b.page), 'Hello');
  await b.context.setOffline(true);
  await a.page.evaluate(async () => {
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    t.insert(t.length, ' world');
    await window.note.sync();
  });
  await b.page.evaluate(() => {
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    t.insert(0, '>> ');
  });
  await b.context.setOffline(false);
  await b.page.evaluate(() => window.note.sync());
  await a.page.evaluate(() => window.note.sync());
  assert.equal(await text(a.page), '>> Hello world');
  assert.equal(await text(b.page), '>> Hello world');
  const status = await a.page.evaluate(() => window.note.status.get());
  assert.equal(status.synced, true);
  assert.ok(status.syncVersion >= 3);
  // the body is kept locally: after a reload (the page itself comes from the network) the client and
  // the body open from IndexedDB without it
  await b.page.reload();
  await b.page.waitForFunction(() => window.flReady === true);
  await b.context.setOffline(true);
  const reloaded = await b.page.evaluate(async (url) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, documentTransport: 'rest' });
    window.note = await window.client.documents.open('note-1');
    return window.note.doc.getMap('blocks').get('paragraph').get('prop:text').toString();
  }, server.url);
  assert.equal(reloaded, '>> Hello world');
  await a.context.close();
  await b.context.close();
});

test('edits applied from the server carry the remote origin, so an UndoManager undoes only local edits', async () => {
  const user = email('undo');
  const a = await device(user, true, 'rest');
  const b = await device(user, false, 'rest');
  await a.page.evaluate(async () => {
    window.note = await window.client.documents.open('note-u');
    window.FL.createNoteBody(window.note.doc, 'U', 'base');
    await window.note.sync();
  });
  const result = await b.page.evaluate(async () => {
    window.note = await window.client.documents.open('note-u');
    await window.note.sync();
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    window.undo = new window.FL.Y.UndoManager(t);
    t.insert(t.length, ' mine');
    window.undo.stopCapturing();
    return t.toString();
  });
  assert.equal(result, 'base mine');
  await a.page.evaluate(async () => {
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    t.insert(0, 'theirs ');
    await window.note.sync();
  });
  const afterUndo = await b.page.evaluate(async () => {
    await window.note.sync();
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    const merged = t.toString();
    window.undo.undo();
    return [merged, t.toString()];
  });
  assert.deepEqual(afterUndo, ['theirs base mine', 'theirs base']);
  await a.context.close();
  await b.context.close();
});
