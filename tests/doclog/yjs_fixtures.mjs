// Print Yjs v1 updates made by stock Yjs (frontend/node_modules) as JSON, for
// tests/doclog/test_yupdate.py: each case is the list of updates one document
// emitted, in order, and the state vector Yjs ends with.
//
//   node tests/doclog/yjs_fixtures.mjs > fixtures.json
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../frontend/package.json', import.meta.url))
const Y = require('yjs')

const hex = (bytes) => Buffer.from(bytes).toString('hex')

/** Run `edit` on a fresh doc and return every update it emitted. */
function record (clientID, edit) {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const updates = []
  doc.on('update', (update) => updates.push(update))
  edit(doc)
  return { doc, updates }
}

function formattedText (doc) {
  const text = doc.getText('t')
  text.insert(0, 'Hello world, 😀 and ñ.')
  text.format(0, 5, { bold: true })
  text.format(6, 5, { link: { href: 'https://example.org', title: 'x' } })
  text.insert(5, ' there', { italic: true })
  text.insertEmbed(3, { image: 'a.png', size: [1, 2] })
  text.delete(1, 2)
  text.format(0, 3, { bold: null })
}

function xmlTree (doc) {
  const frag = doc.getXmlFragment('prosemirror')
  const para = new Y.XmlElement('paragraph')
  para.setAttribute('align', 'left')
  const text = new Y.XmlText()
  para.insert(0, [text])
  const list = new Y.XmlElement('bullet_list')
  const item = new Y.XmlElement('list_item')
  list.insert(0, [item])
  item.insert(0, [new Y.XmlElement('paragraph')])
  frag.insert(0, [para, list])
  text.insert(0, 'Needs support with reading.')
  text.format(0, 5, { strong: {} })
  text.insertEmbed(2, { mention: 'SENCO' })
  for (const align of ['right', 'centre', 'right']) para.setAttribute('align', align)
  doc.transact(() => {
    text.delete(0, 3)
    frag.delete(1, 1)
  })
}

function everyAny (doc) {
  const map = doc.getMap('m')
  map.set('undefined', undefined)
  map.set('null', null)
  map.set('int', -5)
  map.set('float32', 0.5)
  map.set('float64', 0.1)
  map.set('large', 2 ** 40)
  map.set('bigint', 2n ** 60n)
  map.set('false', false)
  map.set('true', true)
  map.set('string', 'a 😀 string')
  map.set('object', { a: 1, b: [true, null], c: { d: 'e' } })
  map.set('array', [1, 'two', [3, [4]], { five: 5 }])
  map.set('bytes', new Uint8Array([1, 2, 3]))
  map.set('nested bytes', { raw: new Uint8Array([4, 5]) })
  map.set('nested map', new Y.Map())
  map.set('int', 6) // overwrite: deletes the old entry
  for (let i = 0; i < 4; i++) map.set('counter', i) // deleted entries merge
  const array = doc.getArray('a')
  array.insert(0, [1, 2, 3, 'x', { y: 1 }, new Uint8Array([9])])
  array.delete(1, 2)
}

function deletes (doc) {
  const text = doc.getText('t')
  for (let i = 0; i < 30; i++) text.insert(i, String.fromCharCode(97 + (i % 26)))
  text.delete(2, 5)
  text.delete(10, 3)
  text.delete(0, 1)
}

function cases () {
  const out = []
  for (const [name, clientID, edit] of [
    ['formatted text', 101, formattedText],
    ['xml tree', 102, xmlTree],
    ['every Any type', 103, everyAny],
    ['deletes', 104, deletes]
  ]) {
    const { doc, updates } = record(clientID, edit)
    out.push({
      name,
      updates: updates.map(hex),
      full: hex(Y.encodeStateAsUpdate(doc)),
      state: hex(Y.encodeStateVector(doc))
    })
  }
  out.push(twoClients())
  out.push(mergedWithSkip())
  return out
}

/** Two clients editing the same text, each update in the order a server sees. */
function twoClients () {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.clientID = 201
  b.clientID = 202
  const updates = []
  a.on('update', (u, origin) => { if (origin !== 'b') { updates.push(u); Y.applyUpdate(b, u, 'a') } })
  b.on('update', (u, origin) => { if (origin !== 'a') updates.push(u) })
  a.getText('t').insert(0, 'from a. ')
  b.getText('t').insert(3, 'from b inside ')
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), 'b')
  a.getText('t').delete(0, 2)
  return {
    name: 'two clients',
    updates: updates.map(hex),
    full: hex(Y.encodeStateAsUpdate(a)),
    state: hex(Y.encodeStateVector(a))
  }
}

/** mergeUpdates of the first and third update writes a Skip for the second. */
function mergedWithSkip () {
  const { doc, updates } = record(301, (doc) => {
    const text = doc.getText('t')
    text.insert(0, 'one ')
    text.insert(4, 'two ')
    text.insert(8, 'three')
  })
  return {
    name: 'merged with skip',
    updates: updates.map(hex),
    merged: hex(Y.mergeUpdates([updates[0], updates[2]])),
    full: hex(Y.encodeStateAsUpdate(doc)),
    state: hex(Y.encodeStateVector(doc))
  }
}

/** Updates the validator refuses on purpose, with why. */
function refused () {
  const hook = record(401, (doc) => {
    doc.getXmlFragment('x').insert(0, [new Y.XmlHook('hook')])
  })
  const sub = record(402, (doc) => {
    doc.getMap('m').set('sub', new Y.Doc({ guid: 'sub-guid' }))
  })
  return [
    { name: 'xml hook', update: hex(hook.updates[0]) },
    { name: 'subdocument', update: hex(sub.updates[0]) }
  ]
}

process.stdout.write(JSON.stringify({ accepted: cases(), refused: refused() }))
