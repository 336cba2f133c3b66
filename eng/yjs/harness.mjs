// Long-lived yjs oracle for the CRDT interop tests. Reads one JSON command per line on stdin and writes one
// JSON line per command on stdout: {"ok":true,"result":...} or {"ok":false,"error":"..."}.
// Commands:
//   {"cmd":"script","steps":[...]}   run a scenario script (see runScript) and return its results
//   {"cmd":"load","update":b64,"roots":[[kind,name],...]}  apply an update to a fresh doc, return its state
//   {"cmd":"merge","updates":[b64]} / {"cmd":"diff","update":b64,"sv":b64} / {"cmd":"sv","update":b64}
import * as Y from 'yjs'
import readline from 'node:readline'

const b64 = (u8) => Buffer.from(u8).toString('base64')
const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))

const sortKeys = (obj) => {
  const out = {}
  for (const k of Object.keys(obj).sort()) out[k] = obj[k]
  return out
}

// Canonical, type-tagged view of a value, identical to what the C# tests produce.
const ser = (v) => {
  if (v instanceof Y.Text) {
    return { $text: v.toDelta().map(op => {
      const o = { insert: typeof op.insert === 'string' ? op.insert : ser(op.insert) }
      if (op.attributes) o.attributes = ser(op.attributes)
      return o
    }) }
  }
  if (v instanceof Y.Map) {
    const o = {}
    for (const k of Array.from(v.keys()).sort()) o[k] = ser(v.get(k))
    return { $map: o }
  }
  if (v instanceof Y.Array) return { $array: v.toArray().map(ser) }
  if (v instanceof Y.AbstractType) return { $other: v.constructor.name }
  if (v instanceof Uint8Array) return { $bin: b64(v) }
  if (v === undefined) return { $undef: true }
  if (typeof v === 'bigint') return { $bigint: v.toString() }
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(ser)
  const o = {}
  for (const k of Object.keys(v).sort()) o[k] = ser(v[k])
  return o
}

const deser = (v) => {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(deser)
  if (v.$t === 'text') return new Y.Text()
  if (v.$t === 'map') return new Y.Map()
  if (v.$t === 'array') return new Y.Array()
  if (v.$bin !== undefined) return unb64(v.$bin)
  if (v.$undef) return undefined
  const o = {}
  for (const k of Object.keys(v)) o[k] = deser(v[k])
  return o
}

const serOp = (op) => {
  const o = {}
  if (op.insert !== undefined) o.insert = typeof op.insert === 'string' ? op.insert : Array.isArray(op.insert) ? op.insert.map(ser) : ser(op.insert)
  if (op.retain !== undefined) o.retain = op.retain
  if (op.delete !== undefined) o.delete = op.delete
  if (op.attributes) o.attributes = ser(op.attributes)
  return o
}

// An observeDeep event as the C# tests serialize it: path, delta and changed keys.
const serEvent = (e) => {
  const keys = {}
  for (const k of Array.from(e.keys.keys()).sort()) {
    const change = e.keys.get(k)
    keys[k] = change.action === 'add' ? { action: 'add' } : { action: change.action, oldValue: ser(change.oldValue) }
  }
  return { path: e.path, delta: e.delta.map(serOp), keys }
}

const root = (doc, kind, name) => kind === 'text' ? doc.getText(name) : kind === 'map' ? doc.getMap(name) : doc.getArray(name)

const resolve = (doc, path) => {
  let t = root(doc, path[0], path[1])
  for (let i = 2; i < path.length; i++) {
    const step = path[i]
    t = typeof step === 'number' ? t.get(step) : t.get(step)
    if (t == null) throw new Error('bad path ' + JSON.stringify(path))
  }
  return t
}

const attrsOf = (a) => a == null ? undefined : deser(a)

const runAction = (doc, a) => {
  const [op, path] = a
  const t = resolve(doc, path)
  switch (op) {
    case 'ti': t.insert(a[2], a[3], attrsOf(a[4])); break
    case 'td': t.delete(a[2], a[3]); break
    case 'tf': t.format(a[2], a[3], deser(a[4])); break
    case 'te': t.insertEmbed(a[2], deser(a[3]), attrsOf(a[4])); break
    case 'ms': t.set(a[2], deser(a[3])); break
    case 'md': t.delete(a[2]); break
    case 'ai': t.insert(a[2], a[3].map(deser)); break
    case 'ap': t.push(a[2].map(deser)); break
    case 'ad': t.delete(a[2], a[3]); break
    case 'ag': t.get(a[2]); break
    default: throw new Error('unknown action ' + op)
  }
}

const dsOf = (doc) => {
  const ds = Y.createDeleteSetFromStructStore(doc.store)
  const out = []
  for (const c of Array.from(ds.clients.keys()).sort((a, b) => b - a)) {
    for (const d of ds.clients.get(c)) out.push([c, d.clock, d.len])
  }
  return out
}

const stateOf = (doc, roots) => {
  const content = {}
  for (const [kind, name] of roots) content[kind + ':' + name] = ser(root(doc, kind, name))
  return {
    content: JSON.stringify(content),
    sv: b64(Y.encodeStateVector(doc)),
    ds: JSON.stringify(dsOf(doc)),
    pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null
  }
}

// A script is a list of steps; each step yields one result. Bytes are referred to as [stepIndex, itemIndex]
// into earlier results that are lists of base64 updates, so both implementations feed themselves their own bytes.
const runScript = (steps) => {
  const docs = []
  const events = []
  const observed = []
  const results = []
  const ref = ([s, i]) => unb64(results[s][i])
  for (const step of steps) {
    const captured = () => { const e = events.splice(0); return e }
    switch (step.do) {
      case 'new': {
        const doc = new Y.Doc({ gc: step.gc })
        doc.clientID = step.client
        const idx = docs.length
        doc.on('update', (u) => { if (events.target === idx) events.push(b64(u)) })
        if (step.observe) {
          for (const [kind, name] of step.observe) {
            root(doc, kind, name).observeDeep((evs) => { observed.push([idx, kind + ':' + name, evs.map(serEvent)]) })
          }
        }
        docs.push(doc)
        results.push(idx)
        break
      }
      case 'txn': {
        events.target = step.doc
        docs[step.doc].transact(() => { for (const a of step.actions) runAction(docs[step.doc], a) })
        results.push(captured())
        break
      }
      case 'sync': {
        const from = docs[step.from]; const to = docs[step.to]
        const u = Y.encodeStateAsUpdate(from, Y.encodeStateVector(to))
        events.target = step.to
        Y.applyUpdate(to, u)
        results.push([b64(u), ...captured()])
        break
      }
      case 'apply': {
        events.target = step.doc
        Y.applyUpdate(docs[step.doc], ref(step.ref))
        results.push(captured())
        break
      }
      case 'encode': {
        const sv = step.svOf === undefined ? undefined : Y.encodeStateVector(docs[step.svOf])
        results.push([b64(Y.encodeStateAsUpdate(docs[step.doc], sv))])
        break
      }
      case 'encodeV2': {
        const sv = step.svOf === undefined ? undefined : Y.encodeStateVector(docs[step.svOf])
        results.push([b64(Y.encodeStateAsUpdateV2(docs[step.doc], sv))])
        break
      }
      case 'state': results.push(stateOf(docs[step.doc], step.roots)); break
      case 'merge': results.push([b64(Y.mergeUpdates(step.refs.map(ref)))]); break
      case 'diff': results.push([b64(Y.diffUpdate(ref(step.ref), Y.encodeStateVector(docs[step.svOf])))]); break
      case 'svFromUpdate': results.push([b64(Y.encodeStateVectorFromUpdate(ref(step.ref)))]); break
      case 'dump': {
        const t = resolve(docs[step.doc], step.path)
        const items = []
        for (let n = t._start; n !== null; n = n.right) {
          items.push([n.id.client, n.id.clock, n.length, n.deleted ? 1 : 0, n.content.constructor.name, n.content.str ?? null, n.marker ? 1 : 0])
        }
        const markers = t._searchMarker === null ? null : t._searchMarker.map(m => [m.p.id.client, m.p.id.clock, m.index])
        results.push({ items, markers })
        break
      }
      case 'events': results.push(observed.splice(0)); break
      case 'sv': results.push([b64(Y.encodeStateVector(docs[step.doc]))]); break
      default: throw new Error('unknown step ' + step.do)
    }
  }
  return results
}

// Updates holding the content kinds random sessions do not produce: subdocuments, XML types, binary,
// BigInt, undefined, -0, float32/float64 numbers, object-valued formats, nested embeds.
const specialContent = () => {
  const out = []
  const make = (f) => {
    const doc = new Y.Doc()
    doc.clientID = 42
    f(doc)
    out.push(b64(Y.encodeStateAsUpdate(doc)))
  }
  make(doc => doc.getMap('m').set('sub', new Y.Doc({ guid: 'sub-guid-1', meta: { title: 'x' } })))
  make(doc => doc.getArray('a').insert(0, [new Y.Doc({ guid: 'sub-guid-2' })]))
  make(doc => {
    const frag = doc.getXmlFragment('xml')
    const el = new Y.XmlElement('p')
    frag.insert(0, [el, new Y.XmlText('tail'), new Y.XmlHook('hook-name')])
    el.setAttribute('class', 'lead')
    el.insert(0, [new Y.XmlText('hello')])
  })
  make(doc => {
    const m = doc.getMap('m')
    m.set('bin', new Uint8Array([0, 1, 254, 255]))
    m.set('big', 123456789012345n)
    m.set('undef', undefined)
    m.set('negzero', -0)
    m.set('f32', 0.5)
    m.set('f64', 0.1)
    m.set('large', 2 ** 40 + 1)
    m.set('nested', { b: [1, { c: null }], a: 'x', 10: 'ten', 2: 'two' })
  })
  make(doc => {
    const t = doc.getText('t')
    t.insert(0, 'abc', { link: { href: 'https://example.com', title: 'Ex' } })
    t.insertEmbed(1, { image: { src: 'a.png', size: [10, 20] } }, { width: 100 })
    t.format(0, 2, { link: null, bold: true })
  })
  make(doc => {
    const a = doc.getArray('a')
    a.insert(0, [1, 2, 3])
    a.delete(1, 1)
    const t = new Y.Text()
    a.insert(0, [t])
    t.insert(0, 'x')
    a.delete(0, 1)
  })
  return out
}

// Relative positions: loads `update`, creates positions at [path, index, assoc] (bytes and JSON), then applies
// `then` and resolves the created positions and the given `positions` (base64 encodings) with and without
// following undone deletions. A resolved position names its type as 'root:NAME' or 'CLIENT:CLOCK'.
const typeLabel = (doc, type) => {
  if (type._item === null) return 'root:' + Y.findRootTypeKey(type)
  return type._item.id.client + ':' + type._item.id.clock
}
const relativePositions = (msg) => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, unb64(msg.update))
  const created = msg.create.map(([path, index, assoc]) => {
    const rpos = Y.createRelativePositionFromTypeIndex(resolve(doc, path), index, assoc)
    return { bytes: b64(Y.encodeRelativePosition(rpos)), json: JSON.stringify(Y.relativePositionToJSON(rpos)) }
  })
  if (msg.then) Y.applyUpdate(doc, unb64(msg.then))
  const resolveOne = (rpos) => {
    const abs = Y.createAbsolutePositionFromRelativePosition(rpos, doc, false)
    return abs === null ? null : [typeLabel(doc, abs.type), abs.index, abs.assoc]
  }
  const fromJson = (json) => Y.createRelativePositionFromJSON(JSON.parse(json))
  return {
    created,
    resolved: created.map(c => resolveOne(Y.decodeRelativePosition(unb64(c.bytes)))),
    resolvedJson: created.map(c => resolveOne(fromJson(c.json))),
    given: (msg.positions ?? []).map(p => resolveOne(Y.decodeRelativePosition(unb64(p))))
  }
}

// Undo sessions: docs with an UndoManager each (scope, capture timeout, tracked origins), local transactions
// with an origin, syncs, undo/redo/stopCapturing/clear. After every step: each doc's content and full update,
// the stack sizes, and the stack events since the last step (a step's meta.n numbers it when it is added).
const undoSession = (steps) => {
  const docs = []
  const ums = []
  const log = []
  let counter = 0
  const out = []
  for (const step of steps) {
    let ret = null
    switch (step.do) {
      case 'new': {
        const doc = new Y.Doc({ gc: step.gc })
        doc.clientID = step.client
        for (const [kind, name] of step.roots) root(doc, kind, name)
        docs.push(doc)
        const scope = step.scope === 'doc' ? doc : step.scope.map(([kind, name]) => root(doc, kind, name))
        const um = new Y.UndoManager(scope, { captureTimeout: step.timeout, trackedOrigins: new Set(step.origins) })
        const idx = docs.length - 1
        um.on('stack-item-added', (e) => { e.stackItem.meta.set('n', counter++); log.push(`${idx} added ${e.type} ${e.stackItem.meta.get('n')} ${e.origin === um ? 'um' : e.origin}`) })
        um.on('stack-item-updated', (e) => { log.push(`${idx} updated ${e.type} ${e.stackItem.meta.get('n')} ${e.origin === um ? 'um' : e.origin}`) })
        um.on('stack-item-popped', (e) => { log.push(`${idx} popped ${e.type} ${e.stackItem.meta.get('n')}`) })
        um.on('stack-cleared', (e) => { log.push(`${idx} cleared ${e.undoStackCleared} ${e.redoStackCleared}`) })
        ums.push(um)
        break
      }
      case 'txn': docs[step.doc].transact(() => { for (const a of step.actions) runAction(docs[step.doc], a) }, step.origin); break
      case 'sync': Y.applyUpdate(docs[step.to], Y.encodeStateAsUpdate(docs[step.from], Y.encodeStateVector(docs[step.to])), 'remote'); break
      case 'undo': ret = ums[step.doc].undo() !== null; break
      case 'redo': ret = ums[step.doc].redo() !== null; break
      case 'stop': ums[step.doc].stopCapturing(); break
      case 'clear': ums[step.doc].clear(step.undo, step.redo); break
      default: throw new Error('unknown step ' + step.do)
    }
    out.push({
      ret,
      docs: docs.map((d, i) => {
        const content = {}
        for (const [kind, name] of steps[0].roots) content[kind + ':' + name] = ser(root(d, kind, name))
        return { content: JSON.stringify(content), update: b64(Y.encodeStateAsUpdate(d)), stacks: [ums[i].undoStack.length, ums[i].redoStack.length] }
      }),
      events: log.splice(0)
    })
  }
  return out
}

// V2 format: for each V1 update, its V2 conversion and back, and the V2 state of a doc loaded from it (whole,
// and against the state vector `sv` when given).
const v2Of = (msg) => msg.updates.map((u) => {
  const v1 = unb64(u)
  const v2 = Y.convertUpdateFormatV1ToV2(v1)
  const doc = new Y.Doc()
  Y.applyUpdate(doc, v1)
  const docV2 = new Y.Doc()
  Y.applyUpdateV2(docV2, v2)
  return {
    v2: b64(v2),
    back: b64(Y.convertUpdateFormatV2ToV1(v2)),
    state: b64(Y.encodeStateAsUpdateV2(doc)),
    stateSv: msg.sv ? b64(Y.encodeStateAsUpdateV2(doc, unb64(msg.sv))) : null,
    appliedV1: b64(Y.encodeStateAsUpdate(docV2))
  }
})

// Snapshots: `updates` are a gc-free document's full updates at several moments, the last one the latest.
// For each: the encoded snapshot (V1 and V2) of a doc loaded from it; then, from a gc-free doc loaded from the
// latest update, the doc rebuilt at each given snapshot (`snapshots`, V1 bytes): its content and full update;
// and equalSnapshots between every pair of the given snapshots.
const snapshots = (msg) => {
  const encoded = msg.updates.map((u) => {
    const doc = new Y.Doc({ gc: false })
    Y.applyUpdate(doc, unb64(u))
    const snap = Y.snapshot(doc)
    return { v1: b64(Y.encodeSnapshot(snap)), v2: b64(Y.encodeSnapshotV2(snap)) }
  })
  const origin = new Y.Doc({ gc: false })
  Y.applyUpdate(origin, unb64(msg.updates[msg.updates.length - 1]))
  const given = msg.snapshots.map(s => Y.decodeSnapshot(unb64(s)))
  const rebuilt = given.map((snap) => {
    const doc = Y.createDocFromSnapshot(origin, snap)
    const content = {}
    for (const [kind, name] of msg.roots) content[kind + ':' + name] = ser(root(doc, kind, name))
    return { content: JSON.stringify(content), update: b64(Y.encodeStateAsUpdate(doc)) }
  })
  const equal = given.map(a => given.map(b => Y.equalSnapshots(a, b)))
  return { encoded, rebuilt, equal, originAfter: b64(Y.encodeStateAsUpdate(origin)) }
}

const handle = (msg) => {
  switch (msg.cmd) {
    case 'script': return runScript(msg.steps)
    case 'load': {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, unb64(msg.update))
      return stateOf(doc, msg.roots)
    }
    case 'merge': return b64(Y.mergeUpdates(msg.updates.map(unb64)))
    case 'diff': return b64(Y.diffUpdate(unb64(msg.update), unb64(msg.sv)))
    case 'sv': return b64(Y.encodeStateVectorFromUpdate(unb64(msg.update)))
    case 'ping': return 'pong'
    case 'relpos': return relativePositions(msg)
    case 'undo': return undoSession(msg.steps)
    case 'v2': return v2Of(msg)
    case 'snapshots': return snapshots(msg)
    case 'specialContent': return specialContent()
    default: throw new Error('unknown command ' + msg.cmd)
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  let out
  try {
    out = { ok: true, result: handle(JSON.parse(line)) }
  } catch (e) {
    out = { ok: false, error: String(e && e.stack ? e.stack : e) }
  }
  process.stdout.write(JSON.stringify(out) + '\n')
})
