// A Yjs note client written against the npm yjs package, as other people's clients are: it edits a
// BlockSuite-shaped document (a map of block maps, each with a Y.Text and a Y.Array) and syncs it with
// the FrameLord server's POST /api/v1/notes/{id}/sync, by delta from the last state vector the server
// sent. Used by the server's interop tests.
//
//   node note-client.mjs --url URL --token TOKEN --note ID --client-id N --seed S --edits K [--sync-every M]
//
// Prints one JSON line at the end: {"content": {...canonical blocks...}, "syncs": n}.
import * as Y from 'yjs'

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []))
const url = args.url.replace(/\/$/, '')
const edits = Number(args.edits ?? 50)
const syncEvery = Number(args['sync-every'] ?? 5)
let seed = Number(args.seed ?? 1)
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const pick = (n) => Math.floor(random() * n)

const doc = new Y.Doc()
doc.clientID = Number(args['client-id'])
const blocks = doc.getMap('blocks')
let serverVector = new Uint8Array([0])
let syncs = 0

const b64 = (u8) => Buffer.from(u8).toString('base64')
const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))

async function sync () {
  const body = { yjs_updates: b64(Y.encodeStateAsUpdate(doc, serverVector)), state_vector: b64(Y.encodeStateVector(doc)) }
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${url}/api/v1/notes/${args.note}/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}` },
      body: JSON.stringify(body)
    })
    if (response.ok) {
      const answer = await response.json()
      Y.applyUpdate(doc, unb64(answer.updates), 'server')
      serverVector = unb64(answer.new_state_vector)
      syncs++
      return
    }
    if (response.status === 429 && attempt < 20) { await new Promise(resolve => setTimeout(resolve, 200)); continue }
    throw new Error(`sync failed: ${response.status} ${await response.text()}`)
  }
}

function edit (i) {
  const keys = Array.from(blocks.keys()).sort()
  const roll = random()
  if (keys.length === 0 || roll < 0.25) {
    const block = new Y.Map()
    block.set('sys:flavour', 'affine:paragraph')
    block.set('prop:text', new Y.Text(`js${doc.clientID}-${i} `))
    block.set('sys:children', new Y.Array())
    blocks.set(`b-${doc.clientID}-${i}`, block)
    return
  }
  const key = keys[pick(keys.length)]
  const block = blocks.get(key)
  if (roll < 0.3) { blocks.delete(key); return }
  if (roll < 0.4) { block.get('sys:children').push([`c-${doc.clientID}-${i}`]); return }
  const text = block.get('prop:text')
  if (text.length > 4 && random() < 0.3) text.delete(pick(text.length - 2), 2)
  else text.insert(pick(text.length + 1), `<${doc.clientID}:${i}>`)
}

await sync()
for (let i = 0; i < edits; i++) {
  doc.transact(() => edit(i))
  if (i % syncEvery === syncEvery - 1) await sync()
}
await sync()

// Tell the test this client's edits are all on the server, then wait until the test says every other
// client's are too (a file appears), and pick everything up.
console.log(JSON.stringify({ ready: true }))
if (args.wait) {
  const fs = await import('node:fs')
  while (!fs.existsSync(args.wait)) await new Promise(resolve => setTimeout(resolve, 50))
}
await sync()
await sync()

const content = {}
for (const key of Array.from(blocks.keys()).sort()) {
  const block = blocks.get(key)
  content[key] = { text: block.get('prop:text').toString(), children: block.get('sys:children').toArray() }
}
console.log(JSON.stringify({ content, syncs }))
