// Shared pieces of the live-socket scripts: the BlockSuite note shape (DESIGN 6), a canonical form of
// a note for comparing clients, a REST client of POST /notes/{id}/sync, and polling waits.
import * as Y from 'yjs'

export const report = (line) => console.log(JSON.stringify(line))

/** A page block with a note block holding `paragraphs` paragraph blocks, as BlockSuite lays a document out. */
export function buildPage (doc, id, paragraphs) {
  const blocks = doc.getMap('blocks')
  doc.transact(() => {
    const block = (blockId, flavour, children, text) => {
      const b = new Y.Map()
      b.set('sys:id', blockId)
      b.set('sys:flavour', flavour)
      b.set('sys:children', Y.Array.from(children))
      if (text !== undefined) b.set('prop:text', new Y.Text(text))
      blocks.set(blockId, b)
    }
    const ids = Array.from({ length: paragraphs }, (_, i) => `${id}-p${i}`)
    block(id, 'affine:page', [`${id}-note`], 'Title')
    block(`${id}-note`, 'affine:note', ids)
    ids.forEach(p => block(p, 'affine:paragraph', [], ''))
  })
}

/** The text of paragraph `i` of the page built by buildPage (undefined until it arrived). */
export const paragraph = (doc, i, id = 'page') => doc.getMap('blocks').get(`${id}-p${i}`)?.get('prop:text')

/** Every block's flavour, children and text, keys sorted: equal strings mean equal notes. */
export function canonical (doc) {
  const blocks = doc.getMap('blocks')
  const out = {}
  for (const key of Array.from(blocks.keys()).sort()) {
    const b = blocks.get(key)
    out[key] = { flavour: b.get('sys:flavour') ?? null, children: b.get('sys:children')?.toArray() ?? [], text: b.get('prop:text')?.toString() ?? null }
  }
  return JSON.stringify(out)
}

const b64 = (u8) => Buffer.from(u8).toString('base64')
const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))
const vectors = new WeakMap()

/** One REST sync of DESIGN 3.5: sends what the server lacks since the last answer, applies what it sends. */
export async function restSync (base, token, note, doc) {
  const serverVector = vectors.get(doc) ?? new Uint8Array([0])
  const response = await fetch(`${base}/api/v1/notes/${note}/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ yjs_updates: b64(Y.encodeStateAsUpdate(doc, serverVector)), state_vector: b64(Y.encodeStateVector(doc)) })
  })
  if (!response.ok) throw new Error(`sync failed: ${response.status} ${await response.text()}`)
  const answer = await response.json()
  Y.applyUpdate(doc, unb64(answer.updates), 'server')
  vectors.set(doc, unb64(answer.new_state_vector))
  return answer.sync_version
}

export async function waitFor (what, condition, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
