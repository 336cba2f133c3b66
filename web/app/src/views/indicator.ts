import type { SyncStatus } from '@framelord/sync'
import { formatCount, formatTime, h } from '../dom.js'

/** What the seed's indicator says for a status: the state word first, so its accessible name carries it. */
export function describeStatus (status: SyncStatus): { state: string, word: string, meta: string } {
  const pending = status.pendingChanges > 0 ? `${formatCount(status.pendingChanges)} pending` : ''
  const last = `last sync ${formatTime(status.lastSyncAt)}`
  switch (status.state) {
    case 'conflict': {
      const n = status.conflicts
      return { state: 'conflict', word: `⚠ ${formatCount(n)} ${n === 1 ? 'conflict' : 'conflicts'}`, meta: join(pending, last) }
    }
    case 'syncing':
      return { state: 'syncing', word: 'Syncing', meta: status.progress?.message ?? join(pending, last) }
    case 'pending':
      return { state: 'pending', word: `Pending`, meta: join(pending || 'changes waiting', last) }
    case 'offline':
      return { state: 'offline', word: 'Offline', meta: join(pending, last) }
    case 'error':
      return { state: 'error', word: 'Error', meta: join(status.error?.message ?? 'sync failed, retrying', pending) }
    default:
      return { state: 'synced', word: 'Synced', meta: last }
  }
}

function join (...parts: string[]): string {
  return parts.filter(Boolean).join(' · ')
}

/** The header's indicator: a coloured dot and the state word; `role="status"` announces changes. */
export class Indicator {
  readonly element: HTMLElement
  readonly #dot = h('span', { class: 'dot', 'aria-hidden': 'true' })
  readonly #word = h('span', { class: 'word' })
  readonly #meta = h('span', { class: 'meta' })

  constructor () {
    this.element = h('div', { class: 'indicator', role: 'status' }, this.#dot, this.#word, this.#meta)
  }

  update (status: SyncStatus): void {
    const { state, word, meta } = describeStatus(status)
    this.element.dataset.state = state
    this.#word.textContent = word
    this.#meta.textContent = meta
    const name = `${word.replace('⚠ ', '')}${meta ? `, ${meta}` : ''}`
    if (this.element.getAttribute('aria-label') !== name) this.element.setAttribute('aria-label', name)
    this.element.title = name
  }
}
