/**
 * Other people's cursors and selections in one paragraph, from Yjs awareness: each client's
 * `cursor` ({anchor, head} as Yjs relative positions into one Y.Text) and `user` ({name, color}).
 * It also publishes this editor's cursor while it has focus. The caret carries the person's name
 * visibly and as its accessible name.
 */
import { Annotation, RangeSetBuilder } from '@codemirror/state'
import { Decoration, EditorView, ViewPlugin, WidgetType, type DecorationSet, type ViewUpdate } from '@codemirror/view'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

const awarenessChanged = Annotation.define<true>()

export interface CursorUser {
  name: string
  color: string
}

class CaretWidget extends WidgetType {
  constructor (readonly user: CursorUser) {
    super()
  }

  override eq (other: CaretWidget): boolean {
    return other.user.name === this.user.name && other.user.color === this.user.color
  }

  toDOM (): HTMLElement {
    const caret = document.createElement('span')
    caret.className = 'remote-caret'
    caret.style.borderColor = this.user.color
    caret.setAttribute('role', 'img')
    caret.setAttribute('aria-label', `${this.user.name} is here`)
    const label = document.createElement('span')
    label.className = 'remote-name'
    label.style.backgroundColor = this.user.color
    label.setAttribute('aria-hidden', 'true')
    label.textContent = this.user.name
    // Zero-width joiners keep the caret from breaking lines.
    caret.append('\u2060', label, '\u2060')
    return caret
  }

  override ignoreEvent (): boolean {
    return true
  }
}

interface RemoteRange { from: number, to: number, head: number, user: CursorUser }

export function remoteCursors (ytext: Y.Text, awareness: Awareness) {
  return ViewPlugin.fromClass(class {
    decorations: DecorationSet = Decoration.none
    #destroyed = false
    readonly #listener: (change: { added: number[], updated: number[], removed: number[] }) => void

    constructor (readonly view: EditorView) {
      this.#listener = ({ added, updated, removed }) => {
        const others = [...added, ...updated, ...removed].some(id => id !== awareness.clientID)
        if (others) queueMicrotask(() => { if (!this.#destroyed) view.dispatch({ annotations: awarenessChanged.of(true) }) })
      }
      awareness.on('change', this.#listener)
      this.decorations = this.#build()
    }

    update (update: ViewUpdate): void {
      this.#publish(update)
      if (update.docChanged || update.transactions.some(t => t.annotation(awarenessChanged))) {
        this.decorations = this.#build()
      }
    }

    destroy (): void {
      this.#destroyed = true
      awareness.off('change', this.#listener)
    }

    #publish (update: ViewUpdate): void {
      const view = update.view
      // The caret of a window in the background still marks where its person is: what counts is the
      // editor being the active element, not the window having focus.
      if (view.root.activeElement !== view.contentDOM || !(update.selectionSet || update.focusChanged || update.docChanged)) return
      const selection = update.state.selection.main
      const anchor = Y.createRelativePositionFromTypeIndex(ytext, selection.anchor)
      const head = Y.createRelativePositionFromTypeIndex(ytext, selection.head)
      const current = awareness.getLocalState()?.cursor as { anchor: unknown, head: unknown } | null | undefined
      if (current && Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.anchor), anchor) &&
        Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.head), head)) return
      awareness.setLocalStateField('cursor', { anchor: Y.relativePositionToJSON(anchor), head: Y.relativePositionToJSON(head) })
    }

    #build (): DecorationSet {
      const doc = ytext.doc
      if (!doc) return Decoration.none
      const length = this.view.state.doc.length
      const ranges: RemoteRange[] = []
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID) return
        const cursor = state.cursor as { anchor?: unknown, head?: unknown } | null | undefined
        if (!cursor?.anchor || !cursor.head) return
        const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.anchor), doc)
        const head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.head), doc)
        if (!anchor || !head || anchor.type !== ytext || head.type !== ytext) return
        const user = state.user as Partial<CursorUser> | undefined
        const clamp = (n: number) => Math.max(0, Math.min(length, n))
        ranges.push({
          from: clamp(Math.min(anchor.index, head.index)),
          to: clamp(Math.max(anchor.index, head.index)),
          head: clamp(head.index),
          user: { name: user?.name ?? 'Someone', color: user?.color ?? '#2563eb' },
        })
      })
      // RangeSetBuilder needs decorations sorted by position (and side).
      const items: { from: number, to: number, deco: Decoration }[] = []
      for (const range of ranges) {
        if (range.to > range.from) {
          items.push({ from: range.from, to: range.to, deco: Decoration.mark({ attributes: { style: `background-color: ${range.user.color}33` } }) })
        }
        items.push({ from: range.head, to: range.head, deco: Decoration.widget({ widget: new CaretWidget(range.user), side: range.head === range.to && range.to > range.from ? -1 : 1 }) })
      }
      items.sort((a, b) => a.from - b.from || a.deco.startSide - b.deco.startSide)
      const builder = new RangeSetBuilder<Decoration>()
      for (const item of items) builder.add(item.from, item.to, item.deco)
      return builder.finish()
    }
  }, { decorations: plugin => plugin.decorations })
}
