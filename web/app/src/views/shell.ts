import type { SyncClient, SyncConflict, SyncStatus } from '@framelord/sync'
import { h, replaceChildren, show } from '../dom.js'
import { colorFor, deviceName, displayName } from '../identity.js'
import { parseRoute, type Route, type Section } from '../router.js'
import { Banners } from './banners.js'
import { ConflictDialog } from './conflicts.js'
import { ContactsView } from './contacts.js'
import { Indicator } from './indicator.js'
import { NotesView } from './notes.js'
import { TasksView } from './tasks.js'
import { Toasts } from './toasts.js'

/**
 * The signed-in app: header (brand, navigation, the seed's indicator and conflicts button),
 * banners, the current page, toasts and the conflict dialog.
 */
export class Shell {
  readonly #client: SyncClient
  readonly #indicator = new Indicator()
  readonly #banners = new Banners()
  readonly #toasts = new Toasts()
  readonly #dialog: ConflictDialog
  readonly #conflictsButton = h('button', { type: 'button', class: 'conflict-badge' })
  readonly #main = h('main', { id: 'main', tabindex: '-1' })
  readonly #nav: Record<Section, HTMLAnchorElement>
  readonly #cleanup: (() => void)[] = []
  #page: { section: Section, view: ContactsView | TasksView | NotesView } | null = null
  #reviewed = new Set<string>()
  readonly #toasted = new Map<string, number>()

  constructor (client: SyncClient, onSignOut: () => void) {
    this.#client = client
    this.#dialog = new ConflictDialog({
      list: async () => {
        try {
          await client.conflicts.refresh()
        } catch {
          // Offline: the conflicts this device knows.
        }
        return client.conflicts.list({ status: 'all' })
      },
      resolve: async (conflict, choice, data) => {
        await client.conflicts.resolve(conflict.conflictId, choice, data)
      },
      nameOf: async (type, id) => {
        const entity = await client.store(type as 'contact').get(id)
        return String(entity?.name ?? entity?.title ?? id)
      },
      notify: message => this.#toasts.show(message),
    })
    this.#conflictsButton.addEventListener('click', () => void this.#dialog.open())
    this.#nav = {
      contacts: h('a', { href: '#/contacts' }, 'Contacts'),
      tasks: h('a', { href: '#/tasks' }, 'Tasks'),
      notes: h('a', { href: '#/notes' }, 'Notes'),
    }
    const signOut = h('button', { type: 'button', class: 'btn ghost small' }, 'Sign out')
    signOut.addEventListener('click', onSignOut)
    this.element = h('div', { class: 'shell' },
      h('a', { class: 'skip', href: '#main', onclick: (e: Event) => { e.preventDefault(); this.#main.focus() } }, 'Skip to content'),
      h('header', { class: 'topbar' },
        h('div', { class: 'brand' }, h('img', { src: 'icon.svg', alt: 'FrameLord' }), h('span', { class: 'brand-name', 'aria-hidden': 'true' }, 'FrameLord')),
        h('nav', { class: 'nav', 'aria-label': 'Main' }, this.#nav.contacts, this.#nav.tasks, this.#nav.notes),
        h('span', { class: 'spacer' }),
        h('div', { class: 'sync' }, this.#indicator.element, this.#conflictsButton),
        signOut),
      this.#banners.element,
      this.#main,
      this.#toasts.element,
      this.#dialog.element)

    this.#cleanup.push(client.status.subscribe(status => this.#statusChanged(status)))
    this.#cleanup.push(client.on('notification', n => {
      if (this.#firstToastFor(n.changes.map(c => `${c.entityType}/${c.entityId}`))) this.#toasts.show(n.message)
    }))
    this.#cleanup.push(client.on('conflict', c => this.#conflictArrived(c)))
    // A local edit starts a new story for its entity: a remote change that meets it is news again,
    // even moments after another toast about the same entity.
    for (const store of [client.contacts, client.tasks, client.notes]) {
      this.#cleanup.push(store.subscribe(change => {
        if (change.source === 'local') this.#toasted.delete(`${change.entityType}/${change.entityId}`)
      }))
    }
    this.#cleanup.push(client.on('rejected', r => this.#toasts.show(`The server refused a change to a ${r.entityType}: ${r.message}`)))
    this.#cleanup.push(client.conflicts.subscribe(() => { if (this.#dialog.isOpen) void this.#dialog.refresh() }))
    const onHash = () => void this.#route(parseRoute(location.hash))
    window.addEventListener('hashchange', onHash)
    this.#cleanup.push(() => window.removeEventListener('hashchange', onHash))
    void this.#route(parseRoute(location.hash))
  }

  readonly element: HTMLElement

  destroy (): void {
    for (const cleanup of this.#cleanup) cleanup()
    this.#page?.view.destroy()
  }

  #statusChanged (status: SyncStatus): void {
    this.#indicator.update(status)
    this.#banners.update(status, () => void this.#client.syncNow())
    const n = status.conflicts
    this.#conflictsButton.textContent = n > 0 ? `⚠ ${n} ${n === 1 ? 'conflict' : 'conflicts'}` : 'Conflicts'
    this.#conflictsButton.classList.toggle('has-open', n > 0)
    this.#conflictsButton.setAttribute('aria-label', n > 0 ? `Review ${n} ${n === 1 ? 'conflict' : 'conflicts'}` : 'Conflicts: none to review')
    this.#conflictsButton.setAttribute('aria-haspopup', 'dialog')
  }

  /** A conflict on a critical field edited on two devices within a minute asks for review at once. */
  #conflictArrived (conflict: SyncConflict): void {
    if (conflict.needsReview && conflict.status === 'open' && !this.#reviewed.has(conflict.conflictId)) {
      this.#reviewed.add(conflict.conflictId)
      void this.#dialog.open()
    } else {
      // This device's edit lost (or partly lost) to one made elsewhere: the seed's notification. The
      // SDK raises it for pulls; a push answer that carries the winner needs it here.
      if (conflict.resolution !== 'local_won' && conflict.status !== 'open' && this.#firstToastFor([`${conflict.entityType}/${conflict.entityId}`])) {
        const type = conflict.entityType.charAt(0).toUpperCase() + conflict.entityType.slice(1)
        const winner = conflict.winner ?? conflict.remote
        const shown = conflict.fields.map(f => `${f} is now “${show(winner[f])}”`).join(', ')
        this.#toasts.show(`${type} updated on another device: ${shown}`, 8000, { label: 'Review', run: () => void this.#dialog.open() })
      }
      if (this.#dialog.isOpen) void this.#dialog.refresh()
    }
  }

  /**
   * One "updated on another device" toast per entity change: the SDK's (from a pull) and the one for
   * a lost push can both describe the same change within a second or two.
   */
  #firstToastFor (keys: string[]): boolean {
    const now = Date.now()
    for (const [key, at] of this.#toasted) if (now - at > 4_000) this.#toasted.delete(key)
    const fresh = keys.length === 0 || keys.some(key => !this.#toasted.has(key))
    if (fresh) for (const key of keys) this.#toasted.set(key, now)
    return fresh
  }

  async #route (route: Route): Promise<void> {
    for (const [section, link] of Object.entries(this.#nav)) {
      if (section === route.section) link.setAttribute('aria-current', 'page')
      else link.removeAttribute('aria-current')
    }
    if (this.#page?.section !== route.section) {
      this.#page?.view.destroy()
      const view = this.#create(route.section)
      this.#page = { section: route.section, view }
      replaceChildren(this.#main, view.element)
    }
    const view = this.#page.view
    if (view instanceof ContactsView) await view.show(route.id, route.archive)
    else if (view instanceof NotesView) await view.show(route.id)
    else await view.render()
    document.title = `${route.section.charAt(0).toUpperCase()}${route.section.slice(1)} · FrameLord`
  }

  #create (section: Section): ContactsView | TasksView | NotesView {
    const notify = (message: string) => this.#toasts.show(message, 3000)
    switch (section) {
      case 'tasks': return new TasksView(this.#client.tasks)
      case 'notes': {
        const name = `${displayName()} · ${deviceName()}`
        return new NotesView(this.#client.notes, this.#client.documents, { name, color: colorFor(name) })
      }
      default: return new ContactsView(this.#client.contacts, notify)
    }
  }
}
