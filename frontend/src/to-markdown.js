// The Markdown the Check panel sends: our schema (schema.js) written in the
// same canonical form as the server's converter (portal/docmodel): `## text`
// headings, blocks separated by a blank line, `- ` and `1. ` list items whose
// other lines are indented by the marker's width, `**bold**`, `*italic*`,
// `![alt](src)` and a backslash before the newline of a hard break. No DOM.

const INLINE_SPECIAL = /[\\*_`[\]<]/g
const ENTITY_LIKE = /&(?=#?[a-z0-9]+;)/gi
const MARK_DELIMITER = { strong: '**', em: '*' }
// Marks open outermost first, in this order, and close in reverse.
const MARK_ORDER = ['strong', 'em']

/** Escape characters that would start Markdown syntax inside a line. */
export function escapeInline (text) {
  return text.replace(INLINE_SPECIAL, '\\$&').replace(ENTITY_LIKE, '&amp;')
}

/** Escape what would make a line a heading, list item, quote, fence or rule. */
export function escapeLineStart (line) {
  return line
    .replace(/^(\s*)([#>+=~-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2')
}

// Delimiters must touch words (`**bold** text`, not `**bold **text`), so
// spaces at the edges of a marked run are written outside its delimiters.
function inlineMarkdown (block) {
  let out = ''
  let pending = '' // spaces at the end of the last run, written once we know the next marks
  const open = []
  const closeTo = (keep) => {
    while (open.length > keep) out += MARK_DELIMITER[open.pop()]
  }
  block.forEach((node) => {
    if (!node.isText) {
      out += pending + (node.type.name === 'hard_break' ? '\\\n' : '')
      pending = ''
      return
    }
    const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(node.text)
    if (!core) { pending += node.text; return }
    const names = MARK_ORDER.filter((name) => node.marks.some((m) => m.type.name === name))
    const stillOpen = open.findIndex((name) => !names.includes(name))
    closeTo(stillOpen < 0 ? open.length : stillOpen)
    out += pending + lead
    for (const name of names) {
      if (!open.includes(name)) { open.push(name); out += MARK_DELIMITER[name] }
    }
    out += escapeInline(core)
    pending = trail
  })
  closeTo(0)
  out += pending
  return out.split('\n').map(escapeLineStart).join('\n')
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
  const alt = String(node.attrs.alt || '').replace(/[\\[\]]/g, '\\$&').replace(/\s+/g, ' ')
  const src = String(node.attrs.src || '')
  return `![${alt}](${/[\s()<>]/.test(src) ? `<${src.replace(/[<>]/g, '')}>` : src})`
}

/** One block as Markdown, or null for an empty paragraph (which Markdown cannot hold). */
export function blockMarkdown (node) {
  switch (node.type.name) {
    case 'paragraph': return node.content.size ? inlineMarkdown(node) : null
    case 'heading': return `${'#'.repeat(node.attrs.level)} ${inlineMarkdown(node).replace(/\n/g, ' ')}`.trimEnd()
    case 'bullet_list':
    case 'ordered_list': return listMarkdown(node)
    case 'image': return imageMarkdown(node)
    default: return node.textContent ? escapeInline(node.textContent) : null
  }
}

/** The whole document as Markdown (no trailing newline). */
export function toMarkdown (doc) {
  const blocks = []
  doc.forEach((node) => {
    const text = blockMarkdown(node)
    if (text !== null) blocks.push(text)
  })
  return blocks.join('\n\n')
}
