import { h } from '../dom.js'

/** Short-lived notifications in one live region ("Contact updated on another device"). */
export class Toasts {
  readonly element = h('div', { class: 'toasts', role: 'log', 'aria-label': 'Notifications', 'aria-live': 'polite' })

  show (message: string, timeoutMs = 8000, action?: { label: string, run: () => void }): void {
    const toast = h('div', { class: 'toast' }, h('span', { class: 'text' }, message))
    if (action) {
      toast.append(h('button', { type: 'button', class: 'btn small', onclick: () => { action.run(); toast.remove() } }, action.label))
    }
    toast.append(h('button', { type: 'button', class: 'btn small', 'aria-label': 'Dismiss', onclick: () => toast.remove() }, '✕'))
    this.element.append(toast)
    // Oldest first out: at most four at once.
    while (this.element.childElementCount > 4) this.element.firstElementChild?.remove()
    setTimeout(() => toast.remove(), timeoutMs)
  }
}
