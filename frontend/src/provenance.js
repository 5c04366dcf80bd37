// Where a plan passage came from: words carrying a `source` mark (schema.js)
// get a tooltip naming the source, and when the caret is in such words the
// page's source line says where they came from, links to the source for
// those who may read it, and says if the words were changed since.
//
// Details come from the portal ({ref -> {title, author, organisation,
// date_text, link?, quote?, changed?}}, GET /cases/<id>/provenance); the
// mark holds only the ref, so nothing here can be forged by editing text.
import { Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'

export const provenanceKey = new PluginKey('provenance')

const SPACES = /\s+/g
const normalise = (text) => text.replace(SPACES, ' ').trim()

/** The excerpt ref at the caret (or of the selected words), or null. */
export function refAt (state) {
  const { $from, empty } = state.selection
  const marks = empty ? [...$from.marks(), ...($from.nodeAfter ? $from.nodeAfter.marks : [])] : $from.nodeAfter ? $from.nodeAfter.marks : []
  const mark = marks.find((m) => m.type.name === 'source')
  return mark ? mark.attrs.ref : null
}

/** Each ref's words in the document now, blocks joined by a newline. */
export function wordsByRef (doc) {
  const found = new Map()
  doc.descendants((node, pos, parent) => {
    if (!node.isText) return true
    for (const mark of node.marks) {
      if (mark.type.name !== 'source') continue
      const parts = found.get(mark.attrs.ref) || []
      parts.push({ parent, text: node.text })
      found.set(mark.attrs.ref, parts)
    }
    return false
  })
  const out = new Map()
  for (const [ref, parts] of found) {
    let text = ''
    let last = null
    for (const part of parts) {
      if (last && last !== part.parent) text += '\n'
      text += part.text
      last = part.parent
    }
    out.set(ref, text)
  }
  return out
}

/** True when the words differ from the words taken (known only to readers of the source). */
export function isChanged (detail, words) {
  if (detail && typeof detail.quote === 'string') return normalise(detail.quote) !== normalise(words || '')
  return Boolean(detail && detail.changed)
}

/** "From Psychological advice by Dr Martin Hale, Eastbridge EPS, 27 October 2026". */
export function describe (detail) {
  if (!detail) return 'Taken from a contribution to this case.'
  const who = [detail.author, detail.organisation].filter(Boolean).join(', ')
  return `From ${detail.title}${who ? ` by ${who}` : ''}, ${detail.date_text}.`
}

function decorations (doc, details) {
  const decos = []
  const words = wordsByRef(doc)
  doc.descendants((node, pos) => {
    if (!node.isText) return true
    const mark = node.marks.find((m) => m.type.name === 'source')
    if (mark) {
      const detail = details.get(mark.attrs.ref)
      const changed = isChanged(detail, words.get(mark.attrs.ref))
      decos.push(Decoration.inline(pos, pos + node.nodeSize, {
        title: describe(detail) + (changed ? ' Changed since it was taken.' : ''),
        class: changed ? 'app-source--changed' : ''
      }))
    }
    return false
  })
  return DecorationSet.create(doc, decos)
}

/**
 * @param {object} o
 * @param {() => Map<string, object>} o.getDetails the details known now
 * @param {HTMLElement} o.line where to say the source of the passage at the caret
 */
export function provenancePlugin ({ getDetails, line }) {
  const say = (state) => {
    const ref = refAt(state)
    if (!ref) {
      if (line.textContent) line.replaceChildren()
      return
    }
    const detail = getDetails().get(ref)
    const changed = isChanged(detail, wordsByRef(state.doc).get(ref))
    const parts = [document.createTextNode(`This passage: ${describe(detail)} `)]
    if (detail && detail.link) {
      const a = document.createElement('a')
      a.className = 'govuk-link'
      a.href = detail.link
      a.textContent = `Open ${detail.title}`
      parts.push(a, document.createTextNode(' '))
    }
    parts.push(document.createTextNode(changed
      ? `Changed since it was taken from ${detail ? detail.title : 'its source'}.`
      : 'Same words as its source.'))
    line.replaceChildren(...parts)
  }
  return new Plugin({
    key: provenanceKey,
    state: {
      init: (_, state) => decorations(state.doc, getDetails()),
      apply: (tr, old, _, state) => tr.docChanged || tr.getMeta(provenanceKey)
        ? decorations(state.doc, getDetails())
        : old
    },
    props: {
      decorations (state) { return provenanceKey.getState(state) },
      handleDOMEvents: {
        focus: (view) => { say(view.state); return false }
      }
    },
    view: () => ({
      update (view, prev) {
        if (!view.hasFocus() && prev.doc === view.state.doc) return
        if (prev.doc !== view.state.doc || !prev.selection.eq(view.state.selection) ||
            provenanceKey.getState(prev) !== provenanceKey.getState(view.state)) say(view.state)
      }
    })
  })
}

/** Tell a view its details changed (redraw tooltips and the source line). */
export function refreshProvenance (view) {
  view.dispatch(view.state.tr.setMeta(provenanceKey, true))
}
