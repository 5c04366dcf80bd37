// Where a comment's passage is: two Yjs relative positions, base64-encoded.
//
// A relative position names an item of the shared document, not an offset,
// so it stays on the same words while others type before or inside the
// passage. The server keeps the encoded bytes as they are; clients resolve
// them against the live document. Positions inside text are made on the
// Y.XmlText itself (Y.createRelativePositionFromTypeIndex), as y-prosemirror's
// absolutePositionToRelativePosition does for the editor's selection, so
// anchors made in the editor and here (tests, tools) are the same kind.
//
// "Text offsets" here count the characters of every Y.XmlText in document
// order with one "\n" between them (a paragraph break): no DOM, no ProseMirror.
import * as Y from 'yjs'

/** Bytes to base64 and back (browser and Node). */
export function toBase64 (bytes) {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}

export function fromBase64 (text) {
  const raw = atob(text)
  const bytes = new Uint8Array(raw.length)
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  return bytes
}

/** Encode a Y.RelativePosition as the server stores it. */
export function encodeAnchor (relative) {
  return toBase64(Y.encodeRelativePosition(relative))
}

/** A stored anchor back to a Y.RelativePosition, or null if it is not one. */
export function decodeAnchor (text) {
  try {
    return Y.decodeRelativePosition(fromBase64(text))
  } catch (err) {
    return null
  }
}

/** Every Y.XmlText under `type`, in document order. */
export function textNodes (type, found = []) {
  for (const child of type.toArray()) {
    if (child instanceof Y.XmlText) found.push(child)
    else if (child instanceof Y.XmlElement) textNodes(child, found)
  }
  return found
}

/** The fragment's text: each Y.XmlText's characters, "\n" between them. */
export function plainText (fragment) {
  return textNodes(fragment).map((t) => t.toDelta().map((d) => (typeof d.insert === 'string' ? d.insert : '\ufffc')).join('')).join('\n')
}

/** A relative position at a text offset (the end of a text sticks to it). */
export function anchorAtOffset (fragment, offset) {
  let start = 0
  for (const text of textNodes(fragment)) {
    if (offset <= start + text.length) return Y.createRelativePositionFromTypeIndex(text, Math.max(0, offset - start))
    start += text.length + 1
  }
  return Y.createRelativePositionFromTypeIndex(fragment, fragment.length)
}

/** Anchors {start, end} (base64) for text offsets [from, to). */
export function anchorsForRange (fragment, from, to) {
  return { start: encodeAnchor(anchorAtOffset(fragment, from)), end: encodeAnchor(anchorAtOffset(fragment, to)) }
}

// Whether an item, or any type above it, has been deleted.
function isGone (type) {
  for (let item = type._item; item; item = item.parent._item) if (item.deleted) return true
  return false
}

/** An anchor's {type, index} now, or null when its words went with their paragraph. */
export function resolveAnchor (ydoc, text) {
  const relative = decodeAnchor(text)
  const absolute = relative && Y.createAbsolutePositionFromRelativePosition(relative, ydoc)
  if (!absolute || isGone(absolute.type)) return null
  return absolute
}

/** The text offset of a resolved anchor. */
export function offsetOf (fragment, absolute) {
  let start = 0
  for (const text of textNodes(fragment)) {
    if (text === absolute.type) return start + absolute.index
    start += text.length + 1
  }
  if (absolute.type === fragment) {
    // Between blocks: the start of the index-th block's text.
    const block = fragment.toArray()[absolute.index]
    if (!block) return start > 0 ? start - 1 : 0
    const first = block instanceof Y.XmlText ? block : textNodes(block)[0]
    return first ? offsetOf(fragment, { type: first, index: 0 }) : null
  }
  return null
}

/**
 * Where a stored passage {start, end} is now: {gone: true} when its words
 * were deleted, else {gone: false, from, to, text} in text offsets.
 */
export function locatePassage (ydoc, fragment, anchors) {
  const start = resolveAnchor(ydoc, anchors.start)
  const end = resolveAnchor(ydoc, anchors.end)
  if (!start || !end) return { gone: true }
  const from = offsetOf(fragment, start)
  const to = offsetOf(fragment, end)
  if (from === null || to === null || to <= from) return { gone: true }
  return { gone: false, from, to, text: plainText(fragment).slice(from, to) }
}
