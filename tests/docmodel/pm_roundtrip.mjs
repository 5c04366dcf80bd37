// y-prosemirror and the editor's own serializer, for tests/docmodel: reads
// JSON lines {"update": base64 Yjs update}, and for each prints
// {"markdown": what frontend/src/to-markdown.js writes for the body as
// y-prosemirror reads it, "update": base64 of the same ProseMirror document
// written back into a fresh Y.Doc by y-prosemirror}, or {"error": ...}.
import { createInterface } from 'node:readline'
import * as Y from '../../frontend/node_modules/yjs/dist/yjs.mjs'
import { prosemirrorToYDoc, yXmlFragmentToProseMirrorRootNode } from '../../frontend/node_modules/y-prosemirror/src/lib.js'
import { schema, FRAGMENT_NAME } from '../../frontend/src/schema.js'
import { toMarkdown } from '../../frontend/src/to-markdown.js'

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (!line.trim()) continue
  try {
    const ydoc = new Y.Doc()
    Y.applyUpdate(ydoc, Buffer.from(JSON.parse(line).update, 'base64'))
    const node = yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment(FRAGMENT_NAME), schema)
    node.check()
    const again = prosemirrorToYDoc(node, FRAGMENT_NAME)
    console.log(JSON.stringify({
      markdown: toMarkdown(node),
      update: Buffer.from(Y.encodeStateAsUpdate(again)).toString('base64')
    }))
  } catch (err) {
    console.log(JSON.stringify({ error: String(err && err.stack || err) }))
  }
}
