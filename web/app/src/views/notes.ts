import { type DocumentStatus, type EntityStore, type Note, type NoteDocument, type NoteDocuments } from '@framelord/sync'
import { h, replaceChildren } from '../dom.js'
import { NoteEditor } from '../editor/note-editor.js'
import { href, navigate } from '../router.js'
import type { CursorUser } from '../editor/remote-cursors.js'

/**
 * Notes: the list, and one open note with its title (an entity field, last writer wins) and its
 * body (a Yjs document that merges, edited live with everyone who has it open).
 */
export class NotesView {
  readonly element = h('div', { class: 'split' })
  readonly #list = h('ul', { class: 'list', 'aria-label': 'Notes' })
  readonly #detail = h('section', { class: 'pane detail', 'aria-label': 'Note' })
  readonly #store: EntityStore<Note>
  readonly #documents: NoteDocuments
  readonly #user: CursorUser
  readonly #unsubscribe: () => void
  #open: OpenNote | null = null
  #selected: string | null = null
  #generation = 0

  constructor (store: EntityStore<Note>, documents: NoteDocuments, user: CursorUser) {
    this.#store = store
    this.#documents = documents
    this.#user = user
    this.element.append(
      h('section', { class: 'pane list', 'aria-labelledby': 'notes-heading' },
        h('div', { class: 'pane-head' },
          h('h2', { id: 'notes-heading' }, 'Notes'),
          h('button', { type: 'button', class: 'btn primary', onclick: () => void this.#create() }, 'New note')),
        this.#list),
      this.#detail)
    this.#unsubscribe = store.subscribe(change => {
      void this.#renderList()
      if (change.entityId === this.#selected && change.entity) this.#open?.titleChanged(change.entity)
    })
  }

  async show (id: string | null): Promise<void> {
    this.element.dataset.detail = id ? 'open' : 'closed'
    await this.#renderList()
    if (id !== this.#selected) await this.#openNote(id)
  }

  destroy (): void {
    this.#unsubscribe()
    this.#open?.close()
  }

  async #renderList (): Promise<void> {
    const notes = (await this.#store.list()).sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.id.localeCompare(b.id))
    if (notes.length === 0) {
      replaceChildren(this.#list, h('li', { class: 'empty' }, 'No notes yet.'))
      return
    }
    replaceChildren(this.#list, notes.map(n => h('li', {},
      h('a', { href: href('notes', n.id), 'aria-current': n.id === this.#selected ? 'true' : 'false' },
        n.title || 'Untitled', h('span', { class: 'sub' }, new Date(n.updated_at).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' }))))))
  }

  async #openNote (id: string | null): Promise<void> {
    const generation = ++this.#generation
    this.#open?.close()
    this.#open = null
    this.#selected = id
    const note = id ? await this.#store.get(id) : undefined
    if (generation !== this.#generation) return
    if (!note || note.is_archived) {
      replaceChildren(this.#detail, h('div', { class: 'empty' }, id ? 'This note is not on this device.' : 'Select a note, or create one.'))
      return
    }
    replaceChildren(this.#detail, h('p', { class: 'empty' }, 'Opening…'))
    const document = await this.#documents.open(note.id)
    if (generation !== this.#generation) {
      document.close()
      return
    }
    this.#open = new OpenNote(note, document, this.#store, this.#user)
    replaceChildren(this.#detail, this.#open.element)
    void this.#renderList()
  }

  async #create (): Promise<void> {
    const note = await this.#store.create({ title: 'Untitled' })
    navigate('notes', note.id)
    // A note made here gets its body at once; its title is the first thing to type.
    const generation = this.#generation
    await this.show(note.id)
    if (generation + 1 === this.#generation) this.#open?.startFresh()
  }
}

class OpenNote {
  readonly element: HTMLElement
  readonly #title = h('input', { type: 'text', class: 'note-title', 'aria-label': 'Title', autocomplete: 'off' })
  readonly #state = h('span', { class: 'doc-state', 'aria-live': 'polite' })
  readonly #presence = h('ul', { class: 'presence', 'aria-label': 'People in this note' })
  readonly #undo = h('button', { type: 'button', class: 'btn small', disabled: true }, '↶ Undo')
  readonly #redo = h('button', { type: 'button', class: 'btn small', disabled: true }, '↷ Redo')
  readonly #editor: NoteEditor
  readonly #empty = h('div', { class: 'empty', hidden: true },
    h('p', {}, 'Nothing written here yet, or the text is still on its way from your other devices.'),
    h('button', { type: 'button', class: 'btn', onclick: () => { this.#editor.ensureBody(); this.#updateEmpty(); this.#editor.focusFirst() } }, 'Start writing'))
  readonly #document: NoteDocument
  readonly #cleanup: (() => void)[] = []
  #note: Note
  #titleTimer: ReturnType<typeof setTimeout> | undefined

  constructor (note: Note, document: NoteDocument, store: EntityStore<Note>, user: CursorUser) {
    this.#note = note
    this.#document = document
    this.#title.value = note.title ?? ''
    const saveTitle = async () => {
      clearTimeout(this.#titleTimer)
      const title = this.#title.value.trim() || 'Untitled'
      if (title !== (this.#note.title ?? '')) this.#note = await store.update(note.id, { title })
    }
    this.#title.addEventListener('input', () => {
      clearTimeout(this.#titleTimer)
      this.#titleTimer = setTimeout(() => void saveTitle(), 600)
    })
    this.#title.addEventListener('blur', () => void saveTitle())
    this.#title.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault()
        void saveTitle()
        this.#editor.focusFirst()
      }
    })

    document.awareness.setLocalStateField('user', { name: user.name, color: user.color })
    this.#editor = new NoteEditor(document.doc, document.awareness)
    this.#undo.setAttribute('aria-label', 'Undo')
    this.#redo.setAttribute('aria-label', 'Redo')
    this.#undo.addEventListener('click', () => this.#editor.undo())
    this.#redo.addEventListener('click', () => this.#editor.redo())
    this.#cleanup.push(this.#editor.onUndoStackChange(() => this.#updateUndo()))

    const onAwareness = () => this.#renderPresence()
    document.awareness.on('change', onAwareness)
    this.#cleanup.push(() => document.awareness.off('change', onAwareness))
    this.#cleanup.push(document.status.subscribe(status => this.#statusChanged(status)))

    this.element = h('article', { class: 'note' },
      h('div', { class: 'pane-head' },
        h('a', { class: 'btn small back', href: href('notes') }, '← Notes')),
      this.#title,
      h('div', { class: 'note-toolbar' }, this.#undo, this.#redo, h('span', { class: 'spacer' }), this.#presence, this.#state),
      this.#empty,
      this.#editor.element)
    this.#cleanup.push(this.#editor.onBlocksChange(() => this.#updateEmpty()))
    this.#updateEmpty()
    this.#renderPresence()
  }

  /** A note created on this device: its body starts now, and the cursor goes to the title. */
  startFresh (): void {
    this.#editor.ensureBody()
    this.#title.focus()
    this.#title.select()
  }

  titleChanged (note: Note): void {
    this.#note = note
    if (document.activeElement !== this.#title) this.#title.value = note.title ?? ''
  }

  close (): void {
    clearTimeout(this.#titleTimer)
    for (const cleanup of this.#cleanup) cleanup()
    this.#editor.destroy()
    this.#document.close()
  }

  #statusChanged (status: DocumentStatus): void {
    this.#state.textContent = status.error
      ? `Not saved to the server: ${status.error.message}`
      : status.connection === 'offline' ? 'Offline: saved on this device'
        : status.synced ? (status.connection === 'socket' ? 'Live' : 'Saved') : 'Saving…'
    this.#updateEmpty()
  }

  /**
   * A body with no page yet is not filled in on its own: its content may still be on its way from
   * another device, and a second page made here would compete with it. The user starts it.
   */
  #updateEmpty (): void {
    const empty = this.#editor.isEmpty
    this.#empty.hidden = !empty
  }

  #updateUndo (): void {
    this.#undo.disabled = this.#editor.undoManager.undoStack.length === 0
    this.#redo.disabled = this.#editor.undoManager.redoStack.length === 0
  }

  #renderPresence (): void {
    const others: { name: string, color: string }[] = []
    this.#document.awareness.getStates().forEach((state, clientId) => {
      if (clientId === this.#document.awareness.clientID) return
      const user = state.user as { name?: string, color?: string } | undefined
      if (user?.name) others.push({ name: user.name, color: user.color ?? '#2563eb' })
    })
    replaceChildren(this.#presence, others.map(o => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' })
      swatch.style.background = o.color
      return h('li', {}, swatch, o.name)
    }))
  }
}
