// The .NET SDK on the live sockets (DESIGN 3.8), with unmodified npm clients: two y-websocket 3.1.0 providers, a
// @hocuspocus/provider 4.8.0 provider and a REST client share one BlockSuite-shaped note with a .NET SDK device
// that the Client tests drive (test/FrameLord.Sync.Client.Tests, SyncScenarioTests.LiveInterop.cs). Everybody types
// at once; one provider, and the SDK device, also edit while disconnected; all must converge. Awareness: the SDK
// sees a provider's state, and the providers see the SDK's state come and go.
//
//   node live-sdk-scenario.mjs --url http://host:port --token T --note ID
//
// Prints one JSON line per step ("page", "converged" with the content, "sdk_awareness_seen",
// "sdk_awareness_removed"), then {"done":true}. A failed wait prints {"error": "..."} and exits 1.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { HocuspocusProvider } from '@hocuspocus/provider'
import WebSocket from 'ws'
import { canonical, restSync, waitFor, paragraph, buildPage, report } from './live-common.mjs'

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []))
const http = args.url.replace(/\/$/, '')
const ws = http.replace(/^http/, 'ws') + '/api/v1'
const note = args.note
const token = args.token

try {
  const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
  const a1 = new WebsocketProvider(ws + '/yjs', note, docs[0], { WebSocketPolyfill: WebSocket, params: { token }, disableBc: true })
  const a2 = new WebsocketProvider(ws + '/yjs', note, docs[1], { WebSocketPolyfill: WebSocket, params: { token }, disableBc: true })
  const h = new HocuspocusProvider({ url: ws + '/hocuspocus', WebSocketPolyfill: WebSocket, name: note, document: docs[2], token })
  await waitFor('providers synced', () => a1.synced && a2.synced && h.synced)
  buildPage(docs[0], 'page', 3)
  await waitFor('page everywhere', () => docs.every(d => paragraph(d, 2) !== undefined))
  const rest = new Y.Doc()
  await restSync(http, token, note, rest)
  report({ check: 'page' })

  // The SDK types from now on too (it waits for the page): concurrent edits in every paragraph.
  for (let i = 0; i < 30; i++) {
    docs.forEach((d, k) => paragraph(d, i % 3).insert(0, `${'abc'[k]}${i} `))
    paragraph(rest, (i + 1) % 3).insert(0, `r${i} `)
    if (i % 5 === 4) await restSync(http, token, note, rest)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  await restSync(http, token, note, rest)

  // One provider edits while disconnected.
  a2.disconnect()
  paragraph(docs[1], 0).insert(0, 'offline-edit ')
  await new Promise(resolve => setTimeout(resolve, 200))
  a2.connect()
  await waitFor('reconnected', () => a2.synced)

  // Everybody has everything: the SDK's last mark (after its own offline edit) and all of ours.
  await waitFor('live clients converge with the SDK', () => {
    const c = docs.map(canonical)
    return c[0] === c[1] && c[1] === c[2] && c[0].includes('sdk-done') && c[0].includes('sdk-offline') &&
      c[0].includes('offline-edit') && c[0].includes('r29 ') && c[0].includes('d29 ')
  }, 60000)
  await restSync(http, token, note, rest)
  const content = canonical(docs[0])
  report({ check: 'converged', same: canonical(rest) === content, content: JSON.parse(content) })

  // Awareness both ways: the SDK sees a1's state, then sets its own, which a2 and the Hocuspocus provider see,
  // and which goes when the SDK closes its note.
  a1.awareness.setLocalStateField('user', { name: 'a1' })
  const sdkClient = (provider) => [...provider.awareness.getStates().entries()].find(([, s]) => s?.user?.name === 'sdk')?.[0]
  await waitFor('the SDK state seen', () => sdkClient(a2) !== undefined && sdkClient(h) !== undefined, 60000)
  const sdk = sdkClient(a2)
  report({ check: 'sdk_awareness_seen', cursor: a2.awareness.getStates().get(sdk)?.cursor ?? null })
  await waitFor('the SDK state removed', () => !a2.awareness.getStates().has(sdk) && !h.awareness.getStates().has(sdk), 60000)
  report({ check: 'sdk_awareness_removed' })

  a1.destroy(); a2.destroy(); h.destroy()
  report({ done: true })
  process.exit(0)
} catch (e) {
  report({ error: String(e?.stack ?? e) })
  process.exit(1)
}
