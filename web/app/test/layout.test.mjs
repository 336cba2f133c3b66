// The app on a phone-sized viewport, driven by the keyboard alone: navigation, a contact, tasks.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { device, launch, newEmail, shot, signUp, synced } from './helpers.mjs'

let browser, phone

before(async () => {
  browser = await launch()
  phone = await device(browser, 'phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  await signUp(phone, newEmail('layout'), 'Alice', 'Phone')
})

after(async () => {
  await browser?.close()
})

async function tabTo (locator, presses = 40) {
  for (let i = 0; i < presses; i++) {
    if (await locator.evaluate(el => el === document.activeElement)) return
    await locator.page().keyboard.press('Tab')
  }
  assert.fail(`Tab never reached ${locator}`)
}

test('on a phone, every part is reachable by keyboard: a contact is created and a task completed without a pointer', async () => {
  const page = phone.page
  await synced(phone)
  // Every control fits the viewport: nothing scrolls sideways.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scroll')

  await page.keyboard.press('Tab')
  await tabTo(page.getByRole('button', { name: 'New contact' }))
  await page.keyboard.press('Enter')
  const name = page.getByLabel('Name', { exact: true })
  await name.waitFor()
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'name')
  await page.keyboard.type('Priya Patel')
  await tabTo(page.getByLabel('Email', { exact: true }))
  await page.keyboard.type('priya@example.com')
  await page.keyboard.press('Enter')
  await page.getByRole('button', { name: 'Delete', exact: true }).waitFor()
  await shot(phone, 'phone-contact')
  await tabTo(page.getByRole('button', { name: '← Contacts' }))
  await page.keyboard.press('Enter')
  await page.getByRole('list', { name: 'Contacts' }).getByRole('link', { name: /^Priya Patel/ }).waitFor()
  await shot(phone, 'phone-contacts')

  await tabTo(page.getByRole('link', { name: 'Tasks' }))
  await page.keyboard.press('Enter')
  await tabTo(page.getByLabel('Task title'))
  await page.keyboard.type('Send Priya the proposal')
  await page.keyboard.press('Enter')
  const box = page.getByRole('list', { name: 'Open tasks' }).getByRole('checkbox', { name: 'Send Priya the proposal' })
  await tabTo(box)
  await page.keyboard.press('Space')
  await page.getByRole('list', { name: 'Completed tasks' }).getByRole('checkbox', { name: 'Send Priya the proposal', checked: true }).waitFor()
  await synced(phone)
  await shot(phone, 'phone-tasks')
  phone.assertClean()
})
