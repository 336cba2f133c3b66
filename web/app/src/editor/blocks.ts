/**
 * The BlockSuite shape of a note body (DESIGN 6) and the two structural edits the editor makes.
 * Root map `blocks`: block id → Y.Map with `sys:id`, `sys:flavour`, `sys:children` (Y.Array of
 * ids) and `prop:*`; a paragraph's text is the Y.Text `prop:text`. Nothing here rewrites a body
 * into another shape: blocks other clients add (other flavours) are kept and skipped.
 */
import * as Y from 'yjs'

export const PAGE = 'affine:page'
export const NOTE = 'affine:note'
export const PARAGRAPH = 'affine:paragraph'

export interface TextBlock {
  id: string
  block: Y.Map<unknown>
  text: Y.Text
  /** The children array of the block's parent, and the block's index in it. */
  siblings: Y.Array<string>
  index: number
}

export function blocksOf (doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap('blocks') as Y.Map<Y.Map<unknown>>
}

export function newBlockId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, b => (b % 36).toString(36)).join('') + Date.now().toString(36).slice(-4)
}

function paragraph (id: string, text: string): Y.Map<unknown> {
  const block = new Y.Map<unknown>()
  block.set('sys:id', id)
  block.set('sys:flavour', PARAGRAPH)
  block.set('sys:children', new Y.Array<string>())
  block.set('prop:type', 'text')
  block.set('prop:text', new Y.Text(text))
  return block
}

/** True when the body has no page yet (a new note, or one whose content has not arrived). */
export function isEmpty (doc: Y.Doc): boolean {
  return pages(doc).length === 0
}

function pages (doc: Y.Doc): string[] {
  const result: string[] = []
  blocksOf(doc).forEach((block, id) => {
    if (block instanceof Y.Map && block.get('sys:flavour') === PAGE) result.push(id)
  })
  return result.sort()
}

/** Every block with a `prop:text`, in document order (depth first from the pages, ordered by id). */
export function textBlocks (doc: Y.Doc): TextBlock[] {
  const blocks = blocksOf(doc)
  const result: TextBlock[] = []
  const seen = new Set<string>()
  const visit = (id: string) => {
    const block = blocks.get(id)
    if (!(block instanceof Y.Map) || seen.has(id)) return
    seen.add(id)
    const children = block.get('sys:children')
    if (!(children instanceof Y.Array)) return
    children.toArray().forEach((childId, index) => {
      const child = blocks.get(childId)
      if (!(child instanceof Y.Map) || seen.has(childId)) return
      const text = child.get('prop:text')
      if (text instanceof Y.Text) result.push({ id: childId, block: child, text, siblings: children as Y.Array<string>, index })
      visit(childId)
    })
  }
  for (const page of pages(doc)) visit(page)
  return result
}

/** The first note block of the body, where a paragraph goes when there is none. */
function firstNote (doc: Y.Doc): Y.Map<unknown> | undefined {
  const blocks = blocksOf(doc)
  for (const page of pages(doc)) {
    const children = blocks.get(page)?.get('sys:children')
    if (!(children instanceof Y.Array)) continue
    for (const id of children.toArray() as string[]) {
      const child = blocks.get(id)
      if (child instanceof Y.Map && child.get('sys:flavour') === NOTE) return child
    }
  }
  return undefined
}

/** Adds an empty paragraph at the end of the first note (a body whose paragraphs were all removed). */
export function appendParagraph (doc: Y.Doc, origin: unknown): string | null {
  let id: string | null = null
  doc.transact(() => {
    const note = firstNote(doc)
    if (!note) return
    id = newBlockId()
    blocksOf(doc).set(id, paragraph(id, ''))
    ;(note.get('sys:children') as Y.Array<string>).push([id])
  }, origin)
  return id
}

/**
 * Enter: the text after `pos` moves into a new paragraph right after the block, in one
 * transaction (one undo step). Returns the new block's id.
 */
export function splitBlock (doc: Y.Doc, id: string, pos: number, origin: unknown): string | null {
  const target = textBlocks(doc).find(b => b.id === id)
  if (!target) return null
  const newId = newBlockId()
  doc.transact(() => {
    const tail = target.text.toString().slice(pos)
    if (tail.length > 0) target.text.delete(pos, tail.length)
    blocksOf(doc).set(newId, paragraph(newId, tail))
    target.siblings.insert(target.index + 1, [newId])
  }, origin)
  return newId
}

/**
 * Backspace at a block's start: its text is appended to the previous text block and the block
 * is removed, in one transaction. Returns the previous block and where the joined text starts.
 */
export function joinWithPrevious (doc: Y.Doc, id: string, origin: unknown): { id: string, offset: number } | null {
  const all = textBlocks(doc)
  const at = all.findIndex(b => b.id === id)
  if (at <= 0) return null
  const target = all[at]
  const previous = all[at - 1]
  // A block with children of its own is not joined: they would be orphaned.
  const children = target.block.get('sys:children')
  if (children instanceof Y.Array && children.length > 0) return null
  const offset = previous.text.length
  doc.transact(() => {
    const text = target.text.toString()
    if (text.length > 0) previous.text.insert(offset, text)
    target.siblings.delete(target.index, 1)
    blocksOf(doc).delete(id)
  }, origin)
  return { id: previous.id, offset }
}
