// The size guard for ProseMirror: a change typed, pasted or dropped that
// would need more than one message to the server never enters the document
// (size-guard.js says how much fits and words the sentence).
import { Plugin } from 'prosemirror-state'
import { ySyncPluginKey } from 'y-prosemirror'
import { byteLength, oversizedInsertMessage } from './size-guard.js'

// What Yjs adds for each element or text run (its item header, parent and
// node name) and for each mark (two format items). Measured at about 20-40
// bytes each; counted generously.
export const NODE_BYTES = 64
export const MARK_BYTES = 32

/** About how many bytes the Yjs update for the content a transaction inserts takes. */
export function insertedBytes (tr) {
  let bytes = 0
  for (const step of tr.steps) {
    if (!step.slice) { bytes += MARK_BYTES; continue } // a mark step
    step.slice.content.descendants((node) => {
      bytes += NODE_BYTES + node.marks.length * MARK_BYTES
      if (node.isText) bytes += byteLength(node.text)
      // Words kept in attributes (a voice note's transcript, a picture's
      // description) travel as text too.
      for (const value of Object.values(node.attrs)) if (typeof value === 'string') bytes += byteLength(value)
    })
  }
  return bytes
}

/**
 * Refuse local changes too large for one message. `onChecked` gets the
 * sentence to show, or null when a change is let in. Remote changes (and
 * undo, which comes back through Yjs) pass untouched.
 */
export function sizeGuardPlugin (getMaxUpdateBytes, onChecked) {
  return new Plugin({
    filterTransaction (tr) {
      if (!tr.docChanged) return true
      const sync = tr.getMeta(ySyncPluginKey)
      if (sync && sync.isChangeOrigin) return true
      const event = tr.getMeta('uiEvent')
      const message = oversizedInsertMessage(insertedBytes(tr), getMaxUpdateBytes(), event === 'paste' || event === 'drop')
      onChecked(message)
      return !message
    }
  })
}
