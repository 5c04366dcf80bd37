// Apply fuzz cases to stock Yjs (frontend/node_modules), the way a browser
// would load a document: one JSON case per stdin line, {"base": [hex...],
// "update": hex}; one JSON result per line, {"ok": state vector hex} or
// {"error": "..."}. After applying, the document is re-encoded and reloaded,
// and every item is deleted, so content that only fails later shows up too.
import { createRequire } from 'node:module'
import readline from 'node:readline'

const require = createRequire(new URL('../../frontend/package.json', import.meta.url))
const Y = require('yjs')

const bytes = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'))
const hex = (data) => Buffer.from(data).toString('hex')

/** Run one case; `stage` names the step in progress, for the error message. */
function run ({ base, update }, stage) {
  const doc = new Y.Doc()
  stage.name = 'base'
  for (const part of base) Y.applyUpdate(doc, bytes(part))
  stage.name = 'apply'
  Y.applyUpdate(doc, bytes(update))
  const state = hex(Y.encodeStateVector(doc))
  stage.name = 'reload'
  Y.applyUpdate(new Y.Doc(), Y.encodeStateAsUpdate(doc))
  stage.name = 'delete all'
  Y.transact(doc, (tr) => {
    for (const structs of doc.store.clients.values()) {
      for (const struct of structs) {
        if (struct instanceof Y.Item && !struct.deleted) struct.delete(tr)
      }
    }
  })
  return { ok: state }
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  const stage = { name: '' }
  let result
  try {
    result = run(JSON.parse(line), stage)
  } catch (error) {
    const text = `${stage.name}: ${error.constructor.name}: ${error.message}`
    result = { error: text.slice(0, 300) }
  }
  console.log(JSON.stringify(result))
}
