// Interop scenario for the live document sockets (DESIGN 3.8), driven by the server's tests: unmodified
// npm y-websocket 3.1.0 and @hocuspocus/provider 4.8.0 clients and a REST client edit one BlockSuite-shaped
// note concurrently (one y-websocket provider also while disconnected) and must converge; awareness is seen
// and removed; bad and missing tokens get 4401; another user's same note id is another document; hostile
// messages on one raw socket leave the others working.
//
//   node live-scenario.mjs --url http://host:port [--url2 http://other-process] --token T --other-token T2 --note ID
//
// Prints one JSON line per check, then {"done":true}. A failed wait prints {"error": "..."} and exits 1.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { HocuspocusProvider } from '@hocuspocus/provider'
import WebSocket from 'ws'
import { canonical, restSync, waitFor, paragraph, buildPage, report } from './live-common.mjs'

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []))
const http = args.url.replace(/\/$/, '')
const http2 = (args.url2 ?? args.url).replace(/\/$/, '')
const wsBase = (base) => base.replace(/^http/, 'ws') + '/api/v1'
const note = args.note

const yws = (base, token, doc, opts = {}) => new WebsocketProvider(wsBase(base) + '/yjs', note, doc,
  { WebSocketPolyfill: WebSocket, params: token === undefined ? {} : { token }, disableBc: true, ...opts })
const hocus = (base, token, doc) => new HocuspocusProvider({ url: wsBase(base) + '/hocuspocus', WebSocketPolyfill: WebSocket, name: note, document: doc, token })

try {
  // Three live clients and a REST client of one user on one note; the second y-websocket provider (and the
  // Hocuspocus one) on the second server process when one is given.
  const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
  const a1 = yws(http, args.token, docs[0])
  const a2 = yws(http2, args.token, docs[1])
  const h = hocus(http2, args.token, docs[2])
  let authenticated = false
  h.on('authenticated', () => { authenticated = true })
  await waitFor('providers synced', () => a1.synced && a2.synced && h.synced && authenticated)
  report({ check: 'synced' })

  buildPage(docs[0], 'page', 3)
  await waitFor('page everywhere', () => docs.every(d => paragraph(d, 2) !== undefined))
  const rest = new Y.Doc()
  await restSync(http, args.token, note, rest)
  report({ check: 'page', rest_has_page: paragraph(rest, 2) !== undefined })

  // Concurrent edits: every client types into every paragraph; the REST client syncs every few edits.
  for (let i = 0; i < 30; i++) {
    docs.forEach((d, k) => paragraph(d, i % 3).insert(0, `${'abc'[k]}${i} `))
    paragraph(rest, (i + 1) % 3).insert(0, `r${i} `)
    if (i % 5 === 4) await restSync(http, args.token, note, rest)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  await restSync(http, args.token, note, rest)

  // Edits made while a provider is disconnected reach everyone once it reconnects.
  a2.disconnect()
  paragraph(docs[1], 0).insert(0, 'offline-edit ')
  paragraph(docs[0], 1).insert(0, 'online-edit ')
  await new Promise(resolve => setTimeout(resolve, 200))
  a2.connect()
  await waitFor('reconnected', () => a2.synced)
  await waitFor('live clients converge', () => {
    const c = docs.map(canonical)
    return c[0] === c[1] && c[1] === c[2] && c[0].includes('offline-edit') && c[0].includes('r29 ')
  })
  await restSync(http, args.token, note, rest)
  const contents = docs.map(canonical)
  report({ check: 'converged', same: contents.every(c => c === contents[0]) && canonical(rest) === contents[0], content: JSON.parse(contents[0]) })

  // A paste larger than a NOTIFY payload (it crosses server processes by reference to the stored log).
  const paste = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ')
  paragraph(docs[0], 2).insert(0, paste)
  await waitFor('large paste everywhere', () => docs.every(d => paragraph(d, 2).toString().startsWith(paste)))
  report({ check: 'large_update', bytes: paste.length })

  // A REST sync reaches the open sockets without any polling.
  paragraph(rest, 0).insert(0, 'from-rest ')
  await restSync(http, args.token, note, rest)
  await waitFor('rest edit pushed to sockets', () => docs.every(d => paragraph(d, 0).toString().startsWith('from-rest')))
  report({ check: 'rest_pushed' })

  // Awareness: seen by the others (and echoed to the sender); removed for the others when the socket closes.
  a1.awareness.setLocalStateField('user', { name: 'a1' })
  await waitFor('awareness seen', () => a2.awareness.getStates().get(docs[0].clientID)?.user?.name === 'a1' &&
    h.awareness.getStates().get(docs[0].clientID)?.user?.name === 'a1')
  report({ check: 'awareness_seen' })
  const a1Client = docs[0].clientID
  a1.ws.close() // an abrupt close: the server, not the client, must tell the others
  a1.shouldConnect = false
  await waitFor('awareness removed', () => !a2.awareness.getStates().has(a1Client) && !h.awareness.getStates().has(a1Client))
  report({ check: 'awareness_removed' })

  // Another user's note with the same id is another document.
  const otherDoc = new Y.Doc()
  const other = yws(http, args['other-token'], otherDoc)
  await waitFor('other user synced', () => other.synced)
  report({ check: 'other_user', blocks: otherDoc.getMap('blocks').size })
  paragraph(docs[1], 1).insert(0, 'only-mine ')
  otherDoc.getMap('blocks').set('theirs', new Y.Map())
  await new Promise(resolve => setTimeout(resolve, 300))
  report({ check: 'other_user_after', mine_has_theirs: docs[1].getMap('blocks').has('theirs'), theirs_has_mine: canonical(otherDoc).includes('only-mine') })
  other.destroy()

  // Bad and missing tokens: the upgrade is accepted and closed with 4401, and y-websocket stops retrying.
  const closeCode = (provider) => new Promise(resolve => provider.on('connection-close', (event) => resolve(event?.code)))
  const bad = yws(http, 'not-a-token', new Y.Doc())
  const missing = yws(http, undefined, new Y.Doc())
  const [badCode, missingCode] = await Promise.all([closeCode(bad), closeCode(missing)])
  const hBad = hocus(http, 'not-a-token', new Y.Doc())
  let denied = false
  hBad.on('authenticationFailed', () => { denied = true })
  const hBadCode = await new Promise(resolve => hBad.on('close', ({ event }) => resolve(event?.code)))
  report({ check: 'tokens', bad: badCode, missing: missingCode, hocuspocus_bad: hBadCode, hocuspocus_denied: denied })
  bad.destroy(); missing.destroy(); hBad.destroy()

  // Hostile bytes on one raw socket: each is closed with 4400 and the providers go on working.
  const hostile = async (bytes) => {
    const ws = new WebSocket(`${wsBase(http)}/yjs/${note}?token=${args.token}`)
    ws.binaryType = 'arraybuffer'
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject) })
    ws.send(Buffer.from(bytes))
    return await new Promise(resolve => ws.on('close', (code) => resolve(code)))
  }
  const garbage = await hostile([0xde, 0xad, 0xbe, 0xef, 0x13, 0x37])
  const truncated = await hostile([0, 2, 50, 1, 2, 3])
  const hugeLength = await hostile([0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
  const badUpdate = await hostile([0, 2, 4, 0xff, 0xff, 0xff, 0x7f])
  paragraph(docs[1], 2).insert(0, 'after-hostile ')
  await waitFor('still live after hostile sockets', () => paragraph(docs[2], 2).toString().startsWith('after-hostile'))
  report({ check: 'hostile', garbage, truncated, huge_length: hugeLength, bad_update: badUpdate })

  // Hocuspocus acknowledges stored updates: the unsynced count drains.
  paragraph(docs[2], 0).insert(0, 'hocus ')
  await waitFor('hocuspocus acknowledged', () => !h.hasUnsyncedChanges)
  report({ check: 'hocuspocus_ack' })

  a2.destroy(); h.destroy()
  report({ done: true })
  process.exit(0)
} catch (e) {
  report({ error: String(e?.stack ?? e) })
  process.exit(1)
}
