// Sentence starters for sections the server seeded with prompt headings
// (`data-prompts`): an empty paragraph right under such a heading shows the
// first starter in grey (a decoration, not text), and a row of buttons
// offers the section's starters at the cursor.
import { Plugin } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import { el, toolButton } from './dom.js'

const normalise = (text) => String(text).toLowerCase().replace(/[\s:.]+/g, ' ').trim()

/** Prompts from the data-prompts JSON; bad JSON or entries are ignored. */
export function parsePrompts (json) {
  let list
  try { list = JSON.parse(json || '[]') } catch { return [] }
  if (!Array.isArray(list)) return []
  return list
    .filter((p) => p && typeof p.heading === 'string' && Array.isArray(p.starters))
    .map((p) => ({ heading: p.heading, key: normalise(p.heading), starters: p.starters.filter((s) => typeof s === 'string' && s.trim()) }))
    .filter((p) => p.starters.length)
}

/** A starter as it is inserted: without its ellipsis, ready for the next word. */
export function starterText (starter) {
  return `${starter.replace(/\s*(…|\.\.\.)\s*$/, '').trimEnd()} `
}

function promptFor (prompts, heading) {
  if (!heading || heading.type.name !== 'heading') return null
  const key = normalise(heading.textContent)
  return prompts.find((p) => p.key === key) || null
}

/** The prompt of the section (top-level heading and what follows) the cursor is in. */
export function promptAtSelection (prompts, state) {
  const index = state.selection.$from.index(0)
  for (let i = Math.min(index, state.doc.childCount - 1); i >= 0; i--) {
    const node = state.doc.child(i)
    if (node.type.name === 'heading') return promptFor(prompts, node)
  }
  return null
}

function placeholders (prompts, doc) {
  const decorations = []
  let previous = null
  doc.forEach((node, pos) => {
    const prompt = promptFor(prompts, previous)
    if (prompt && node.type.name === 'paragraph' && node.content.size === 0) {
      decorations.push(Decoration.node(pos, pos + node.nodeSize, { class: 'app-editor__placeholder', 'data-placeholder': prompt.starters[0] }))
    }
    previous = node
  })
  return DecorationSet.create(doc, decorations)
}

/**
 * The plugin drawing placeholders and keeping `row` (the "Try starting
 * with:" buttons) in step with the cursor. `canEdit()` hides the row for
 * people who may not edit.
 */
export function startersPlugin ({ prompts, row, canEdit }) {
  const label = el('span', 'app-editor__starters-label govuk-body-s', 'Try starting with:')
  let shown = null
  const render = (view) => {
    const prompt = canEdit() ? promptAtSelection(prompts, view.state) : null
    row.hidden = !prompt
    if (prompt === shown) return
    shown = prompt
    if (!prompt) { row.replaceChildren(); return }
    const buttons = prompt.starters.map((starter) => toolButton('app-editor__starter', starter, () => {
      view.dispatch(view.state.tr.insertText(starterText(starter)).scrollIntoView())
      view.focus()
    }))
    row.replaceChildren(label, ...buttons)
  }
  return new Plugin({
    props: { decorations: (state) => placeholders(prompts, state.doc) },
    view (view) {
      render(view)
      return { update: render }
    }
  })
}
