// The Markdown the Check panel sends: our schema (schema.js) written in the
// same canonical form as the server's converter (portal/docmodel): `## text`
// headings, blocks separated by a blank line, `- ` and `1. ` list items whose
// other lines are indented by the marker's width, `**bold**`, `*italic*`,
// `![alt](src)`, `[Voice note: transcript](src)` as a paragraph of its own
// and a backslash before the newline of a hard break. No DOM.

const INLINE_SPECIAL = /[\\*_`[\]<]/g
const ENTITY_LIKE = /&(?=#?[0-9A-Za-z]+;)/g
const MARK_DELIMITER = { strong: '**', em: '*' }
// Marks open outermost first, in this order, and close in reverse.
const MARK_ORDER = ['strong', 'em']
// What turns a line into something other than words (as the server's
// markdown_out: a heading, a quote, a list item, a rule, a heading underline).
const LINE_START = /^( {0,3})(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|=+\s*$|-+\s*$)/
const ORDERED_START = /^( {0,3}\d{1,9})([.)])(?=\s|$)/
// A recording the portal keeps (as portal/docmodel/markdown_out.py OWN_RECORDING).
export const OWN_RECORDING = /^(\/[A-Za-z0-9_.~-]+)*\/documents\/\d+\/recordings\/\d+$/
const VOICE_NOTE_LABEL = 'Voice note:'

/** Escape characters that would start Markdown syntax inside a line. */
export function escapeInline (text) {
  return text.replace(INLINE_SPECIAL, '\\$&').replace(ENTITY_LIKE, '\\&')
}

/** Escape what would make a line a heading, list item, quote or rule. */
export function escapeLineStart (line) {
  return line.replace(LINE_START, '$1\\$2').replace(ORDERED_START, '$1\\$2')
}

function commonPrefix (a, b) {
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return n
}

// The same algorithm as the server's: delimiters must touch words
// (`**bold** text`, not `**bold **text`), so spaces at the edges of a marked
// run go outside its delimiters unless the mark goes on into the next run.
function inlineMarkdown (block, lineBreak = '\\\n') {
  const pieces = []
  block.forEach((node) => {
    if (node.isText && node.text) {
      pieces.push({ text: node.text, marks: MARK_ORDER.filter((name) => node.marks.some((m) => m.type.name === name)) })
    } else if (node.type.name === 'hard_break') {
      pieces.push(null)
    }
  })
  let out = ''
  const open = []
  const closeTo = (keep) => {
    while (open.length > keep) out += MARK_DELIMITER[open.pop()]
  }
  pieces.forEach((piece, i) => {
    if (piece === null) {
      closeTo(0)
      out += lineBreak
      return
    }
    const next = pieces[i + 1]
    const after = next ? next.marks : []
    const text = escapeInline(piece.text)
    const wanted = piece.marks
    const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)
    if (!core) {
      closeTo(commonPrefix(open, wanted.slice(0, commonPrefix(wanted, after))))
      out += text
      return
    }
    closeTo(commonPrefix(open, wanted))
    out += lead
    for (const name of wanted.slice(open.length)) {
      out += MARK_DELIMITER[name]
      open.push(name)
    }
    out += core
    if (trail) {
      closeTo(commonPrefix(open, after))
      out += trail
    }
  })
  closeTo(0)
  return out
}

function indent (text, width) {
  const pad = ' '.repeat(width)
  return text.split('\n').map((line, i) => (i === 0 || line === '' ? line : pad + line)).join('\n')
}

function listMarkdown (list) {
  const ordered = list.type.name === 'ordered_list'
  const items = []
  list.forEach((item, _offset, index) => {
    const marker = ordered ? `${list.attrs.order + index}. ` : '- '
    items.push(marker + indent(itemMarkdown(item), marker.length))
  })
  return items.join('\n')
}

// Within an item a nested list follows its paragraph directly (a tight list).
function itemMarkdown (item) {
  let out = ''
  item.forEach((child, _offset, index) => {
    const text = blockMarkdown(child)
    if (text === null) return
    if (index > 0 && out !== '') out += child.type.name.endsWith('_list') ? '\n' : '\n\n'
    out += text
  })
  return out
}

function imageMarkdown (node) {
  const alt = String(node.attrs.alt || '').replace(/\n/g, ' ').replace(INLINE_SPECIAL, '\\$&')
  const src = String(node.attrs.src || '')
  return `![${alt}](${/[\s()<>]/.test(src) ? `<${src.replace(/[<>]/g, '')}>` : src})`
}

/** The words on one line, as the server's `one_line`. */
export function oneLine (text) {
  return String(text || '').replace(/[ \t\n\r\f\v]+/g, ' ').replace(/^ +| +$/g, '')
}

function voiceNoteMarkdown (node) {
  const words = oneLine(node.attrs.transcript)
  const label = escapeInline(words ? `${VOICE_NOTE_LABEL} ${words}` : VOICE_NOTE_LABEL)
  const src = String(node.attrs.src || '')
  return OWN_RECORDING.test(src) ? `[${label}](${src})` : escapeLineStart(label)
}

/** One block as Markdown, or null for an empty paragraph (which Markdown cannot hold). */
export function blockMarkdown (node) {
  switch (node.type.name) {
    case 'paragraph': {
      const words = inlineMarkdown(node)
      return words ? words.split('\n').map(escapeLineStart).join('\n') : null
    }
    case 'heading': {
      const words = inlineMarkdown(node, ' ')
      const level = Math.min(Math.max(Number(node.attrs.level) || 2, 1), 6)
      return words ? `${'#'.repeat(level)} ${escapeLineStart(words)}` : null
    }
    case 'bullet_list':
    case 'ordered_list': return listMarkdown(node)
    case 'image': return imageMarkdown(node)
    case 'voice_note': return voiceNoteMarkdown(node)
    default: return node.textContent ? escapeInline(node.textContent) : null
  }
}

/** The whole document as Markdown, ending with a newline unless empty (as the server writes it). */
export function toMarkdown (doc) {
  const blocks = []
  doc.forEach((node) => {
    const text = blockMarkdown(node)
    if (text !== null) blocks.push(text)
  })
  return blocks.length ? blocks.join('\n\n') + '\n' : ''
}
