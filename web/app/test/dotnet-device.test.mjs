// The browser half of the .NET device test (test/FrameLord.Sync.Web.Tests/DotnetDeviceTests.cs):
// the .NET device signed up and created a contact; the browser logs in, sees it, edits it, and
// writes a contact and a note body of its own for the .NET device to check.
import { after, before, test } from 'node:test'
import { bodySaved, createContact, device, explained, fillContact, launch, logIn, openContact, synced } from './helpers.mjs'

const email = process.env.FRAMELORD_EMAIL
let browser, laptop

before(async () => {
  browser = await launch()
  laptop = await device(browser, 'browser')
  await logIn(laptop, email, 'Browser')
})

after(async () => {
  await browser?.close()
})

test('the browser sees the .NET device\'s contact and writes its own edits', { skip: !email && 'run by DotnetDeviceTests' }, async () => {
  await explained(laptop, 'laptop.page.getByRole("list", { name: "Contacts" }).getByRole("link", { name: /^Dana from …', laptop.page.getByRole('list', { name: 'Contacts' }).getByRole('link', { name: /^Dana from \.NET/ }).waitFor({ timeout: 30_000 }))
  await openContact(laptop, /^Dana from \.NET/)
  await fillContact(laptop, { Company: 'Edited in the browser' })
  await createContact(laptop, { Name: 'Bea from the browser', Email: 'bea@example.com' })

  await laptop.page.getByRole('link', { name: 'Notes' }).click()
  await laptop.page.getByRole('button', { name: 'New note' }).click()
  await laptop.page.getByLabel('Title').fill('Shared note')
  await laptop.page.getByLabel('Title').press('Enter')
  await laptop.page.getByRole('textbox', { name: 'Paragraph 1', exact: true }).pressSequentially('Typed in the browser')
  await synced(laptop)
  await bodySaved(laptop)
  laptop.assertClean()
})
