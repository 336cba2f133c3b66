// Replays a josephg editing trace with npm yjs, one patch per transaction into getText('text'), and prints
// the same JSON line as the C# trace command. Usage:
//   node --expose-gc trace.mjs FILE.json.gz [--client-id N] [--write-update OUT]
// Load time is the median of 5 loads after one warm-up load (the cold load is reported too).
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

const doc = new Y.Doc()
doc.clientID = clientId
const text = doc.getText('text')
let t0 = performance.now()
for (const [pos, del, ins] of patches) {
  doc.transact(() => {
    if (del > 0) text.delete(pos, del)
    if (ins.length > 0) text.insert(pos, ins)
  })
}
const applyMs = performance.now() - t0
if (text.toString() !== trace.endContent) throw new Error('replayed text differs from endContent')

t0 = performance.now()
const update = Y.encodeStateAsUpdate(doc)
const encodeMs = performance.now() - t0

const loads = []
let coldMs = 0
for (let i = 0; i < 6; i++) {
  t0 = performance.now()
  const d = new Y.Doc()
  Y.applyUpdate(d, update)
  const ms = performance.now() - t0
  if (i === 0) coldMs = ms
  else loads.push(ms)
}
loads.sort((a, b) => a - b)

let heap = null
if (global.gc) {
  global.gc()
  const before = process.memoryUsage().heapUsed
  const d = new Y.Doc()
  Y.applyUpdate(d, update)
  global.gc()
  heap = process.memoryUsage().heapUsed - before
  if (d.getText('text').toString() !== trace.endContent) throw new Error('loaded text differs')
}
if (out) fs.writeFileSync(out, update)
const r = (x, n) => Math.round(x * 10 ** n) / 10 ** n
console.log(JSON.stringify({
  impl: 'yjs 13.6.33',
  ops: patches.length,
  text_length: text.length,
  apply_ms: r(applyMs, 1),
  encode_ms: r(encodeMs, 2),
  update_bytes: update.length,
  load_ms: r(loads[loads.length >> 1], 2),
  load_cold_ms: r(coldMs, 2),
  heap_bytes: heap
}))
