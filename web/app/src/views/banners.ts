import type { SyncStatus } from '@framelord/sync'
import { formatTime, h, replaceChildren } from '../dom.js'

/** The offline banner, the 7-day stale warning, the error line and the large-sync progress bar. */
export class Banners {
  readonly element = h('div', { class: 'banners' })
  #key = ''

  update (status: SyncStatus, retry: () => void): void {
    const progress = status.progress
    const key = JSON.stringify([status.online, status.state === 'offline', status.stale, status.lastSyncAt, status.state === 'error' && status.error?.message, progress?.message, status.pendingChanges])
    if (key === this.#key) return
    this.#key = key
    const parts: HTMLElement[] = []
    if (!status.online || status.state === 'offline') {
      const pending = status.pendingChanges
      parts.push(h('div', { class: 'banner offline', role: 'region', 'aria-label': 'Offline' },
        h('span', {}, '●'),
        h('span', {}, `You are offline. Your changes are saved on this device${pending > 0 ? ` (${pending} waiting)` : ''} and will sync when the connection returns.`)))
    }
    if (status.stale) {
      parts.push(h('div', { class: 'banner stale', role: 'region', 'aria-label': 'Out of sync' },
        h('span', {}, '⚠'),
        h('span', {}, `Not synced for more than 7 days (last sync ${formatTime(status.lastSyncAt)}). Changes from your other devices may be missing.`)))
    }
    if (status.state === 'error' && status.error) {
      parts.push(h('div', { class: 'banner error', role: 'region', 'aria-label': 'Sync error' },
        h('span', {}, `Sync failed: ${status.error.message} FrameLord retries on its own.`),
        h('button', { type: 'button', class: 'btn small', onclick: retry }, 'Retry now')))
    }
    if (progress && progress.total !== null && progress.total >= 100) {
      const percent = progress.percent ?? 0
      parts.push(h('div', { class: 'progress' },
        h('div', { id: 'sync-progress-label' }, progress.message),
        h('div', { class: 'bar', role: 'progressbar', 'aria-labelledby': 'sync-progress-label', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent },
          spanWidth(percent))))
    }
    replaceChildren(this.element, parts)
  }
}

function spanWidth (percent: number): HTMLElement {
  const span = h('span')
  span.style.width = `${Math.max(0, Math.min(100, percent))}%`
  return span
}
