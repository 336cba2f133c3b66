// Shared by the browser tests: Debian's Chromium through playwright-core (no browser download),
// one browser context per device, selectors by role and accessible name only.
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

export const baseUrl = process.env.FRAMELORD_URL ?? 'http://127.0.0.1:5000/'
const screenshots = process.env.FRAMELORD_SCREENSHOTS
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const PASSWORD = 'correct horse battery'
let users = 0

export async function launch () {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  await probeRealtime(browser)
  return browser
}

/**
 * Whether the server has the real-time note endpoint (DESIGN 3.8). It accepts the upgrade and then
 * closes a bad token with 4401; a server without it refuses the upgrade (1006 in the browser). Only
 * with it do notes sync live and carry other people's cursors; without it the SDK falls back to REST
 * after a failed socket attempt (which the browser logs as an error).
 */
export let realtime = true
async function probeRealtime (browser) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(new URL('healthz', baseUrl).href)
  realtime = await page.evaluate(url => new Promise(resolve => {
    const socket = new WebSocket(url)
    socket.onclose = event => resolve(event.code !== 1006)
  }), new URL('api/v1/yjs/probe?token=invalid', baseUrl).href.replace(/^http/, 'ws'))
  await context.close()
}

/** A unique email for this run. */
export function newEmail (label = 'user') {
  users += 1
  return `${label}-${process.pid}-${Date.now().toString(36)}-${users}@example.com`
}

/**
 * A device: its own browser context (own IndexedDB, service worker, network switch). Console
 * errors and page errors are collected; `assertClean()` fails the test on any.
 */
export async function device (browser, name, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 820 }, ...options })
  const page = await context.newPage()
  const errors = []
  const recent = [] // the last console lines of every kind, for the message of a failed wait
  page.on('console', message => {
    recent.push(`${new Date().toISOString().slice(11, 23)} ${message.type()}: ${message.text()}`)
    if (recent.length > 20) recent.shift()
    if (message.type() === 'error' && !expectedError(message.text())) errors.push(message.text())
  })
  page.on('pageerror', error => errors.push(`${error.name}: ${error.message}`))
  return {
    name,
    context,
    page,
    errors,
    recent,
    assertClean () {
      assert.deepEqual(errors, [], `${name} had console errors`)
    },
  }
}

/** Failed requests while the browser is offline are expected (the app handles them), and so is the SDK's socket attempt on a server without the real-time endpoint. */
function expectedError (text) {
  return /net::ERR_INTERNET_DISCONNECTED/.test(text) || (!realtime && /^WebSocket connection to '[^']*\/api\/v1\/yjs\//.test(text))
}

/**
 * Two devices of one new user for a test file: "laptop" signs up, "phone" logs in, then `ready`
 * receives them. The browser closes after the file's tests.
 */
export function twoDevices (label, before, after, ready) {
  const devices = {}
  before(async () => {
    devices.browser = await launch()
    devices.laptop = await device(devices.browser, 'laptop')
    devices.phone = await device(devices.browser, 'phone')
    const email = newEmail(label)
    await signUp(devices.laptop, email, 'Alice', 'Laptop')
    await logIn(devices.phone, email, 'Phone')
    ready(devices.laptop, devices.phone)
  })
  after(async () => {
    await devices.browser?.close()
  })
}

export async function signUp (dev, email, displayName, deviceName) {
  const page = dev.page
  await page.goto(baseUrl)
  await page.getByLabel('Display name').fill(displayName)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByLabel('Device name').fill(deviceName)
  await page.getByRole('button', { name: 'Sign up', exact: true }).click()
  await page.getByRole('link', { name: 'Contacts' }).waitFor()
}

export async function logIn (dev, email, deviceName) {
  const page = dev.page
  await page.goto(baseUrl)
  await page.getByRole('button', { name: 'Log in instead' }).click()
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByLabel('Device name').fill(deviceName)
  await page.getByRole('button', { name: 'Log in', exact: true }).click()
  await page.getByRole('link', { name: 'Contacts' }).waitFor()
}

/** Waits until the indicator says Synced (nothing pending, nothing running). */
export async function synced (dev, timeout = 30_000) {
  await explained(dev, 'the status to show Synced', dev.page.getByRole('status', { name: /^Synced/ }).waitFor({ timeout }))
}

/** After an edit of an open note body: waits until the note says its body is on the server. */
export async function bodySaved (dev, timeout = 30_000) {
  await explained(dev, 'the note to show Saved or Live', dev.page.getByText(/^(Saved|Live)$/).waitFor({ timeout }))
}

/**
 * Awaits `wait`; when it fails, fails with what the page showed at that moment (the sync status,
 * the open note's state, the last console lines) and a screenshot, so an intermittent timeout says why.
 */
export async function explained (dev, what, wait) {
  try {
    await wait
  } catch (error) {
    const shown = await dev.page.evaluate(() => ({
      status: document.querySelector('[role=status]')?.textContent ?? null,
      note: document.querySelector('.doc-state')?.textContent ?? null,
      online: navigator.onLine,
    })).catch(failure => ({ unreadable: String(failure) }))
    await shot(dev, `failure-${dev.name}`)
    throw new Error(`${dev.name}: timed out waiting for ${what}; the page showed ${JSON.stringify(shown)}; last console lines:\n${dev.recent.join('\n')}`, { cause: error })
  }
}

/** After a local write: waits until the device has pushed it (Pending or Syncing, then Synced). */
export async function pushed (dev, timeout = 30_000) {
  await dev.page.getByRole('status', { name: /^(Pending|Syncing)/ }).waitFor({ timeout: 10_000 }).catch(() => {})
  await synced(dev, timeout)
}

export async function createContact (dev, fields) {
  const page = dev.page
  await page.getByRole('link', { name: 'Contacts' }).click()
  await page.getByRole('button', { name: 'New contact' }).click()
  await fillContact(dev, fields)
}

export async function fillContact (dev, fields) {
  const page = dev.page
  for (const [label, value] of Object.entries(fields)) {
    if (label === 'Status') await page.getByLabel('Status').selectOption(value)
    else await page.getByLabel(label, { exact: true }).fill(value)
  }
  await page.getByRole('button', { name: 'Save', exact: true }).click()
}

export async function openContact (dev, name) {
  const page = dev.page
  await page.getByRole('link', { name: 'Contacts' }).click()
  await page.getByRole('list', { name: 'Contacts' }).getByRole('link', { name }).click()
}

export async function shot (dev, name) {
  if (!screenshots) return
  mkdirSync(screenshots, { recursive: true })
  await dev.page.screenshot({ path: join(screenshots, `${name}.png`) })
}

/** Polls `check` until it holds; on a timeout, screenshots the devices and fails with `what`. */
export async function waitFor (check, what, { timeout = 30_000, devices = [] } = {}) {
  const end = Date.now() + timeout
  while (Date.now() < end) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  for (const dev of devices) await shot(dev, `failure-${dev.name}`)
  assert.fail(`timed out: ${what}`)
}
