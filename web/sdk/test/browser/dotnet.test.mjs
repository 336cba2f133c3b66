// A .NET SDK device and a browser device of the same user converge on entities and a note body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { email, launchBrowser, newDevice, repoRoot, startServer } from './harness.mjs';

const PASSWORD = 'correct horse battery staple';
const project = join(repoRoot, 'web/sdk/test/dotnet-device');
const dll = join(project, 'bin/Release/net10.0/DotnetDevice.dll');
let server;
let browser;
let dir;

before(async () => {
  if (!existsSync(dll) || process.env.FRAMELORD_REBUILD_SERVER) {
    const r = spawnSync('dotnet', ['build', project, '-c', 'Release', '-nologo', '-clp:ErrorsOnly'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('building the .NET device failed');
  }
  server = await startServer();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'framelord-dotnet-device-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function dotnet(user, step) {
  const r = spawnSync('dotnet', [dll, server.directUrl, user, PASSWORD, join(dir, 'device.db'), step], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`the .NET device failed (${r.status}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

test('a .NET SDK device and a browser converge on entities and a note body', async () => {
  const user = email('dotnet');
  const web = await newDevice(browser, server.url);
  const page = await web.newTab();
  await page.evaluate(async ({ url, user, password }) => {
    window.client = await window.FL.SyncClient.open({ serverUrl: url, debounceMs: 100, documentTransport: 'rest' });
    await window.client.signup(user, password, 'Web');
    await window.client.contacts.create({ id: 'web-contact', name: 'Made in the browser' });
    await window.client.notes.create({ id: 'shared-note', title: 'Shared' });
    window.note = await window.client.documents.open('shared-note');
    window.FL.createNoteBody(window.note.doc, 'Shared', 'Hello from the web');
    await window.note.sync();
    await window.client.syncNow();
  }, { url: server.url, user, password: PASSWORD });

  const fromDotnet = dotnet(user, 'write');
  assert.equal(fromDotnet.note, 'Hello from the web and .NET');

  const seen = await page.evaluate(async () => {
    await window.client.syncNow();
    await window.note.sync();
    const contacts = (await window.client.contacts.list()).filter((c) => !c.is_contact_zero)
      .map((c) => ({ id: c.id, name: c.name ?? null, title: c.title ?? null, company: c.company ?? null, sync_version: c.sync_version }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return { contacts, note: window.note.doc.getMap('blocks').get('paragraph').get('prop:text').toString() };
  });
  assert.equal(seen.note, 'Hello from the web and .NET');
  assert.deepEqual(seen.contacts.map((c) => c.id), ['dotnet-contact', 'web-contact']);
  assert.equal(seen.contacts[1].title, 'edited on .NET');

  await page.evaluate(async () => {
    const t = window.note.doc.getMap('blocks').get('paragraph').get('prop:text');
    t.insert(0, '# ');
    await window.note.sync();
    await window.client.contacts.update('dotnet-contact', { title: 'edited in the browser' });
    await window.client.syncNow();
  });
  const back = dotnet(user, 'read');
  assert.equal(back.note, '# Hello from the web and .NET');
  assert.equal(back.contacts.find((c) => c.id === 'dotnet-contact').title, 'edited in the browser');
  const final = await page.evaluate(async () => {
    await window.client.syncNow();
    return (await window.client.contacts.list()).filter((c) => !c.is_contact_zero)
      .map((c) => ({ id: c.id, name: c.name ?? null, title: c.title ?? null, company: c.company ?? null, sync_version: c.sync_version }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  });
  assert.deepEqual(final, back.contacts);
  await web.context.close();
});
