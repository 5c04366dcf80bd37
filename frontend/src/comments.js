// Comments and proposed changes beside the editor (documents/_comments.html).
//
// The panel works without JavaScript (plain forms). With it, this module:
// fills the passage fields from the editor's selection with Yjs relative
// positions (anchors.js), sends the forms with fetch and swaps in the new
// list, refetches the list when the room says comments changed (`comments`
// event on /collab), resolves each thread's anchors in the live document
// (highlighting open passages, showing proposals as tracked changes, and
// marking threads whose words were deleted), and lets the caseworker accept
// a proposal: the replacement goes in through the editor, as their own
// attributed Yjs edit, then the decision is recorded.
import { Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror'
import { decodeAnchor, encodeAnchor, resolveAnchor } from './anchors.js'
import { findOccurrence } from './doc-text.js'

const marksKey = new PluginKey('comment-marks')
export const GONE = 'The text it was about has been deleted.'
export const CHANGED = 'The text it was about has been changed or deleted.'

/** The plugin that draws comment passages and tracked changes. */
export const commentMarksPlugin = new Plugin({
  key: marksKey,
  state: {
    init: () => DecorationSet.empty,
    apply (tr, set) {
      const next = tr.getMeta(marksKey)
      return next ? next(tr.doc) : set.map(tr.mapping, tr.doc)
    }
  },
  props: { decorations: (state) => marksKey.getState(state) }
})

function mappingOf (view) {
  const sync = ySyncPluginKey.getState(view.state)
  return sync && sync.binding ? sync.binding.mapping : null
}

/** The editor's range {from, to} of stored anchors now, or null if deleted. */
export function rangeOfAnchors (view, ydoc, fragment, anchors) {
  const mapping = mappingOf(view)
  if (!mapping || !resolveAnchor(ydoc, anchors.start) || !resolveAnchor(ydoc, anchors.end)) return null
  const from = relativePositionToAbsolutePosition(ydoc, fragment, decodeAnchor(anchors.start), mapping)
  const to = relativePositionToAbsolutePosition(ydoc, fragment, decodeAnchor(anchors.end), mapping)
  if (from === null || to === null || to <= from) return null
  return { from, to }
}

/** Anchors for the editor's range [from, to). */
export function anchorsOfRange (view, fragment, from, to) {
  const mapping = mappingOf(view)
  if (!mapping) return null
  return {
    start: encodeAnchor(absolutePositionToRelativePosition(from, fragment, mapping)),
    end: encodeAnchor(absolutePositionToRelativePosition(to, fragment, mapping))
  }
}

const byId = (id) => document.getElementById(id)

export class CommentsPanel {
  constructor ({ root, view, ydoc, fragment, csrfToken, getAccess }) {
    this.root = root
    this.view = view
    this.ydoc = ydoc
    this.fragment = fragment
    this.csrfToken = csrfToken
    this.getAccess = getAccess
    this.status = document.createElement('p')
    this.status.className = 'govuk-body-s app-comments__status'
    this.status.id = 'comments-status'
    this.status.setAttribute('role', 'status')
    root.querySelector('h2').after(this.status)
    this._bindForms(root)
    this._bindList()
    this._timer = null
    document.addEventListener('selectionchange', () => this._selectionChanged())
    // Only real changes: the sync plugin opens an empty transaction on every
    // editor update, ours included, which would otherwise loop.
    ydoc.on('update', () => this.schedule())
  }

  /** Anchors of an editor range (tests and tools). */
  anchorsFor (from, to) {
    return anchorsOfRange(this.view, this.fragment, from, to)
  }

  /** Re-resolve the anchors soon (after a burst of edits, once). */
  schedule () {
    if (this._timer) return
    this._timer = window.setTimeout(() => { this._timer = null; this.resolve() }, 150)
  }

  // The editor's selection becomes the passage of a new comment or proposal.
  _selectionChanged () {
    const selection = document.getSelection()
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return
    const dom = this.view.dom
    if (!dom.contains(selection.anchorNode) || !dom.contains(selection.focusNode)) return
    let from, to
    try {
      const a = this.view.posAtDOM(selection.anchorNode, selection.anchorOffset)
      const b = this.view.posAtDOM(selection.focusNode, selection.focusOffset)
      from = Math.min(a, b)
      to = Math.max(a, b)
    } catch (err) {
      return
    }
    const quote = this.view.state.doc.textBetween(from, to, '\n').trim()
    const anchors = quote && anchorsOfRange(this.view, this.fragment, from, to)
    if (!anchors) return
    for (const prefix of ['comment', 'proposal']) {
      const field = byId(`${prefix}-quote`)
      if (!field) continue
      field.value = quote
      byId(`${prefix}-anchor-start`).value = anchors.start
      byId(`${prefix}-anchor-end`).value = anchors.end
    }
  }

  _bindForms (scope) {
    for (const prefix of ['comment', 'proposal']) {
      const field = scope.querySelector(`#${prefix}-quote`)
      // Words typed by hand are not where the anchors point any more.
      if (field) {
        field.addEventListener('input', () => {
          byId(`${prefix}-anchor-start`).value = ''
          byId(`${prefix}-anchor-end`).value = ''
        })
      }
    }
    const list = byId('comments-list')
    const outside = (node) => scope === list || !list.contains(node)
    for (const form of [...scope.querySelectorAll('form')].filter(outside)) {
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        this._send(form, event.submitter)
      })
    }
    for (const button of [...scope.querySelectorAll('button[data-action=accept]')].filter(outside)) {
      button.hidden = false
      button.addEventListener('click', () => this.accept(button.closest('li.app-comment')))
    }
  }

  _bindList () {
    this._bindForms(byId('comments-list'))
    this.resolve()
  }

  _say (message) {
    this.status.textContent = message
  }

  async _send (form, submitter) {
    const body = new FormData(form)
    if (submitter && submitter.name) body.set(submitter.name, submitter.value)
    let answer
    try {
      answer = await fetch(form.action, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { Accept: 'application/json', 'X-CSRFToken': this.csrfToken }
      })
    } catch (err) {
      this._say('Could not send that: check your connection and try again.')
      return
    }
    if (answer.type !== 'opaqueredirect' && !answer.ok) {
      const detail = await answer.json().catch(() => ({}))
      this._say(detail.error || 'That could not be saved. Try again.')
      return
    }
    if (form.id === 'comment-form' || form.id === 'proposal-form') form.reset()
    this._say(form.id === 'proposal-form' ? 'Your proposed change has been sent to the caseworker.' : 'Saved.')
    await this.refresh()
  }

  /** Fetch the list again (after our change, or another person's). */
  async refresh () {
    let html
    try {
      const answer = await fetch(this.root.dataset.fragmentUrl, { credentials: 'same-origin' })
      if (!answer.ok) return
      html = await answer.text()
    } catch (err) {
      return
    }
    const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('comments-list')
    if (!fresh) return
    // Keep open reply boxes open, and what is typed in them.
    const open = new Set([...byId('comments-list').querySelectorAll('details[open]')].map((d) => d.closest('li').id))
    const typed = new Map([...byId('comments-list').querySelectorAll('textarea')].filter((t) => t.value).map((t) => [t.id, t.value]))
    byId('comments-list').replaceWith(fresh)
    for (const id of open) fresh.querySelector(`#${id} details`)?.setAttribute('open', '')
    for (const [id, value] of typed) { const t = fresh.querySelector(`#${id}`); if (t) t.value = value }
    this._bindList()
  }

  /**
   * Where a thread's passage is now: its anchors resolved, or (made without
   * JavaScript, so without anchors) the first place its words occur.
   */
  rangeOf (item) {
    if (item.dataset.anchorStart) {
      const anchors = { start: item.dataset.anchorStart, end: item.dataset.anchorEnd }
      return rangeOfAnchors(this.view, this.ydoc, this.fragment, anchors)
    }
    return item.dataset.quote ? findOccurrence(this.view.state.doc, item.dataset.quote) : null
  }

  /** Resolve every thread's passage: mark the deleted ones, draw the others. */
  resolve () {
    const drawn = []
    for (const item of byId('comments-list').querySelectorAll('li.app-comment[data-quote]')) {
      const range = this.rangeOf(item)
      const anchored = Boolean(item.dataset.anchorStart)
      item.dataset.passage = range ? 'present' : (anchored ? 'deleted' : 'unanchored')
      const gone = item.querySelector('.app-comment__gone')
      if (gone) {
        gone.hidden = Boolean(range)
        gone.textContent = range ? '' : (anchored ? GONE : CHANGED)
      }
      if (range && item.dataset.status === 'open') drawn.push({ range, item })
    }
    this.view.dispatch(this.view.state.tr.setMeta(marksKey, (doc) => DecorationSet.create(doc, decorationsFor(doc, drawn))))
  }

  /** Apply an open proposal through the editor, then record the decision. */
  async accept (item) {
    if (item.dataset.busy) return // one click, one edit
    item.dataset.busy = 'yes'
    try {
      await this._accept(item)
    } finally {
      delete item.dataset.busy
    }
  }

  async _accept (item) {
    const range = this.rangeOf(item)
    if (!range) {
      this._say('The text this change was about is no longer there, so it cannot be applied. Decline it, or edit the text yourself.')
      return
    }
    if (this.getAccess() !== 'edit') {
      this._say('You cannot edit this document now, so the change cannot be applied.')
      return
    }
    const { state } = this.view
    const replacement = item.dataset.replacement || ''
    const marks = state.doc.nodeAt(range.from)?.marks || []
    const tr = replacement
      ? state.tr.replaceWith(range.from, range.to, state.schema.text(replacement, marks))
      : state.tr.delete(range.from, range.to)
    this.view.dispatch(tr)
    const reply = item.querySelector('textarea[name=reply]')
    const url = `${this.root.dataset.apiUrl.replace(/\/comments$/, '')}/proposals/${item.dataset.commentId}/decision`
    try {
      const answer = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': this.csrfToken },
        body: JSON.stringify({ decision: 'accepted', reply: reply ? reply.value : '' })
      })
      if (!answer.ok) {
        const detail = await answer.json().catch(() => ({}))
        this._say(detail.error || 'The change was made, but the decision was not recorded. Try again.')
        return
      }
    } catch (err) {
      this._say('The change was made, but the decision was not recorded: check your connection.')
      return
    }
    this._say('Change accepted and applied.')
    await this.refresh()
  }
}

// Open comments are highlighted; an open proposal strikes the old words
// through and shows the new ones after them (a tracked change).
function decorationsFor (doc, drawn) {
  const found = []
  for (const { range, item } of drawn) {
    const to = Math.min(range.to, doc.content.size)
    if (range.from >= to) continue
    const id = item.dataset.commentId
    if (item.dataset.kind === 'proposal') {
      found.push(Decoration.inline(range.from, to, { class: 'app-tracked-del', 'data-comment-id': id }))
      found.push(Decoration.widget(to, () => {
        const ins = document.createElement('ins')
        ins.className = 'app-tracked-ins'
        ins.textContent = item.dataset.replacement || ''
        return ins
      }, { side: 1, key: `ins-${id}-${item.dataset.replacement}` }))
    } else {
      found.push(Decoration.inline(range.from, to, { class: 'app-comment-passage', 'data-comment-id': id }))
    }
  }
  return found
}
