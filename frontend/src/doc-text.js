// Plain text of a ProseMirror document and finding words in it, for the
// Check panel and the browser tests. No DOM.

/** The document's text, blocks (and hard breaks) joined by "\n". */
export function docText (doc) {
  return doc.textBetween(0, doc.content.size, '\n', (node) => (node.type.name === 'hard_break' ? '\n' : ''))
}

/**
 * Every place `needle` occurs inside one textblock, in document order, as
 * ProseMirror ranges {from, to}. Inline leaves (hard breaks) never match.
 */
export function findAll (doc, needle) {
  const found = []
  if (!needle) return found
  doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    let text = ''
    node.forEach((child) => { text += child.isText ? child.text : '\ufffc'.repeat(child.nodeSize) })
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      found.push({ from: pos + 1 + at, to: pos + 1 + at + needle.length })
    }
    return false
  })
  return found
}

/** The `occurrence`-th place `needle` occurs (the first if there are fewer), or null. */
export function findOccurrence (doc, needle, occurrence = 0) {
  const found = findAll(doc, needle)
  return found[occurrence] || found[0] || null
}

/** How many times `needle` occurs in `text` before UTF-16 offset `end`. */
export function countBefore (text, needle, end) {
  let n = 0
  if (!needle) return n
  for (let at = text.indexOf(needle); at >= 0 && at < end; at = text.indexOf(needle, at + 1)) n++
  return n
}
