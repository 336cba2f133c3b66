// Two browser contexts as two devices of one user: live contacts, an offline conflict on a name
// (toast on the device that lost, the conflict listed, both outcomes chosen), a critical field
// edited on both within a minute (the review dialog opens), and a manual merge.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createContact, explained, fillContact, openContact, pushed, shot, synced, twoDevices, waitFor } from './helpers.mjs'

let laptop, phone
twoDevices('contacts', before, after, (l, p) => { laptop = l; phone = p })

const nameField = dev => dev.page.getByLabel('Name', { exact: true })
const emailField = dev => dev.page.getByLabel('Email', { exact: true })
const contactLink = (dev, name) => dev.page.getByRole('list', { name: 'Contacts' }).getByRole('link', { name: new RegExp(`^${name}`) })

test('a contact created on one device appears on the other live', async () => {
  await createContact(laptop, { Name: 'Sarah', Email: 'sarah@example.com', Phone: '+1 555 0100', Company: 'Acme', Title: 'CTO', Status: 'customer', Tags: 'vip, board' })
  await explained(phone, 'contactLink(phone, "Sarah")', contactLink(phone, 'Sarah').waitFor({ timeout: 20_000 }))
  await openContact(phone, /^Sarah/)
  assert.equal(await emailField(phone).inputValue(), 'sarah@example.com')
  assert.equal(await phone.page.getByLabel('Tags').inputValue(), 'vip, board')
  assert.equal(await phone.page.getByLabel('Status').inputValue(), 'customer')
  await synced(laptop)
  await synced(phone)
  await shot(laptop, 'synced')
})

test('an offline edit that loses shows the toast, the conflict is listed, and both choices leave the devices equal', async () => {
  await openContact(laptop, /^Sarah/)
  await openContact(phone, /^Sarah/)
  await phone.context.setOffline(true)
  await phone.page.getByRole('status', { name: /Offline/ }).waitFor()

  // The phone edits first, offline; the laptop edits later and syncs: the later edit wins.
  await fillContact(phone, { Name: 'Sarah Chen' })
  await phone.page.getByRole('status', { name: /Offline.*1 pending/ }).waitFor()
  await phone.page.getByRole('region', { name: 'Offline' }).waitFor()
  await shot(phone, 'offline-pending')
  await new Promise(resolve => setTimeout(resolve, 50))
  await fillContact(laptop, { Name: 'Sarah Williams' })
  await pushed(laptop)

  await dismissToasts(phone)
  await phone.context.setOffline(false)
  await explained(phone, 'phone.page.getByRole("log", { name: "Notifications" }).getByText(/updated on another devic…', phone.page.getByRole('log', { name: 'Notifications' }).getByText(/updated on another device/).first().waitFor({ timeout: 30_000 }))
  await synced(phone)
  await synced(laptop)
  assert.equal(await nameField(phone).inputValue(), 'Sarah Williams')
  assert.equal(await nameField(laptop).inputValue(), 'Sarah Williams')

  // The conflict is listed (a name is not critical: settled automatically, both values kept).
  await phone.page.getByRole('button', { name: /conflict/i }).click()
  const dialog = phone.page.getByRole('dialog', { name: 'Sync conflicts' })
  const row = dialog.getByRole('group', { name: /Sarah.*name/ }).first()
  await row.waitFor()
  await shot(phone, 'conflict-list')

  await row.getByRole('button', { name: 'Keep local' }).click()
  await expectName('Sarah Chen')
  await dialog.getByRole('group', { name: /Sarah.*name/ }).first().getByRole('button', { name: 'Use remote' }).click()
  await expectName('Sarah Williams')
  await dialog.getByRole('button', { name: 'Close' }).click()
})

test('a critical field edited on both devices within a minute opens the review dialog; "Merge manually" writes everywhere', async () => {
  await openContact(laptop, /^Sarah/)
  await openContact(phone, /^Sarah/)
  await synced(phone)
  await phone.context.setOffline(true)
  await phone.page.getByRole('status', { name: /Offline/ }).waitFor()
  await fillContact(phone, { Email: 'sarah.chen@home.example' })
  await fillContact(laptop, { Email: 'sarah@work.example' })
  await pushed(laptop)
  await phone.context.setOffline(false)

  const dialog = phone.page.getByRole('dialog', { name: 'Sync conflicts' })
  await explained(phone, 'the Sync conflicts dialog', dialog.waitFor({ timeout: 30_000 }))
  const card = dialog.getByRole('group', { name: /Sarah.*email/ }).first()
  for (const action of ['Keep local', 'Use remote', 'View details', 'Merge manually']) {
    await card.getByRole('button', { name: action, exact: true }).waitFor()
  }
  await phone.page.getByRole('status', { name: /1 conflict/ }).waitFor()
  await card.getByRole('button', { name: 'View details' }).click()
  await card.getByRole('table').waitFor()
  await card.getByRole('button', { name: 'Merge manually' }).click()
  const merged = card.getByLabel('Merged email')
  assert.match(await merged.inputValue(), /sarah\.chen@home\.example.*sarah@work\.example|sarah@work\.example.*sarah\.chen@home\.example/)
  await shot(phone, 'conflict-dialog')
  await merged.fill('sarah@merged.example')
  await card.getByRole('button', { name: 'Save merged value' }).click()
  await dialog.getByText('Nothing needs your review').waitFor()
  await dialog.getByRole('button', { name: 'Close' }).click()

  for (const dev of [phone, laptop]) {
    await waitFor(async () => await emailField(dev).inputValue() === 'sarah@merged.example', `${dev.name} shows the merged email`, { devices: [laptop, phone] })
  }
  await synced(phone)
})

test('contacts are deleted to the archive and restored, and search finds them', async () => {
  await createContact(laptop, { Name: 'Tom Archive', Company: 'Gone Ltd' })
  await synced(laptop)
  await laptop.page.getByRole('button', { name: 'Delete', exact: true }).click()
  await contactLink(laptop, 'Tom Archive').waitFor({ state: 'detached' })
  await laptop.page.getByRole('link', { name: 'Archive' }).click()
  await contactLink(laptop, 'Tom Archive').click()
  await laptop.page.getByRole('button', { name: 'Restore', exact: true }).click()
  await laptop.page.getByRole('link', { name: 'Active' }).click()
  await laptop.page.getByRole('searchbox', { name: 'Search contacts' }).fill('gone')
  await contactLink(laptop, 'Tom Archive').waitFor()
  assert.equal(await laptop.page.getByRole('list', { name: 'Contacts' }).getByRole('link').count(), 1)
  await explained(phone, 'contactLink(phone, "Tom Archive")', contactLink(phone, 'Tom Archive').waitFor({ timeout: 20_000 }))
  laptop.assertClean()
  phone.assertClean()
})

async function dismissToasts (dev) {
  const dismiss = dev.page.getByRole('log', { name: 'Notifications' }).getByRole('button', { name: 'Dismiss' })
  while (await dismiss.count() > 0) await dismiss.first().click()
}

async function expectName (name) {
  for (const dev of [phone, laptop]) {
    await waitFor(async () => await nameField(dev).inputValue() === name, `${dev.name} shows the name ${name}`, { devices: [laptop, phone] })
  }
}
