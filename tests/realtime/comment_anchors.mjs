// Makes and resolves comment anchors with the browser's own code
// (frontend/src/anchors.js) and stock Yjs, for tests/realtime/test_comment_anchors.py.
//
//   node comment_anchors.mjs < {"update": base64 Yjs update, "quote": "...",
//                               "occurrence": 0}
//     -> {"start": base64, "end": base64}   anchors for that passage
//   node comment_anchors.mjs < {"update": ..., "locate": [{"start", "end"}, ...]}
//     -> [{"gone": bool, "from", "to", "text"}, ...]
import { readFileSync } from 'node:fs'
import * as Y from '../../frontend/node_modules/yjs/dist/yjs.mjs'
import { anchorsForRange, locatePassage, plainText } from '../../frontend/src/anchors.js'

const input = JSON.parse(readFileSync(0, 'utf8'))
const ydoc = new Y.Doc()
Y.applyUpdate(ydoc, new Uint8Array(Buffer.from(input.update, 'base64')))
const fragment = ydoc.getXmlFragment('body')
let answer
if (input.locate) {
  answer = input.locate.map((anchors) => locatePassage(ydoc, fragment, anchors))
} else {
  const text = plainText(fragment)
  let from = -1
  for (let i = 0; i <= (input.occurrence || 0); i++) from = text.indexOf(input.quote, from + 1)
  if (from < 0) throw new Error(`not in the document: ${input.quote}`)
  answer = anchorsForRange(fragment, from, from + input.quote.length)
}
process.stdout.write(JSON.stringify(answer))
