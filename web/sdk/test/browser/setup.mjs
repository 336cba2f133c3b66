// The server and Chromium a test file shares: started before its first test, stopped after its last.
import { after, before } from 'node:test';
import { launchBrowser, startServer } from './harness.mjs';

/** Registers the file's hooks; `started` receives the server and the browser once both run. */
export function serverAndBrowser(started) {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    started(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}
