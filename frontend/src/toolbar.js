// The formatting toolbar above the editor: real buttons with words on them,
// aria-pressed for what the selection is, disabled when a command cannot
// apply. One tab stop; the arrow keys move along it (WAI-ARIA toolbar).
import { Plugin } from 'prosemirror-state'
import { redoCommand, undoCommand, yUndoPluginKey } from 'y-prosemirror'
import { el, toolButton } from './dom.js'
import { schema } from './schema.js'
import { isHeading, isInList, isMarkActive, toggleHeading, toggleList, toggleStrong } from './commands.js'

const { bullet_list: bulletList, ordered_list: orderedList } = schema.nodes

const TOOLS = [
  { name: 'heading', label: 'Heading', command: toggleHeading, pressed: isHeading },
  { name: 'bold', label: 'Bold', command: toggleStrong, pressed: (s) => isMarkActive(s, schema.marks.strong) },
  { name: 'bullet-list', label: 'Bulleted list', command: toggleList(bulletList), pressed: (s) => isInList(s, bulletList) },
  { name: 'ordered-list', label: 'Numbered list', command: toggleList(orderedList), pressed: (s) => isInList(s, orderedList) },
  { name: 'undo', label: 'Undo', command: undoCommand },
  { name: 'redo', label: 'Redo', command: redoCommand }
]

function moveFocus (buttons, event) {
  const usable = buttons.filter((b) => !b.disabled && !b.hidden)
  const at = usable.indexOf(document.activeElement)
  if (at < 0) return
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: usable.length - 1 }[event.key]
  if (next === undefined) return
  event.preventDefault()
  const target = usable[(next + usable.length) % usable.length]
  for (const b of buttons) b.tabIndex = b === target ? 0 : -1
  target.focus()
}

/**
 * The toolbar element and the plugin that keeps it in step with the editor.
 * `extra` are more buttons (e.g. "Add a picture") placed at the end.
 */
export function createToolbar ({ canEdit, extra = [] }) {
  const bar = el('div', 'app-editor__toolbar')
  bar.setAttribute('role', 'toolbar')
  bar.setAttribute('aria-label', 'Formatting')
  bar.setAttribute('aria-controls', 'editor-mount')
  let view = null
  const buttons = TOOLS.map((tool) => {
    const button = toolButton(`app-editor__tool app-editor__tool--${tool.name}`, tool.label, () => {
      if (!view || !canEdit()) return
      tool.command(view.state, view.dispatch, view)
      view.focus()
    })
    button.dataset.command = tool.name
    if (tool.pressed) button.setAttribute('aria-pressed', 'false')
    return button
  })
  const all = [...buttons, ...extra]
  all.forEach((b, i) => { b.tabIndex = i === 0 ? 0 : -1 })
  bar.append(...all)
  bar.addEventListener('keydown', (event) => moveFocus(all, event))

  const refresh = () => {
    if (!view) return
    bar.hidden = !canEdit()
    const state = view.state
    TOOLS.forEach((tool, i) => {
      buttons[i].disabled = !tool.command(state)
      if (tool.pressed) buttons[i].setAttribute('aria-pressed', String(Boolean(tool.pressed(state))))
    })
    // Keep one button reachable with Tab even when the focused one is disabled.
    if (!all.some((b) => b.tabIndex === 0 && !b.disabled)) {
      const first = all.find((b) => !b.disabled) || all[0]
      all.forEach((b) => { b.tabIndex = b === first ? 0 : -1 })
    }
  }
  const plugin = new Plugin({
    view (editorView) {
      view = editorView
      const undo = yUndoPluginKey.getState(editorView.state)
      const manager = undo && undo.undoManager
      // Undo and redo stacks change when Yjs applies our changes, after the
      // ProseMirror transaction: listen to them as well.
      if (manager) for (const name of ['stack-item-added', 'stack-item-popped', 'stack-cleared']) manager.on(name, refresh)
      refresh()
      return { update: refresh }
    }
  })
  return { bar, plugin, refresh }
}
