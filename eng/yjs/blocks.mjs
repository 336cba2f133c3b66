// The server's document shape at scale with npm yjs, mirroring the C# `blocks` command: a Y.Map of 10,000
// block Y.Maps (flavour, Y.Text, Y.Array of children), one transaction per block, client id 1. Prints the
// same JSON line; --write-snapshot OUT writes the snapshot for a byte comparison.
import * as Y from 'yjs'
import fs from 'node:fs'

const args = process.argv.slice(2)
const out = args[0] === '--write-snapshot' ? args[1] : null
const BLOCKS = 10000
const doc = new Y.Doc()
doc.clientID = 1
const blocks = doc.getMap('blocks')
let t0 = performance.now()
for (let i = 0; i < BLOCKS; i++) {
  doc.transact(() => {
    const block = blocks.set('block-' + i, new Y.Map())
    block.set('sys:flavour', 'affine:paragraph')
    block.set('prop:text', new Y.Text()).insert(0, 'Paragraph number ' + i + ' of the benchmark document.')
    block.set('sys:children', new Y.Array()).push(['child-' + i])
  })
}
const buildMs = performance.now() - t0
const almost = new Y.Doc()
almost.clientID = 2
Y.applyUpdate(almost, Y.encodeStateAsUpdate(doc))
blocks.get('block-5').get('prop:text').insert(0, 'Edited: ')
const snapshot = Y.encodeStateAsUpdate(doc)
const later = new Y.Doc()
later.clientID = 3
Y.applyUpdate(later, snapshot)
later.getMap('blocks').get('block-7').get('prop:text').insert(0, 'Later: ')
const laterUpdate = Y.encodeStateAsUpdate(later, Y.encodeStateVector(doc))

const median = (f) => {
  f()
  const times = []
  for (let i = 0; i < 5; i++) {
    if (global.gc) global.gc()
    const t = performance.now()
    f()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return times[2]
}
const r = (x, n) => Math.round(x * 10 ** n) / 10 ** n
const emptySv = new Uint8Array([0])
const almostSv = Y.encodeStateVector(almost)
const line = {
  impl: 'yjs 13.6.33',
  blocks: BLOCKS,
  build_ms: r(buildMs, 1),
  snapshot_bytes: snapshot.length,
  load_ms: r(median(() => { const d = new Y.Doc(); Y.applyUpdate(d, snapshot) }), 2),
  diff_empty_sv_ms: r(median(() => Y.diffUpdate(snapshot, emptySv)), 2),
  diff_one_edit_ms: r(median(() => Y.diffUpdate(snapshot, almostSv)), 2),
  diff_one_edit_bytes: Y.diffUpdate(snapshot, almostSv).length,
  sv_from_update_ms: r(median(() => Y.encodeStateVectorFromUpdate(snapshot)), 2),
  merge_ms: r(median(() => Y.mergeUpdates([snapshot, laterUpdate])), 2)
}
console.log(JSON.stringify(line))
if (out) fs.writeFileSync(out, snapshot)
