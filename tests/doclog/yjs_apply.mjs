// Apply hex Yjs v1 updates (one per line on stdin) to one fresh stock Yjs doc,
// in order, and print one JSON line per update: {"ok": state vector hex} or
// {"error": "RangeError: ..."}. Shows what a browser does with an update.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../frontend/package.json', import.meta.url))
const Y = require('yjs')

let input = ''
for await (const chunk of process.stdin) input += chunk
const doc = new Y.Doc()
for (const line of input.split('\n').filter(Boolean)) {
  try {
    Y.applyUpdate(doc, Uint8Array.from(Buffer.from(line, 'hex')))
    const state = Buffer.from(Y.encodeStateVector(doc)).toString('hex')
    console.log(JSON.stringify({ ok: state }))
  } catch (error) {
    console.log(JSON.stringify({ error: `${error.constructor.name}: ${error.message}` }))
  }
}
