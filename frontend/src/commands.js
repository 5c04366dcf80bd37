// Editing commands the toolbar and the keyboard share, and whether each is
// "on" for the selection (aria-pressed). No DOM.
import { setBlockType, toggleMark } from 'prosemirror-commands'
import { liftListItem, wrapInList } from 'prosemirror-schema-list'
import { schema } from './schema.js'

const { heading, paragraph, list_item: listItem } = schema.nodes

/** Whether the selection starts in a heading. */
export function isHeading (state) {
  return state.selection.$from.parent.type === heading
}

/** Heading (level 2) <-> paragraph for the selected blocks. */
export function toggleHeading (state, dispatch) {
  return isHeading(state)
    ? setBlockType(paragraph)(state, dispatch)
    : setBlockType(heading, { level: 2 })(state, dispatch)
}

/** Whether `markType` is on for the cursor (stored marks) or anywhere in the selection. */
export function isMarkActive (state, markType) {
  const { empty, $from, from, to } = state.selection
  if (empty) return Boolean(markType.isInSet(state.storedMarks || $from.marks()))
  return state.doc.rangeHasMark(from, to, markType)
}

/** Bold or italic on or off. */
export const toggleStrong = toggleMark(schema.marks.strong)
export const toggleEm = toggleMark(schema.marks.em)

/** The nearest list around the selection: {node, pos} or null. */
export function listAround (state) {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth)
    if (node.type === schema.nodes.bullet_list || node.type === schema.nodes.ordered_list) {
      return { node, pos: $from.before(depth) }
    }
  }
  return null
}

/** Whether the selection is in a list of `listType`. */
export function isInList (state, listType) {
  const list = listAround(state)
  return Boolean(list && list.node.type === listType)
}

/**
 * A list button: wraps the blocks in a list of `listType`, takes the items
 * out of such a list, or turns the other kind of list into this kind.
 */
export function toggleList (listType) {
  return (state, dispatch) => {
    const list = listAround(state)
    if (!list) return wrapInList(listType)(state, dispatch)
    if (list.node.type === listType) return liftListItem(listItem)(state, dispatch)
    if (dispatch) dispatch(state.tr.setNodeMarkup(list.pos, listType).scrollIntoView())
    return true
  }
}

/** Shift-Enter: a line break inside the paragraph. */
export function insertHardBreak (state, dispatch) {
  const br = schema.nodes.hard_break
  const { $from } = state.selection
  if (!$from.parent.inlineContent) return false
  if (dispatch) dispatch(state.tr.replaceSelectionWith(br.create()).scrollIntoView())
  return true
}
