/** A small element builder: the app is plain DOM, with no framework. */

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>

/** Creates an element: `on*` attributes become listeners, `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value)
    } else if (name === 'value' && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) {
      el.value = String(value)
    } else if (name === 'checked' && el instanceof HTMLInputElement) {
      el.checked = Boolean(value)
    } else {
      el.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value))
    }
  }
  append(el, children)
  return el
}

function append (el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
}

/** Replaces an element's children. */
export function replaceChildren (el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren()
  append(el, children)
}

let ids = 0
/** A document-unique id for label/field pairs. */
export function uid (prefix: string): string {
  ids += 1
  return `${prefix}-${ids}`
}

/** A labelled field: `<label for>` + control, so tests and screen readers find the control by its label. */
export function field (label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLDivElement {
  control.id ||= uid('f')
  const hintEl = hint ? h('span', { class: 'hint', id: `${control.id}-hint` }, hint) : null
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id)
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl)
}

const numbers = new Intl.NumberFormat('en-US')
/** "1,234". */
export function formatCount (n: number): string {
  return numbers.format(n)
}

/** "10:32" today, "Dec 5, 10:32" otherwise. */
export function formatTime (iso: string | null | undefined, now = new Date()): string {
  if (!iso) return 'never'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return 'never'
  const time = date.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', hour12: false })
  return date.toDateString() === now.toDateString()
    ? time
    : `${date.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })}, ${time}`
}

/** Shows a value of an entity field as text. */
export function show (value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)'
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.map(String).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
