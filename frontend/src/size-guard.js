// How much text one change may add, so that it fits the server's limit on one
// update message (MAX_UPDATE_BYTES). Editor-neutral: the CodeMirror editor
// calls it from a change filter; a ProseMirror/Tiptap editor would call it
// from handlePaste or filterTransaction with the text it is about to insert.

export const DEFAULT_MAX_UPDATE_BYTES = 262144
const KB = 1024
const MB = 1024 * KB
const encoder = new TextEncoder()

/** Size of `text` in UTF-8, which is how Yjs carries it. */
export function byteLength (text) {
  return encoder.encode(text).length
}

/** "1.2 MB", "200 KB", "12 bytes": sizes as people read them. */
export function formatSize (bytes) {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`
  if (bytes >= KB) return `${Math.floor(bytes / KB)} KB`
  return `${bytes} bytes`
}

/**
 * The most text one change may add: a round figure about 80% of the server's
 * limit, leaving room for what travels with the text (Yjs item headers, the
 * frame, keystrokes merged into the same message). 256 KB gives 200 KB.
 */
export function largestInsert (maxUpdateBytes = DEFAULT_MAX_UPDATE_BYTES) {
  const step = maxUpdateBytes >= 50 * KB ? 10 * KB : KB
  return Math.max(KB, Math.floor((maxUpdateBytes * 0.8) / step) * step)
}

/**
 * Null if a change adding `bytes` of text fits, else the sentence to show.
 * @param {number} bytes UTF-8 size of the text the change adds
 * @param {number} maxUpdateBytes the server's limit
 * @param {boolean} isPaste word the message for a paste
 */
export function oversizedInsertMessage (bytes, maxUpdateBytes, isPaste = true) {
  const limit = largestInsert(maxUpdateBytes)
  if (bytes <= limit) return null
  const [what, verb] = isPaste ? ['That paste', 'Paste'] : ['That text', 'Add']
  return `${what} is too large to add at once (${formatSize(bytes)}). ${verb} it in parts of up to ${formatSize(limit)}.`
}
