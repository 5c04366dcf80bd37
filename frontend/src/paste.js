// What may come in with a paste or a drop. ProseMirror's clipboard parser
// already keeps only what the schema knows (headings, lists, bold, italic,
// pictures) and drops styles; this module turns Word's list paragraphs into
// real lists and keeps out pictures that are not this portal's own. No DOM.
import { Fragment, Slice } from 'prosemirror-model'
import { OWN_RECORDING } from './to-markdown.js'

// A picture uploaded to a document of this portal, under any path prefix.
const PORTAL_IMAGE = /^(?:\/[\w.~-]+)*\/documents\/\d+\/images\/\d+$/

/** The portal path of a picture `src`, or null when it is not one of ours. */
export function portalImagePath (src, origin = null) {
  if (typeof src !== 'string') return null
  let path = src
  if (origin && src.startsWith(`${origin}/`)) path = src.slice(origin.length)
  return PORTAL_IMAGE.test(path) ? path : null
}

/** The portal path of a recording `src`, or null when it is not one of ours. */
export function portalRecordingPath (src, origin = null) {
  if (typeof src !== 'string') return null
  const path = origin && src.startsWith(`${origin}/`) ? src.slice(origin.length) : src
  return OWN_RECORDING.test(path) ? path : null
}

// A voice note from elsewhere keeps its words, as a paragraph.
function ownVoiceNote (node, origin) {
  const src = portalRecordingPath(node.attrs.src, origin)
  if (src) return src === node.attrs.src ? node : node.type.create({ ...node.attrs, src })
  const paragraph = node.type.schema.nodes.paragraph
  return paragraph.create(null, node.attrs.transcript ? node.type.schema.text(node.attrs.transcript) : null)
}

/** A pasted slice without pictures or recordings from elsewhere; ours get a path-only src. */
export function keepPortalImages (slice, origin = null) {
  const isEmptyParagraph = (node) => node && node.type.name === 'paragraph' && node.content.size === 0
  const clean = (fragment) => {
    const nodes = []
    let dropped = false
    fragment.forEach((node) => {
      if (node.type.name === 'voice_note') {
        nodes.push(ownVoiceNote(node, origin))
        return
      }
      if (node.type.name === 'image') {
        const src = portalImagePath(node.attrs.src, origin)
        if (src) nodes.push(src === node.attrs.src ? node : node.type.create({ ...node.attrs, src }))
        // A picture inside a paragraph splits it: drop the empty half left behind.
        else if ((dropped = true) && isEmptyParagraph(nodes[nodes.length - 1])) nodes.pop()
        return
      }
      if (!(dropped && isEmptyParagraph(node))) nodes.push(node.isLeaf ? node : node.copy(clean(node.content)))
      dropped = false
    })
    return Fragment.fromArray(nodes)
  }
  return new Slice(clean(slice.content), slice.openStart, slice.openEnd)
}

// Word marks a list paragraph with `mso-list:l<list> level<depth> lfo<n>` and
// writes its bullet or number as text inside a `mso-list:Ignore` span.
const WORD_PARAGRAPH = /<p\b([^>]*)>([\s\S]*?)<\/p>/gi
const WORD_LIST_STYLE = /mso-list:\s*l(\d+)\s+level(\d+)/i
const IGNORE_SPAN = /<span\b[^>]*mso-list:\s*Ignore[^>]*>((?:[^<]|<(?!\/?span\b)[^>]*>|<span\b[^>]*>(?:[^<]|<(?!\/?span\b)[^>]*>)*<\/span>)*)<\/span>/i
const CONDITIONAL = /<!(?:--)?\[if !supportLists\](?:--)?>|<!(?:--)?\[endif\](?:--)?>/gi
const EMPTY_SPAN = /<span\b[^>]*>\s*<\/span>/gi
const OFFICE_TAG = /<\/?o:p\b[^>]*>/gi

function textOf (html) {
  return html.replace(/<[^>]*>/g, '').replace(/&nbsp;|&#160;/g, ' ').trim()
}

function wordListItem (attrs, inner) {
  const style = WORD_LIST_STYLE.exec(attrs)
  if (!style) return null
  const marker = IGNORE_SPAN.exec(inner)
  const ordered = marker ? /^(\d+|[a-z]{1,3}|[ivxlc]+)[.)]$/i.test(textOf(marker[1])) : false
  return {
    list: style[1],
    level: Number(style[2]) || 1,
    tag: ordered ? 'ol' : 'ul',
    html: (marker ? inner.replace(IGNORE_SPAN, '') : inner).replace(EMPTY_SPAN, '').replace(/^(\s|&nbsp;)+/, '')
  }
}

function listHtml (items) {
  let out = ''
  const open = [] // tags of the lists open, outermost first
  for (const item of items) {
    while (open.length > item.level) out += `</li></${open.pop()}>`
    if (open.length === item.level) out += '</li>'
    while (open.length < item.level) { open.push(item.tag); out += `<${item.tag}>` }
    out += `<li><p>${item.html}</p>`
  }
  while (open.length) out += `</li></${open.pop()}>`
  return out
}

/**
 * Rewrite Word's list paragraphs (MsoListParagraph with mso-list styles) as
 * <ul>/<ol> with <li>, without the bullet symbols, and drop Office tags.
 * Anything else passes unchanged; the schema's parser drops the styles.
 */
export function transformWordHtml (html) {
  if (!/mso-|urn:schemas-microsoft-com|<o:p/i.test(html)) return html
  html = html.replace(CONDITIONAL, '').replace(OFFICE_TAG, '')
  let out = ''
  let last = 0
  let run = []
  let runEnd = 0
  const flush = () => {
    if (run.length) out += listHtml(run)
    run = []
  }
  for (const match of html.matchAll(WORD_PARAGRAPH)) {
    const item = wordListItem(match[1], match[2])
    const between = html.slice(last, match.index)
    if (item && run.length && /^\s*$/.test(between)) {
      run.push(item)
    } else {
      flush()
      out += between
      if (item) run.push(item)
      else out += match[0]
    }
    last = runEnd = match.index + match[0].length
  }
  flush()
  return out + html.slice(Math.max(last, runEnd))
}

const BLOCK = '(?:p|h[1-6]|li|ul|ol|div|table|tr|td|th|blockquote|body|html)'
const SPACE_AFTER_BLOCK = new RegExp(`(</${BLOCK}>|<${BLOCK}\\b[^>]*>)\\s+`, 'gi')
const SPACE_BEFORE_BLOCK = new RegExp(`\\s+(</?${BLOCK}\\b)`, 'gi')

/**
 * Pasted HTML as the parser should see it: Word's lists made real, and no
 * line breaks between blocks (inside Google Docs' <b> wrapper they would
 * become paragraphs holding a space).
 */
export function cleanPastedHtml (html) {
  return transformWordHtml(html).replace(SPACE_AFTER_BLOCK, '$1').replace(SPACE_BEFORE_BLOCK, '$1')
}
