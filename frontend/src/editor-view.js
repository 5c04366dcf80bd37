// The ProseMirror view bound to the shared Y.XmlFragment: keys, typing
// shortcuts, remote cursors, undo through Yjs, what a paste may bring, and
// the size guard. Tab is not bound, so keyboard users leave the editor with
// Tab as from any field.
import { EditorState, Selection } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { baseKeymap, chainCommands, exitCode } from 'prosemirror-commands'
import { keymap } from 'prosemirror-keymap'
import { gapCursor } from 'prosemirror-gapcursor'
import { inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules'
import { splitListItem } from 'prosemirror-schema-list'
import { redo, undo, yCursorPlugin, ySyncPlugin, ySyncPluginKey, yUndoPlugin } from 'y-prosemirror'
import { Plugin } from 'prosemirror-state'
import { schema } from './schema.js'
import { insertHardBreak, toggleEm, toggleHeading, toggleStrong } from './commands.js'
import { cleanPastedHtml, keepPortalImages } from './paste.js'
import { sizeGuardPlugin } from './size-plugin.js'
import { ImageView } from './image-view.js'
import { VoiceNoteView } from './voice-note-view.js'
import { safeColour } from './presence.js'

const { nodes } = schema

// "- " or "* " starts a bulleted list, "1. " a numbered one, "## " a heading
// (level 2 at least: level 1 is the page's title).
function typingShortcuts () {
  return inputRules({
    rules: [
      wrappingInputRule(/^\s*([-*])\s$/, nodes.bullet_list),
      wrappingInputRule(/^(\d+)\.\s$/, nodes.ordered_list, (m) => ({ order: Number(m[1]) }),
        (m, node) => node.childCount + node.attrs.order === Number(m[1])),
      textblockTypeInputRule(/^(#{1,3})\s$/, nodes.heading, (m) => ({ level: Math.max(2, m[1].length) }))
    ]
  })
}

// Ctrl+Home and Ctrl+End go to the start and end of the whole text, as in a
// word processor (Chromium leaves the caret where it was in this editor).
const selectDocEdge = (atEnd) => (state, dispatch) => {
  const edge = atEnd ? Selection.atEnd(state.doc) : Selection.atStart(state.doc)
  if (dispatch) dispatch(state.tr.setSelection(edge).scrollIntoView())
  return true
}

function keys () {
  const undoKey = (state) => undo(state)
  const redoKey = (state) => redo(state)
  return keymap({
    'Ctrl-Home': selectDocEdge(false),
    'Ctrl-End': selectDocEdge(true),
    'Mod-z': undoKey,
    'Mod-y': redoKey,
    'Mod-Shift-z': redoKey,
    'Mod-b': toggleStrong,
    'Mod-i': toggleEm,
    'Mod-Alt-2': toggleHeading,
    'Shift-Enter': chainCommands(exitCode, insertHardBreak),
    Enter: splitListItem(nodes.list_item)
  })
}

// The cursor of someone else: a coloured bar with their name above it.
function cursorBuilder (user) {
  const cursor = document.createElement('span')
  cursor.className = 'app-editor__remote-cursor'
  const color = safeColour(user.color)
  cursor.style.borderColor = color
  const name = document.createElement('span')
  name.className = 'app-editor__remote-name'
  name.style.backgroundColor = color
  name.textContent = String(user.name || 'Someone')
  cursor.append('\u2060', name, '\u2060')
  return cursor
}

function selectionBuilder (user) {
  return { class: 'app-editor__remote-selection', style: `background-color: ${user.color}33` }
}

/**
 * Mount the editor on `mount`.
 * @param {object} o
 * @param {import('yjs').XmlFragment} o.fragment the shared document body
 * @param {HTMLElement} o.mount
 * @param {() => boolean} o.canEdit
 * @param {() => number} o.getMaxUpdateBytes the server's limit on one update
 * @param {(message: string|null) => void} o.onInputChecked the size guard's sentence
 * @param {import('prosemirror-state').Plugin[]} o.plugins toolbar, starters, Check panel
 * @param {string} [o.labelledBy] ids of the label (a page with several editors names each)
 * @param {string} [o.describedBy] ids of the hint and status
 * @param {boolean} [o.caretOnly] read-only text in which the keyboard still
 *   moves a caret and selects (the desk's contribution): nothing typed,
 *   pasted or dropped changes it; only the shared document does
 */
export function createEditorView ({
  fragment, awareness, mount, canEdit, getMaxUpdateBytes, onInputChecked, plugins,
  labelledBy = 'editor-label', describedBy = 'editor-hint editor-status', caretOnly = false
}) {
  const extra = caretOnly ? [caretOnlyPlugin()] : []
  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(fragment),
      yCursorPlugin(awareness, { cursorBuilder, selectionBuilder }),
      yUndoPlugin(),
      keys(),
      keymap(baseKeymap),
      typingShortcuts(),
      gapCursor(),
      sizeGuardPlugin(getMaxUpdateBytes, onInputChecked),
      ...extra,
      ...plugins
    ]
  })
  mount.replaceChildren() // the server-rendered text shown without JavaScript
  return new EditorView(mount, {
    state,
    editable: caretOnly ? () => true : canEdit,
    nodeViews: {
      image: (node, view, getPos) => new ImageView(node, view, getPos),
      voice_note: (node, view, getPos) => new VoiceNoteView(node, view, getPos)
    },
    transformPastedHTML: cleanPastedHtml,
    transformPasted: (slice) => keepPortalImages(slice, window.location.origin),
    attributes: () => ({
      class: 'app-editor__content',
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-labelledby': labelledBy,
      'aria-describedby': describedBy,
      'aria-readonly': String(caretOnly || !canEdit()),
      // Focusable even when read-only, so keyboard users can reach the text.
      tabindex: '0'
    })
  })
}

// Only changes from the shared document get through; the browser's own
// editing is stopped before it touches the page.
function caretOnlyPlugin () {
  return new Plugin({
    filterTransaction: (tr) => !tr.docChanged || Boolean((tr.getMeta(ySyncPluginKey) || {}).isChangeOrigin),
    props: {
      handleDOMEvents: {
        beforeinput: (view, event) => { event.preventDefault(); return true },
        drop: (view, event) => { event.preventDefault(); return true },
        paste: (view, event) => { event.preventDefault(); return true },
        cut: (view, event) => { event.preventDefault(); return true }
      },
      handleKeyDown: (view, event) => !(event.ctrlKey || event.metaKey) && ['Enter', 'Backspace', 'Delete'].includes(event.key)
    }
  })
}
