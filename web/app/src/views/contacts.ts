import type { Contact, EntityStore } from '@framelord/sync'
import { field, h, replaceChildren } from '../dom.js'
import { href, navigate } from '../router.js'

/** The route of the form that creates a contact: nothing is stored until Save. */
const NEW = 'new'
const STATUSES = ['lead', 'prospect', 'customer', 'partner', 'inactive']
const FIELDS = ['name', 'email', 'phone', 'status', 'company', 'title', 'tags'] as const
type Field = (typeof FIELDS)[number]

/**
 * Contacts: the list with search (active or archived), and the editor of one contact with every
 * field. Saving writes only the fields the user changed, so a concurrent edit of another field on
 * another device is kept (field-level merge, DESIGN 4.2).
 */
export class ContactsView {
  readonly element = h('div', { class: 'split' })
  readonly #list = h('ul', { class: 'list', 'aria-label': 'Contacts' })
  readonly #detail = h('section', { class: 'pane detail', 'aria-label': 'Contact' })
  readonly #search = h('input', { type: 'search', class: 'search', placeholder: 'Search contacts', 'aria-label': 'Search contacts' })
  readonly #store: EntityStore<Contact>
  readonly #notify: (message: string) => void
  #selected: string | null = null
  #archive = false
  #form: ContactForm | null = null
  #unsubscribe: () => void

  constructor (store: EntityStore<Contact>, notify: (message: string) => void) {
    this.#store = store
    this.#notify = notify
    this.#search.addEventListener('input', () => void this.#renderList())
    const tabs = h('div', { class: 'tabs' },
      h('a', { class: 'btn small', href: href('contacts'), 'aria-current': 'false', 'data-tab': 'active' }, 'Active'),
      h('a', { class: 'btn small', href: href('contacts', null, true), 'aria-current': 'false', 'data-tab': 'archive' }, 'Archive'))
    this.element.append(
      h('section', { class: 'pane list', 'aria-labelledby': 'contacts-heading' },
        h('div', { class: 'pane-head' },
          h('h2', { id: 'contacts-heading' }, 'Contacts'),
          h('button', { type: 'button', class: 'btn primary', onclick: () => this.#create() }, 'New contact')),
        this.#search, tabs, this.#list),
      this.#detail)
    this.#unsubscribe = store.subscribe(change => {
      void this.#renderList()
      if (change.entityId === this.#selected) this.#form?.refresh(change.entity, change.source)
    })
  }

  async show (id: string | null, archive: boolean): Promise<void> {
    this.#archive = archive
    for (const tab of this.element.querySelectorAll<HTMLElement>('[data-tab]')) {
      tab.setAttribute('aria-current', String((tab.dataset.tab === 'archive') === archive))
    }
    // The pane shows first: a hidden field cannot take focus.
    this.element.dataset.detail = id ? 'open' : 'closed'
    await this.#renderList()
    if (id !== this.#selected || this.#form === null) await this.#open(id)
  }

  destroy (): void {
    this.#unsubscribe()
  }

  async #renderList (): Promise<void> {
    const query = this.#search.value.trim().toLowerCase()
    const all = await this.#store.list({ includeArchived: this.#archive })
    const contacts = all
      .filter(c => !c.is_contact_zero && c.is_archived === this.#archive)
      .filter(c => query === '' || FIELDS.some(f => String(c[f] ?? '').toLowerCase().includes(query)))
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id))
    if (contacts.length === 0) {
      replaceChildren(this.#list, h('li', { class: 'empty' }, query ? 'No contact matches.' : this.#archive ? 'The archive is empty.' : 'No contacts yet. Add your first one.'))
      return
    }
    replaceChildren(this.#list, contacts.map(c => h('li', {},
      h('a', { href: href('contacts', c.id, this.#archive), 'aria-current': c.id === this.#selected ? 'true' : 'false' },
        c.name || '(no name)',
        h('span', { class: 'sub' }, [c.title, c.company].filter(Boolean).join(', ') || c.email || '')))))
  }

  async #open (id: string | null): Promise<void> {
    this.#selected = id
    this.#form = null
    const isNew = id === NEW
    const contact = isNew ? draft() : id ? await this.#store.get(id) : undefined
    if (!contact) {
      replaceChildren(this.#detail, h('div', { class: 'empty' }, id ? 'This contact is not on this device.' : 'Select a contact, or create one.'))
      return
    }
    this.#form = new ContactForm(contact, {
      save: async patch => {
        if (isNew) {
          const created = await this.#store.create(patch)
          this.#notify(`“${created.name ?? 'Contact'}” created.`)
          navigate('contacts', created.id)
          return
        }
        await this.#store.update(contact.id, patch)
        this.#notify('Contact saved.')
      },
      remove: async () => {
        await this.#store.delete(contact.id)
        this.#notify(`“${contact.name ?? 'Contact'}” moved to the archive.`)
        navigate('contacts')
      },
      restore: async () => {
        await this.#store.restore(contact.id)
        this.#notify(`“${contact.name ?? 'Contact'}” restored.`)
        navigate('contacts', contact.id)
      },
      back: () => navigate('contacts', null, this.#archive),
    })
    replaceChildren(this.#detail, this.#form.element)
    if (isNew) this.#form.focusName()
    void this.#renderList()
  }

  async #create (): Promise<void> {
    navigate('contacts', NEW)
    if (this.#selected === NEW) this.#form?.focusName()
  }
}

interface FormActions {
  save (patch: Partial<Contact>): Promise<void>
  remove (): Promise<void>
  restore (): Promise<void>
  back (): void
}

class ContactForm {
  readonly element: HTMLElement
  readonly #inputs: Record<Field, HTMLInputElement | HTMLSelectElement>
  #contact: Contact
  readonly #status = h('span', { class: 'saved-note', 'aria-live': 'polite' })
  readonly #heading = h('h2', {})

  constructor (contact: Contact, actions: FormActions) {
    this.#contact = contact
    const status = h('select', { name: 'status' }, h('option', { value: '' }, '—'), STATUSES.map(s => h('option', { value: s }, capitalize(s))))
    this.#inputs = {
      name: h('input', { type: 'text', name: 'name', autocomplete: 'off' }),
      email: h('input', { type: 'email', name: 'email', autocomplete: 'off' }),
      phone: h('input', { type: 'tel', name: 'phone', autocomplete: 'off' }),
      status,
      company: h('input', { type: 'text', name: 'company', autocomplete: 'off' }),
      title: h('input', { type: 'text', name: 'title', autocomplete: 'off' }),
      tags: h('input', { type: 'text', name: 'tags', autocomplete: 'off' }),
    }
    for (const f of FIELDS) this.#setValue(f, contact[f])
    const archived = contact.is_archived
    this.#renderHeading()
    const form = h('form', { 'aria-label': 'Edit contact' },
      h('div', { class: 'pane-head' },
        h('button', { type: 'button', class: 'btn small back', onclick: actions.back }, '← Contacts'),
        this.#heading),
      field('Name', this.#inputs.name),
      h('div', { class: 'grid-2' }, field('Email', this.#inputs.email), field('Phone', this.#inputs.phone)),
      h('div', { class: 'grid-2' }, field('Company', this.#inputs.company), field('Title', this.#inputs.title)),
      h('div', { class: 'grid-2' }, field('Status', this.#inputs.status), field('Tags', this.#inputs.tags, 'Separate tags with commas.')),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn primary' }, 'Save'),
        this.#status,
        h('span', { class: 'spacer' }),
        archived
          ? h('button', { type: 'button', class: 'btn', onclick: () => void actions.restore() }, 'Restore')
          : contact.id === '' ? null : h('button', { type: 'button', class: 'btn danger', onclick: () => void actions.remove() }, 'Delete')))
    form.addEventListener('submit', async event => {
      event.preventDefault()
      const patch = this.#changes()
      if (Object.keys(patch).length === 0) {
        this.#status.textContent = 'No changes.'
        return
      }
      await actions.save(patch)
      this.#status.textContent = 'Saved on this device.'
    })
    this.element = form
  }

  focusName (): void {
    this.#inputs.name.focus()
  }

  /** A change from elsewhere: fields the user has not touched take the new value. */
  refresh (contact: Contact | undefined, source: 'local' | 'remote'): void {
    if (!contact) return
    const before = this.#contact
    this.#contact = contact
    let changed = false
    for (const f of FIELDS) {
      if (sameValue(f, before[f], contact[f])) continue
      changed = true
      if (sameValue(f, this.#readValue(f), before[f])) this.#setValue(f, contact[f])
    }
    this.#renderHeading()
    if (changed && source === 'remote') this.#status.textContent = 'Updated from another device.'
  }

  #renderHeading (): void {
    const contact = this.#contact
    replaceChildren(this.#heading, contact.id === '' ? 'New contact' : contact.name || '(no name)',
      contact.is_archived ? h('span', { class: 'archived-flag' }, 'Archived') : null)
  }

  #changes (): Partial<Contact> {
    const patch: Record<string, unknown> = {}
    for (const f of FIELDS) {
      const value = this.#readValue(f)
      if (!sameValue(f, value, this.#contact[f])) patch[f] = value
    }
    return patch as Partial<Contact>
  }

  #readValue (f: Field): unknown {
    const raw = this.#inputs[f].value
    if (f === 'tags') return raw.split(',').map(s => s.trim()).filter(Boolean)
    return raw.trim() === '' ? null : raw.trim()
  }

  #setValue (f: Field, value: unknown): void {
    const input = this.#inputs[f]
    if (f === 'tags') {
      input.value = Array.isArray(value) ? value.join(', ') : ''
      return
    }
    const text = value === null || value === undefined ? '' : String(value)
    if (input instanceof HTMLSelectElement && text !== '' && ![...input.options].some(o => o.value === text)) {
      // A status another client wrote stays selectable.
      input.append(h('option', { value: text }, text))
    }
    input.value = text
  }
}

function draft (): Contact {
  return { id: '', created_at: '', updated_at: '', sync_version: 0, is_archived: false }
}

function sameValue (f: Field, a: unknown, b: unknown): boolean {
  if (f === 'tags') {
    const x = Array.isArray(a) ? a : []
    const y = Array.isArray(b) ? b : []
    return x.length === y.length && x.every((v, i) => v === y[i])
  }
  const norm = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v))
  return norm(a) === norm(b)
}

function capitalize (s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
