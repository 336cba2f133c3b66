/**
 * The FrameLord web app: opens the SDK's client for this browser profile, then shows the sign-in
 * forms or the app. Everything it shows is read from the local store, so it starts offline too.
 */
import { SyncClient } from '@framelord/sync'
import { h, replaceChildren } from './dom.js'
import { forget } from './identity.js'
import { renderAuth } from './views/auth.js'
import { Shell } from './views/shell.js'

const root = document.getElementById('app')!

async function start (): Promise<void> {
  registerServiceWorker()
  const client = await SyncClient.open({ serverUrl: location.origin })
  let shell: Shell | null = null

  const showApp = () => {
    shell = new Shell(client, async () => {
      shell?.destroy()
      shell = null
      await client.signOut()
      forget()
      showAuth()
    })
    replaceChildren(root, shell.element)
  }
  const showAuth = () => renderAuth(root, {
    signup: async (email, password, displayName, device) => {
      // The device name stays local (cursor labels): the SDK's signup takes none.
      void device
      await client.signup(email, password, displayName)
      showApp()
    },
    login: async (email, password, device) => {
      void device
      await client.login(email, password)
      showApp()
    },
  })

  if (client.signedIn) showApp()
  else showAuth()
}

function registerServiceWorker (): void {
  if (!('serviceWorker' in navigator)) return
  navigator.serviceWorker.register('sw.js').catch(() => {
    // The app still works online without it; offline start needs it.
  })
}

start().catch(error => {
  replaceChildren(root, h('main', { class: 'auth' }, h('section', { class: 'auth-card', role: 'alert' },
    h('h1', {}, 'FrameLord could not start'),
    h('p', {}, error instanceof Error ? error.message : String(error)),
    h('button', { type: 'button', class: 'btn primary', onclick: () => location.reload() }, 'Reload'))))
})
