/**
 * The note body editor: one CodeMirror 6 view per paragraph, each bound to its block's
 * `prop:text` with y-codemirror.next, so concurrent typing in one paragraph merges character by
 * character. Enter splits a block, Backspace at its start joins it to the previous one, and one
 * Y.UndoManager tracks only this device's origins, so undo never takes back someone else's typing.
 */
import { defaultKeymap } from '@codemirror/commands'
import { EditorSelection, EditorState } from '@codemirror/state'
import { EditorView, keymap, placeholder } from '@codemirror/view'
import { yCollab } from 'y-codemirror.next'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { h } from '../dom.js'
import { createNoteBody } from '@framelord/sync'
import { appendParagraph, blocksOf, isEmpty, joinWithPrevious, splitBlock, textBlocks, type TextBlock } from './blocks.js'
import { remoteCursors } from './remote-cursors.js'

/** The origin of this editor's structural edits (split, join); the views add their own origins. */
export const LOCAL_ORIGIN = Symbol('framelord-local-edit')

interface Paragraph {
  id: string
  text: Y.Text
  view: EditorView
  element: HTMLElement
}

export class NoteEditor {
  readonly element = h('div', { class: 'blocks', role: 'group', 'aria-label': 'Note body' })
  readonly undoManager: Y.UndoManager
  readonly #doc: Y.Doc
  readonly #awareness: Awareness
  readonly #paragraphs = new Map<string, Paragraph>()
  readonly #onDeep: (events: Y.YEvent<any>[]) => void
  readonly #onStack: () => void
  readonly #listeners = new Set<() => void>()
  readonly #blockListeners = new Set<() => void>()

  constructor (doc: Y.Doc, awareness: Awareness) {
    this.#doc = doc
    this.#awareness = awareness
    const blocks = blocksOf(doc)
    this.undoManager = new Y.UndoManager(blocks, { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: 500 })
    this.#onDeep = events => {
      // Typing changes only texts; the block list needs a look only when maps or arrays changed.
      if (events.some(e => !(e.target instanceof Y.Text))) {
        this.#reconcile()
        for (const listener of this.#blockListeners) listener()
      }
    }
    blocks.observeDeep(this.#onDeep)
    this.#onStack = () => { for (const listener of this.#listeners) listener() }
    this.undoManager.on('stack-item-added', this.#onStack)
    this.undoManager.on('stack-item-popped', this.#onStack)
    this.undoManager.on('stack-cleared', this.#onStack)
    this.#reconcile()
  }

  /** Gives an empty body its first page and paragraph (a new note, or nothing arrived to wait for). */
  ensureBody (): void {
    // The SDK's body has fixed block ids, so two devices that both start an empty body converge on one page.
    if (isEmpty(this.#doc)) this.#doc.transact(() => createNoteBody(this.#doc), LOCAL_ORIGIN)
    else if (textBlocks(this.#doc).length === 0) appendParagraph(this.#doc, LOCAL_ORIGIN)
    // Creating the body is not an edit the user can undo.
    this.undoManager.clear()
  }

  get isEmpty (): boolean {
    return isEmpty(this.#doc)
  }

  onUndoStackChange (listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Called after blocks were added, removed or moved. */
  onBlocksChange (listener: () => void): () => void {
    this.#blockListeners.add(listener)
    return () => this.#blockListeners.delete(listener)
  }

  undo (): void {
    this.undoManager.undo()
  }

  redo (): void {
    this.undoManager.redo()
  }

  focusFirst (): void {
    const first = textBlocks(this.#doc)[0]
    if (first) this.#focus(first.id, 0)
  }

  destroy (): void {
    blocksOf(this.#doc).unobserveDeep(this.#onDeep)
    for (const paragraph of this.#paragraphs.values()) paragraph.view.destroy()
    this.#paragraphs.clear()
    this.undoManager.off('stack-item-added', this.#onStack)
    this.undoManager.off('stack-item-popped', this.#onStack)
    this.undoManager.off('stack-cleared', this.#onStack)
    this.undoManager.destroy()
    this.#awareness.setLocalStateField('cursor', null)
  }

  /** Brings the views in line with the blocks: new views for new blocks, none for removed ones, in order. */
  #reconcile (): void {
    const order = textBlocks(this.#doc)
    const wanted = new Set(order.map(b => b.id))
    for (const [id, paragraph] of this.#paragraphs) {
      // A block whose text was replaced (another client set a new Y.Text) gets a new view.
      const current = order.find(b => b.id === id)
      if (!wanted.has(id) || current?.text !== paragraph.text) {
        paragraph.view.destroy()
        paragraph.element.remove()
        this.#paragraphs.delete(id)
      }
    }
    let previous: HTMLElement | null = null
    order.forEach((block, index) => {
      const paragraph = this.#paragraphs.get(block.id) ?? this.#create(block)
      paragraph.view.contentDOM.setAttribute('aria-label', `Paragraph ${index + 1}`)
      const expected: ChildNode | null = previous ? previous.nextSibling : this.element.firstChild
      if (expected !== paragraph.element) this.element.insertBefore(paragraph.element, expected)
      previous = paragraph.element
    })
  }

  #create (block: TextBlock): Paragraph {
    const element = h('div', { class: 'block', 'data-flavour': String(block.block.get('sys:flavour')) })
    const id = block.id
    const view = new EditorView({
      parent: element,
      state: EditorState.create({
        doc: block.text.toString(),
        extensions: [
          keymap.of([
            { key: 'Enter', run: v => this.#split(id, v) },
            { key: 'Backspace', run: v => this.#join(id, v) },
            { key: 'ArrowUp', run: v => this.#move(id, v, -1) },
            { key: 'ArrowDown', run: v => this.#move(id, v, 1) },
            { key: 'Mod-z', run: () => { this.undo(); return true }, preventDefault: true },
            { key: 'Mod-y', run: () => { this.redo(); return true }, preventDefault: true },
            { key: 'Mod-Shift-z', run: () => { this.redo(); return true }, preventDefault: true },
          ]),
          keymap.of(defaultKeymap),
          // Cursors come from remoteCursors below (accessible carets), so yCollab gets no awareness.
          yCollab(block.text, null, { undoManager: this.undoManager }),
          remoteCursors(block.text, this.#awareness),
          EditorView.lineWrapping,
          placeholder('Write something…'),
        ],
      }),
    })
    const paragraph = { id, text: block.text, view, element }
    this.#paragraphs.set(id, paragraph)
    return paragraph
  }

  #split (id: string, view: EditorView): boolean {
    const selection = view.state.selection.main
    if (!selection.empty) view.dispatch({ changes: { from: selection.from, to: selection.to } })
    const newId = splitBlock(this.#doc, id, view.state.selection.main.head, LOCAL_ORIGIN)
    if (newId) this.#focus(newId, 0)
    return true
  }

  #join (id: string, view: EditorView): boolean {
    const selection = view.state.selection.main
    if (!selection.empty || selection.head !== 0) return false
    const joined = joinWithPrevious(this.#doc, id, LOCAL_ORIGIN)
    if (joined) this.#focus(joined.id, joined.offset)
    return true
  }

  #move (id: string, view: EditorView, direction: -1 | 1): boolean {
    const selection = view.state.selection.main
    const moved = view.moveVertically(selection, direction > 0)
    if (moved.head !== selection.head) return false
    const order = textBlocks(this.#doc)
    const next = order[order.findIndex(b => b.id === id) + direction]
    if (!next) return false
    this.#focus(next.id, direction > 0 ? 0 : next.text.length)
    return true
  }

  #focus (id: string, pos: number): void {
    const paragraph = this.#paragraphs.get(id)
    if (!paragraph) return
    const at = Math.min(pos, paragraph.view.state.doc.length)
    paragraph.view.dispatch({ selection: EditorSelection.cursor(at), scrollIntoView: true })
    paragraph.view.focus()
  }
}
