// Replays a josephg editing trace with npm yjs, one trace transaction per transaction into
// getText('text') (positions as UTF-16 offsets: the C# trace command converts code points first), and prints
// the same JSON line as the C# trace command. Usage:
//   node --expose-gc trace.mjs FILE.json.gz [--client-id N] [--write-update OUT]
// Load time is the median of 5 loads after the first (cold) load, which is reported too.
import * as Y from 'yjs'
import fs from 'node:fs'
import zlib from 'node:zlib'

const args = process.argv.slice(2)
const file = args[0]
let clientId = 1
let out = null
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--client-id') clientId = Number(args[++i])
  else if (args[i] === '--write-update') out = args[++i]
}
const trace = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)))
const patches = []
for (const txn of trace.txns) for (const p of txn.patches) patches.push(p)
const txns = trace.txns.map(t => t.patches)

const doc = new Y.Doc()
doc.clientID = clientId
const text = doc.getText('text')
let t0 = performance.now()
for (const txn of txns) {
  doc.transact(() => {
    for (const [pos, del, ins] of txn) {
      if (del > 0) text.delete(pos, del)
      if (ins.length > 0) text.insert(pos, ins)
    }
  })
}
const applyMs = performance.now() - t0
if (text.toString() !== trace.endContent) throw new Error('replayed text differs from endContent')

// A second replay into a fresh document: the same work with the code already optimized.
if (global.gc) global.gc()
t0 = performance.now()
{
  const warm = new Y.Doc()
  warm.clientID = clientId
  const warmText = warm.getText('text')
  for (const txn of txns) {
    warm.transact(() => {
      for (const [pos, del, ins] of txn) {
        if (del > 0) warmText.delete(pos, del)
        if (ins.length > 0) warmText.insert(pos, ins)
      }
    })
  }
}
const applyWarmMs = performance.now() - t0

// Encode and load are timed twice: as they come, and right after a forced gc() (with --expose-gc). The better
// of the two is reported, as in the C# trace command (a forced gc() slows yjs down, a collection helps .NET).
const collect = () => { if (global.gc) global.gc() }
t0 = performance.now()
const update = Y.encodeStateAsUpdate(doc)
let encodeMs = performance.now() - t0
collect()
t0 = performance.now()
Y.encodeStateAsUpdate(doc)
encodeMs = Math.min(encodeMs, performance.now() - t0)

const timeLoad = () => {
  const t = performance.now()
  const d = new Y.Doc()
  Y.applyUpdate(d, update)
  return performance.now() - t
}
const medianLoad = (withGc) => {
  const times = []
  for (let i = 0; i < 5; i++) {
    if (withGc) collect()
    times.push(timeLoad())
  }
  times.sort((a, b) => a - b)
  return times[2]
}
const coldMs = timeLoad()
const plain = medianLoad(false)
const collected = medianLoad(true)

let heap = null
if (global.gc) {
  // Heap held by a loaded document: used heap after full collections, with and without four loaded
  // documents, divided by four. Synchronous major collections plus a few event-loop turns let V8 finish
  // sweeping; without them the figure swings by megabytes from run to run.
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      global.gc({ type: 'major', execution: 'sync' })
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
  await settle()
  const before = process.memoryUsage().heapUsed
  const held = []
  for (let i = 0; i < 4; i++) {
    const d = new Y.Doc()
    Y.applyUpdate(d, update)
    held.push(d)
  }
  await settle()
  heap = Math.round((process.memoryUsage().heapUsed - before) / held.length)
  for (const d of held) if (d.getText('text').toString() !== trace.endContent) throw new Error('loaded text differs')
}
if (out) fs.writeFileSync(out, update)
const r = (x, n) => Math.round(x * 10 ** n) / 10 ** n
console.log(JSON.stringify({
  impl: 'yjs 13.6.33',
  ops: patches.length,
  text_length: text.length,
  apply_ms: r(applyMs, 1),
  apply_warm_ms: r(applyWarmMs, 1),
  encode_ms: r(encodeMs, 2),
  update_bytes: update.length,
  load_ms: r(Math.min(plain, collected), 2),
  load_cold_ms: r(coldMs, 2),
  load_plain_ms: r(plain, 2),
  load_after_gc_ms: r(collected, 2),
  heap_bytes: heap
}))
