// Offline after the first load: the service worker serves the app shell, the SDK's IndexedDB
// holds the data, edits made offline wait in the outbox and reach the other device afterwards.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createContact, explained, fillContact, openContact, shot, synced, twoDevices, waitFor } from './helpers.mjs'

let laptop, phone
twoDevices('offline', before, after, (l, p) => { laptop = l; phone = p })

const contactLink = (dev, name) => dev.page.getByRole('list', { name: 'Contacts' }).getByRole('link', { name: new RegExp(`^${name}`) })

test('a reload with the network off shows the local data, and offline edits reach the other device after reconnecting', async () => {
  await createContact(laptop, { Name: 'Olivia Online', Phone: '+1 555 0101' })
  // Once the contact is listed the write is committed, and the status counts it until it is pushed.
  await contactLink(laptop, 'Olivia Online').waitFor()
  await synced(laptop)
  // The service worker has taken the page over (it claims it once installed).
  await laptop.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 })

  await laptop.context.setOffline(true)
  await laptop.page.reload()
  await explained(laptop, 'contactLink(laptop, "Olivia Online")', contactLink(laptop, 'Olivia Online').waitFor({ timeout: 20_000 }))
  await laptop.page.getByRole('status', { name: /Offline/ }).waitFor()
  await laptop.page.getByRole('region', { name: 'Offline' }).waitFor()

  await createContact(laptop, { Name: 'Oscar Offline', Company: 'Made without network' })
  await openContact(laptop, /^Olivia Online/)
  await fillContact(laptop, { Phone: '+1 555 0199' })
  await laptop.page.getByRole('link', { name: 'Tasks' }).click()
  await laptop.page.getByLabel('Task title').fill('Call Oscar')
  await laptop.page.getByRole('button', { name: 'Add task' }).click()
  await laptop.page.getByRole('checkbox', { name: 'Call Oscar' }).waitFor()
  await laptop.page.getByRole('status', { name: /Offline.*3 pending/ }).waitFor()
  await shot(laptop, 'offline-reload')

  // Nothing left the laptop yet.
  await phone.page.getByRole('link', { name: 'Contacts' }).click()
  await explained(phone, 'contactLink(phone, "Olivia Online")', contactLink(phone, 'Olivia Online').waitFor({ timeout: 20_000 }))
  assert.equal(await contactLink(phone, 'Oscar Offline').count(), 0)

  await laptop.context.setOffline(false)
  await synced(laptop, 45_000)
  await explained(phone, 'contactLink(phone, "Oscar Offline")', contactLink(phone, 'Oscar Offline').waitFor({ timeout: 30_000 }))
  await openContact(phone, /^Olivia Online/)
  await waitFor(async () => await phone.page.getByLabel('Phone').inputValue() === '+1 555 0199', 'the phone has the offline phone number', { devices: [laptop, phone] })
  await phone.page.getByRole('link', { name: 'Tasks' }).click()
  await explained(phone, 'phone.page.getByRole("checkbox", { name: "Call Oscar" })', phone.page.getByRole('checkbox', { name: 'Call Oscar' }).waitFor({ timeout: 20_000 }))
  laptop.assertClean()
  phone.assertClean()
})
