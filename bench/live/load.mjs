// Load generator for live document sockets: D notes x C clients, each client inserting one character R times
// a second into its note's Y.Text. Measures fan-out latency (one client's insert until it arrives at every
// other client of the note), delivered updates per second, errors and the server's RSS.
//
//   node load.mjs --url ws://host:port/path --protocol yws|hocus --token T --notes D --clients C --rate R
//                 --seconds S [--pid SERVER_PID] [--label NAME] [--trace FILE]
//
// yws: y-websocket framing, one socket per client at URL/<note>?token=T. hocus: Hocuspocus framing at URL,
// one socket per client, Auth message with T. Each client keeps its own Y.Doc and applies only its own edits,
// so an update is cheap to make and always integrates on the server (its origins are the client's own items);
// arrivals are matched by the (client, clock) at the head of the update. Prints one JSON line.
import * as Y from 'yjs'
import WebSocket from 'ws'
import fs from 'node:fs'

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []))
const notes = Number(args.notes), clients = Number(args.clients), rate = Number(args.rate), seconds = Number(args.seconds ?? 20)
const protocol = args.protocol ?? 'yws'
const runId = Math.random().toString(36).slice(2, 8)

// lib0 varUint / varString framing, enough for the two protocols.
const varUint = (n) => { const out = []; while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) } out.push(n); return out }
const varBytes = (b) => [...varUint(b.length), ...b]
const varString = (s) => varBytes([...Buffer.from(s, 'utf8')])
const readVarUint = (b, p) => { let n = 0, m = 1; for (;;) { const x = b[p.i++]; n += (x & 0x7f) * m; if (x < 0x80) return n; m *= 128 } }
const readVarString = (b, p) => { const len = readVarUint(b, p); const s = Buffer.from(b.subarray(p.i, p.i + len)).toString('utf8'); p.i += len; return s }

const sent = new Map() // "client:clock" -> send time
const latencies = []
let delivered = 0, errors = 0, inserts = 0, measuring = false
const sockets = []
const trace = args.trace ? [] : null // --trace FILE: every measured arrival as [sent at ms, latency ms], for finding where a tail comes from

function open (note, index) {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  const name = `bench-${runId}-${note}`
  const url = protocol === 'yws' ? `${args.url}/${name}?token=${args.token}` : args.url
  const ws = new WebSocket(url)
  ws.binaryType = 'nodebuffer'
  const client = { ws, doc, text, ready: false }
  ws.on('open', () => {
    if (protocol === 'hocus') ws.send(Buffer.from([...varString(name), 2, 0, ...varString(args.token), ...varString('4.8.0')]))
    else client.ready = true
  })
  ws.on('message', (data) => {
    const b = new Uint8Array(data)
    const p = { i: 0 }
    if (protocol === 'hocus') {
      if (b.length === 1) return // ping
      readVarString(b, p)
      const type = readVarUint(b, p)
      if (type === 2) { client.ready = readVarUint(b, p) === 2; return }
      if (type !== 0) return
    } else if (readVarUint(b, p) !== 0) return
    if (readVarUint(b, p) !== 2) return // only updates pushed by the server
    readVarUint(b, p) // payload length
    const structClients = readVarUint(b, p)
    if (structClients === 0) return
    readVarUint(b, p) // structs of the first client
    const from = readVarUint(b, p)
    const clock = readVarUint(b, p)
    if (from === doc.clientID) return
    const at = sent.get(`${from}:${clock}`)
    if (at !== undefined && measuring) { const now = performance.now(); latencies.push(now - at); if (trace) trace.push([Math.round(at * 10) / 10, Math.round((now - at) * 100) / 100]); delivered++ }
  })
  ws.on('error', () => { errors++ })
  ws.on('close', (code) => { if (code !== 1000 && code !== 1005) errors++ })
  doc.on('update', (update) => {
    if (!client.ready || ws.readyState !== WebSocket.OPEN) return
    const frame = protocol === 'yws' ? [0, 2, ...varBytes(update)] : [...varString(name), 0, 2, ...varBytes(update)]
    ws.send(Buffer.from(frame))
  })
  sockets.push(client)
  return client
}

const all = []
for (let n = 0; n < notes; n++) for (let c = 0; c < clients; c++) all.push(open(n, c))
const deadline = Date.now() + 60000
while (!all.every(c => c.ready)) {
  if (Date.now() > deadline) { console.log(JSON.stringify({ label: args.label, error: 'clients not ready', ready: all.filter(c => c.ready).length })); process.exit(1) }
  await new Promise(resolve => setTimeout(resolve, 50))
}

const rss = () => {
  if (!args.pid) return null
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${args.pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : null
}
const idleRss = rss()
const interval = 1000 / rate
const timers = all.map((client) => setTimeout(function tick () {
  client.timer = setInterval(() => {
    const clock = Y.getState(client.doc.store, client.doc.clientID)
    sent.set(`${client.doc.clientID}:${clock}`, performance.now())
    if (measuring) inserts++
    client.text.insert(client.text.length, 'x')
  }, interval)
}, Math.random() * interval))

await new Promise(resolve => setTimeout(resolve, 3000)) // warm-up
measuring = true
const started = performance.now()
let peakRss = rss() ?? 0
const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, rss() ?? 0) }, 1000)
await new Promise(resolve => setTimeout(resolve, seconds * 1000))
measuring = false
const elapsed = (performance.now() - started) / 1000
timers.forEach(clearTimeout)
all.forEach(c => clearInterval(c.timer))
clearInterval(rssTimer)
await new Promise(resolve => setTimeout(resolve, 1000)) // late arrivals are not counted: they missed the window

latencies.sort((a, b) => a - b)
const q = (f) => latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))] * 10) / 10 : null
console.log(JSON.stringify({
  label: args.label,
  point: `${notes}x${clients}@${rate}/s`,
  inserts_per_s: Math.round(inserts / elapsed),
  expected_deliveries_per_s: Math.round(inserts * (clients - 1) / elapsed),
  delivered_per_s: Math.round(delivered / elapsed),
  p50_ms: q(0.5),
  p99_ms: q(0.99),
  max_ms: latencies.length ? Math.round(latencies[latencies.length - 1] * 10) / 10 : null,
  errors,
  server_rss_mb_idle: idleRss,
  server_rss_mb_peak: peakRss
}))
if (trace) fs.writeFileSync(args.trace, JSON.stringify(trace))
all.forEach(c => c.ws.close())
setTimeout(() => process.exit(0), 200)
