import type { ConflictChoice, SyncConflict } from '@framelord/sync'
import { field, h, replaceChildren, show, uid } from '../dom.js'

export interface ConflictActions {
  list (): Promise<SyncConflict[]>
  resolve (conflict: SyncConflict, choice: ConflictChoice, data?: Record<string, unknown>): Promise<void>
  /** The entity's display name ("Sarah Chen"), from the local store. */
  nameOf (entityType: string, entityId: string): Promise<string>
  notify (message: string): void
}

/**
 * The seed's conflict dialog: every open conflict with its field, both values and the four actions
 * ("Keep local", "Use remote", "View details", "Merge manually"), then the conflicts the server
 * settled on its own, each of whose losing values can be brought back.
 */
export class ConflictDialog {
  readonly element: HTMLDialogElement
  readonly #body = h('div', { class: 'dialog-body' })
  readonly #actions: ConflictActions
  #rendering = Promise.resolve()
  /** What the dialog shows now; a refresh that would show the same leaves the DOM alone. */
  #shown = ''

  constructor (actions: ConflictActions) {
    this.#actions = actions
    this.element = h('dialog', { class: 'conflicts', 'aria-labelledby': 'conflicts-title' },
      h('div', { class: 'dialog-head' },
        h('h2', { id: 'conflicts-title' }, 'Sync conflicts'),
        h('button', { type: 'button', class: 'btn ghost', onclick: () => this.element.close() }, 'Close')),
      this.#body)
  }

  get isOpen (): boolean {
    return this.element.open
  }

  async open (): Promise<void> {
    await this.refresh()
    if (!this.element.open) this.element.showModal()
  }

  /** Re-reads the conflicts; keeps a merge form that is being edited. */
  refresh (): Promise<void> {
    this.#rendering = this.#rendering.then(() => this.#render(), () => this.#render())
    return this.#rendering
  }

  async #render (): Promise<void> {
    if (this.#body.querySelector('.merge:focus-within')) return
    const all = await this.#actions.list()
    const open = all.filter(c => c.status === 'open')
    const settled = all.filter(c => c.status !== 'open').slice(-20).reverse()
    const names = await Promise.all([...open, ...settled].map(c => this.#actions.nameOf(c.entityType, c.entityId)))
    // Rebuilding identical content would detach the buttons under the user's pointer: refreshes
    // come with every sync step, so a dialog rebuilt each time could never be clicked.
    const shown = JSON.stringify([open, settled, names])
    if (shown === this.#shown && this.#body.childElementCount > 0) return
    this.#shown = shown
    const cards = await Promise.all(open.map(c => this.#openCard(c)))
    const rows = await Promise.all(settled.map(c => this.#settledRow(c)))
    replaceChildren(this.#body,
      h('h3', {}, open.length === 0 ? 'Nothing needs your review' : `${open.length} ${open.length === 1 ? 'conflict needs' : 'conflicts need'} your review`),
      open.length === 0 ? h('p', { class: 'empty' }, 'Edits made on two devices at once were merged. Any value that lost is kept below and can be brought back.') : null,
      cards,
      h('h3', {}, 'Settled'),
      rows.length === 0 ? h('p', { class: 'empty' }, 'No conflicts yet.') : h('ul', { class: 'auto-list', 'aria-label': 'Settled conflicts' }, rows))
  }

  async #openCard (conflict: SyncConflict): Promise<HTMLElement> {
    const name = await this.#actions.nameOf(conflict.entityType, conflict.entityId)
    const fields = conflict.fields.join(', ')
    const label = `${capitalize(conflict.entityType)} “${name}”: ${fields}`
    const titleId = uid('conflict')
    const details = h('div', { class: 'details', hidden: true })
    const merge = h('div', { class: 'merge', hidden: true })
    const run = (choice: ConflictChoice, data?: Record<string, unknown>) => this.#resolve(conflict, choice, data)
    const choice = (text: string, values: Record<string, unknown>, when: string, onclick: () => void) =>
      h('button', { type: 'button', class: 'choice', 'aria-label': text, 'aria-describedby': titleId, onclick },
        h('span', { class: 'label' }, text),
        h('span', { class: 'value' }, conflict.fields.map(f => show(values[f])).join(' · ')),
        h('span', { class: 'when' }, when))
    const viewDetails = h('button', { type: 'button', class: 'btn small', 'aria-expanded': 'false' }, 'View details')
    viewDetails.addEventListener('click', () => {
      details.hidden = !details.hidden
      viewDetails.setAttribute('aria-expanded', String(!details.hidden))
      if (!details.hidden) replaceChildren(details, detailsTable(conflict))
    })
    const mergeButton = h('button', { type: 'button', class: 'btn small', 'aria-expanded': 'false' }, 'Merge manually')
    mergeButton.addEventListener('click', () => {
      merge.hidden = !merge.hidden
      mergeButton.setAttribute('aria-expanded', String(!merge.hidden))
      if (!merge.hidden) {
        replaceChildren(merge, mergeForm(conflict, data => run('merged', data), () => { merge.hidden = true }))
        merge.querySelector('input')?.focus()
      }
    })
    return h('section', { class: 'conflict', role: 'group', 'aria-labelledby': titleId },
      h('p', { class: 'what', id: titleId }, h('strong', {}, label), conflict.needsReview ? ' — edited on two devices within a minute' : ''),
      h('div', { class: 'choices' },
        choice('Keep local', conflict.local, 'The edit that synced later', () => run('keep_local')),
        choice('Use remote', conflict.remote, 'The value it met', () => run('use_remote'))),
      h('div', { class: 'more' }, viewDetails, mergeButton),
      details,
      merge)
  }

  /**
   * A conflict the server settled by its rule: what was kept, and both sides as choices, so the
   * value that lost can be brought back (or the outcome confirmed) from any device.
   */
  async #settledRow (conflict: SyncConflict): Promise<HTMLElement> {
    const name = await this.#actions.nameOf(conflict.entityType, conflict.entityId)
    const fields = conflict.fields.join(', ')
    const value = (values: Record<string, unknown>) => conflict.fields.map(f => show(values[f])).join(' · ')
    const localWon = conflict.resolution === 'local_won'
    const kept = conflict.resolution === 'mixed' ? 'parts of both' : `“${value(localWon ? conflict.local : conflict.remote)}”`
    const titleId = uid('settled')
    return h('li', { role: 'group', 'aria-labelledby': titleId },
      h('span', { id: titleId }, h('strong', {}, `${capitalize(conflict.entityType)} “${name}”`), `: ${fields}`,
        h('span', { class: 'sub' }, conflict.status === 'resolved' ? ' — resolved by you' : ` — kept ${kept} automatically`)),
      h('span', { class: 'more' },
        h('button', { type: 'button', class: 'btn small', title: 'The value of the edit that synced later', onclick: () => this.#resolve(conflict, 'keep_local') },
          'Keep local', h('span', { class: 'sub', 'aria-hidden': 'true' }, ` “${value(conflict.local)}”`)),
        h('button', { type: 'button', class: 'btn small', title: 'The value the later edit met', onclick: () => this.#resolve(conflict, 'use_remote') },
          'Use remote', h('span', { class: 'sub', 'aria-hidden': 'true' }, ` “${value(conflict.remote)}”`))))
  }

  async #resolve (conflict: SyncConflict, choice: ConflictChoice, data?: Record<string, unknown>): Promise<void> {
    try {
      await this.#actions.resolve(conflict, choice, data)
      this.#actions.notify(choice === 'merged' ? 'Merged value saved on every device.' : 'Conflict resolved.')
    } catch (e) {
      this.#actions.notify(`Could not resolve the conflict: ${e instanceof Error ? e.message : String(e)}`)
    }
    // A resolved merge form may go now.
    ;(document.activeElement as HTMLElement | null)?.blur()
    await this.refresh()
  }
}

function detailsTable (conflict: SyncConflict): HTMLElement {
  const winner = conflict.winner ?? {}
  return h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Keep local (synced later)'), h('th', { scope: 'col' }, 'Use remote (the value it met)'), h('th', { scope: 'col' }, 'Now on the server'))),
    h('tbody', {}, conflict.fields.map(f => h('tr', {},
      h('th', { scope: 'row' }, f), h('td', {}, show(conflict.local[f])), h('td', {}, show(conflict.remote[f])), h('td', {}, f in winner ? show(winner[f]) : '—')))),
    h('caption', { class: 'visually-hidden' }, 'Conflict details'))
}

/** One input per contested field, prefilled with both values, so the user edits rather than retypes. */
function mergeForm (conflict: SyncConflict, save: (data: Record<string, unknown>) => void, cancel: () => void): HTMLElement {
  const inputs = conflict.fields.map(f => {
    const local = conflict.local[f]
    const remote = conflict.remote[f]
    const input = h('input', { type: 'text', name: f, value: combine(local, remote) })
    return { f, input, isList: Array.isArray(local) || Array.isArray(remote) }
  })
  const form = h('form', { 'aria-label': 'Merge manually' },
    inputs.map(({ f, input, isList }) => field(`Merged ${f}`, input, isList ? 'Separate entries with commas.' : 'Edit to the value you want on every device.')),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn primary' }, 'Save merged value'),
      h('button', { type: 'button', class: 'btn', onclick: cancel }, 'Cancel')))
  form.addEventListener('submit', event => {
    event.preventDefault()
    const data: Record<string, unknown> = {}
    for (const { f, input, isList } of inputs) {
      data[f] = isList ? input.value.split(',').map(s => s.trim()).filter(Boolean) : input.value
    }
    save(data)
  })
  return form
}

function combine (local: unknown, remote: unknown): string {
  if (Array.isArray(local) || Array.isArray(remote)) {
    return [...new Set([...(Array.isArray(local) ? local : []), ...(Array.isArray(remote) ? remote : [])].map(String))].join(', ')
  }
  const a = local === null || local === undefined ? '' : String(local)
  const b = remote === null || remote === undefined ? '' : String(remote)
  return a === b || b === '' ? a : a === '' ? b : `${a} / ${b}`
}

function capitalize (s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
