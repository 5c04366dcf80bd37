// The "Check" panel: plain-English suggestions and gap findings from
// POST /api/documents/<id>/assistant, about the document as Markdown
// (to-markdown.js).
//
// A suggestion names the words it is about (`original`) and where they are
// in the Markdown sent. They are found again in the editor's text blocks (the
// same occurrence, counting from the start), so a suggestion follows its
// words under edits and is dropped once they are gone. "Accept" replaces
// them through ProseMirror, so y-prosemirror turns it into an ordinary Yjs
// edit from this connection (and it can be undone).
import { Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import { countBefore, findAll, findOccurrence } from './doc-text.js'
import { toMarkdown } from './to-markdown.js'
import { el } from './dom.js'

const REFRESH_DELAY_MS = 800

const highlightKey = new PluginKey('check-highlight')

/** The ProseMirror plugin that draws the highlighted suggestion or finding. */
export const highlightPlugin = new Plugin({
  key: highlightKey,
  state: {
    init: () => DecorationSet.empty,
    apply (tr, value) {
      value = value.map(tr.mapping, tr.doc)
      const range = tr.getMeta(highlightKey)
      if (range === undefined) return value
      return range && range.to > range.from
        ? DecorationSet.create(tr.doc, [Decoration.inline(range.from, range.to, { class: 'app-check-highlight' })])
        : DecorationSet.empty
    }
  },
  props: { decorations: (state) => highlightKey.getState(state) }
})

/** Python str offsets count code points; JavaScript strings count UTF-16 units. */
export function codePointToUtf16 (text, offset) {
  let units = 0
  let points = 0
  while (points < offset && units < text.length) {
    units += text.codePointAt(units) > 0xffff ? 2 : 1
    points++
  }
  return units
}

/** Locate a suggestion's range in the text that was checked, or null. */
export function locateInSent (sent, { start, end, original }) {
  if (!Number.isInteger(start) || !Number.isInteger(end) || typeof original !== 'string') return null
  const from = codePointToUtf16(sent, start)
  const to = codePointToUtf16(sent, end)
  if (sent.slice(from, to) === original) return { from, to }
  if (sent.slice(start, end) === original) return { from: start, to: end }
  return null
}

const SEVERITY_TAG = { high: 'govuk-tag--red', medium: 'govuk-tag--orange', low: 'govuk-tag--blue' }

/** Suggestions a person declined stay hidden while the page is open. */
function rejectKey (s) {
  return `${s.rule}\u001f${s.original}`
}

// A document page on this site, under whatever path prefix the portal is served at.
const DOCUMENT_PAGE = /^(?:\/[\w.~-]+)*\/documents\/\d+$/

/** A line linking to the advice a finding names; only document pages are linked. */
export function findingLink (f) {
  const link = f && f.link
  if (!link || typeof link.href !== 'string' || !DOCUMENT_PAGE.test(link.href)) return null
  const a = el('a', 'govuk-link', `Open ${String(link.text || 'the advice')}`)
  a.href = link.href
  const line = el('p', 'app-check__source govuk-body-s')
  line.append(a)
  return line
}

export class CheckPanel {
  /**
   * @param {object} o
   * @param {HTMLElement} o.root the <aside id="check-panel">
   * @param {string} o.url the assistant endpoint
   * @param {string} o.csrfToken
   * @param {() => string|null} o.getAccess
   */
  constructor ({ root, url, csrfToken, getAccess }) {
    Object.assign(this, { root, url, csrfToken, getAccess })
    this.view = null
    this.suggestions = []
    this.findings = []
    this.notices = []
    this._seq = 0
    this._nextId = 1
    this._rejected = new Set()
    this._timer = null
    this._controller = null
    this._status = root.querySelector('#check-status')
    this._suggestionList = root.querySelector('#check-suggestions')
    this._findingList = root.querySelector('#check-findings')
    this._noticeBox = root.querySelector('#check-notices')
    this._measuresBox = root.querySelector('#check-measures')
    this.measures = null
  }

  /** ProseMirror plugins: the highlight, and re-checking when the document changes. */
  plugins () {
    const panel = this
    const watcher = new Plugin({
      view: () => ({
        update (view, prevState) {
          if (prevState.doc.eq(view.state.doc)) return
          panel._revalidate()
          panel.schedule()
        }
      })
    })
    return [highlightPlugin, watcher]
  }

  get doc () {
    return this.view.state.doc
  }

  /** Run a check ~800 ms after the text stops changing. */
  schedule () {
    clearTimeout(this._timer)
    this._timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS)
  }

  /** Check the current text now; a newer request makes older answers stale. */
  async refresh () {
    clearTimeout(this._timer)
    if (!this.view) return
    const seq = ++this._seq
    if (this._controller) this._controller.abort()
    const controller = this._controller = new AbortController()
    const sent = toMarkdown(this.doc)
    this._setStatus('Checking…')
    let body
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': this.csrfToken },
        body: JSON.stringify({ text: sent }),
        signal: controller.signal
      })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      body = await response.json()
    } catch (err) {
      if (seq === this._seq) this._setStatus(`The check could not run (${err.name === 'AbortError' ? 'cancelled' : err.message}). It will try again when the text changes.`)
      return
    }
    if (seq !== this._seq) return // a newer check is on its way
    this._accept(body, sent)
  }

  _accept (body, sent) {
    this.suggestions = []
    for (const s of Array.isArray(body.suggestions) ? body.suggestions : []) {
      const at = locateInSent(sent, s)
      if (!at || !s.original) continue
      if (this._rejected.has(rejectKey(s))) continue // the person said no on this page
      const suggestion = {
        id: this._nextId++,
        original: s.original,
        occurrence: countBefore(sent, s.original, at.from),
        replacement: typeof s.replacement === 'string' ? s.replacement : null,
        reason: String(s.reason || ''),
        rule: String(s.rule || '')
      }
      if (this.rangeOf(suggestion)) this.suggestions.push(suggestion) // else edited while the check ran
    }
    this.findings = Array.isArray(body.findings) ? body.findings : []
    this.notices = Array.isArray(body.notices) ? body.notices.map(String) : []
    this.measures = body.measures && typeof body.measures === 'object' ? body.measures : null
    this.render()
  }

  /** The current ProseMirror range of a suggestion's words, or null when they are gone. */
  rangeOf (suggestion) {
    if (!this.view) return null
    return findOccurrence(this.doc, suggestion.original, suggestion.occurrence)
  }

  _revalidate () {
    if (this.suggestions.length === 0) return
    const kept = this.suggestions.filter((s) => this.rangeOf(s))
    if (kept.length !== this.suggestions.length) {
      this.suggestions = kept
      this.render()
    }
  }

  /** Highlight a range in the editor and scroll to it. */
  highlight (range) {
    if (!this.view) return
    this.view.dispatch(this.view.state.tr.setMeta(highlightKey, range || null))
    if (!range) return
    const { node } = this.view.domAtPos(range.from)
    const element = node.nodeType === 1 ? node : node.parentElement
    if (element && element.scrollIntoView) element.scrollIntoView({ block: 'center' })
  }

  /** Apply a suggestion's replacement as a normal edit (edit access only). */
  acceptSuggestion (id) {
    const suggestion = this.suggestions.find((s) => s.id === id)
    if (!suggestion || suggestion.replacement === null || this.getAccess() !== 'edit' || !this.view) return false
    const range = this.rangeOf(suggestion)
    if (!range) { this._revalidate(); return false }
    this.suggestions = this.suggestions.filter((s) => s !== suggestion)
    const { state } = this.view
    // The replacement keeps the marks of the first character it replaces.
    const marks = state.doc.nodeAt(range.from)?.marks || []
    const tr = suggestion.replacement
      ? state.tr.replaceWith(range.from, range.to, state.schema.text(suggestion.replacement, marks))
      : state.tr.delete(range.from, range.to)
    this.view.dispatch(tr.setMeta(highlightKey, null))
    this.render()
    this._setStatus(`Changed “${suggestion.original}” to “${suggestion.replacement}”.`)
    this._record('accepted', suggestion)
    return true
  }

  /** Hide a suggestion for this page and record the decision (any access). */
  rejectSuggestion (id) {
    const suggestion = this.suggestions.find((s) => s.id === id)
    if (!suggestion) return false
    this._rejected.add(rejectKey(suggestion))
    this.suggestions = this.suggestions.filter((s) => s !== suggestion)
    this.render()
    this._setStatus(`Left “${suggestion.original}” as it is.`)
    this._record('rejected', suggestion)
    return true
  }

  /** Decisions are audited on the server; the edit itself travels over /collab. */
  _record (decision, s) {
    const url = this.url.replace(/\/assistant$/, '/suggestions/decision')
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': this.csrfToken },
      body: JSON.stringify({ decision, rule: s.rule, original: s.original, replacement: s.replacement })
    }).catch(() => {}) // best effort: the change itself is already saved and attributed
  }

  _setStatus (message) {
    if (this._status && this._status.textContent !== message) this._status.textContent = message
  }

  /** Re-draw the lists from the current suggestions, findings and notices. */
  render () {
    const canEdit = this.getAccess() === 'edit'
    this._suggestionList.replaceChildren(...this.suggestions.map((s) => this._suggestionItem(s, canEdit)))
    this._findingList.replaceChildren(...this.findings.map((f) => this._findingItem(f)))
    this._noticeBox.replaceChildren(...this.notices.map((n) => el('p', 'govuk-inset-text app-check__notice', n)))
    this._renderMeasures()
    this.root.querySelector('#check-suggestions-empty').hidden = this.suggestions.length > 0
    this.root.querySelector('#check-findings-empty').hidden = this.findings.length > 0
    const count = (n, one, many) => `${n} ${n === 1 ? one : many}`
    this._setStatus(`${count(this.suggestions.length, 'suggestion', 'suggestions')}, ${count(this.findings.length, 'thing', 'things')} to look at.`)
  }

  /** Reading age and ease of the whole text: plans aim at a reading age of 9 to 11. */
  _renderMeasures () {
    const m = this.measures
    if (!this._measuresBox) return
    if (!m || !m.words) { this._measuresBox.hidden = true; return }
    const age = Math.round(Number(m.reading_age))
    const ease = Math.round(Number(m.flesch_reading_ease))
    const long = Number(m.long_sentences) || 0
    let text = `Reading age about ${age} (reading ease ${ease} out of 100). Aim for a reading age of 9 to 11.`
    if (long) text += ` ${long} ${long === 1 ? 'sentence is' : 'sentences are'} over 25 words.`
    this._measuresBox.textContent = text
    this._measuresBox.hidden = false
  }

  _suggestionItem (s, canEdit) {
    const li = el('li', 'app-check__item')
    li.dataset.suggestionId = String(s.id)
    li.dataset.rule = s.rule
    const show = el('button', 'app-check__show app-link-button govuk-link')
    show.type = 'button'
    show.dataset.action = 'highlight'
    show.textContent = s.replacement === null ? `“${s.original}”` : `“${s.original}” → “${s.replacement}”`
    show.addEventListener('click', () => this.highlight(this.rangeOf(s)))
    li.append(show, el('span', 'app-check__reason govuk-body-s', s.reason))
    if (canEdit && s.replacement !== null) {
      const accept = el('button', 'govuk-button govuk-button--secondary app-check__accept', 'Accept')
      accept.type = 'button'
      accept.dataset.action = 'accept'
      accept.append(el('span', 'govuk-visually-hidden', `: change “${s.original}” to “${s.replacement}”`))
      accept.addEventListener('click', () => this.acceptSuggestion(s.id))
      li.append(accept)
    }
    const reject = el('button', 'govuk-button govuk-button--secondary app-check__reject', 'Leave as it is')
    reject.type = 'button'
    reject.dataset.action = 'reject'
    reject.append(el('span', 'govuk-visually-hidden', `: keep “${s.original}”`))
    reject.addEventListener('click', () => this.rejectSuggestion(s.id))
    li.append(reject)
    return li
  }

  _findingItem (f) {
    const li = el('li', 'app-check__item')
    li.dataset.kind = String(f.kind || '')
    const tag = el('strong', `govuk-tag ${SEVERITY_TAG[f.severity] || 'govuk-tag--grey'} app-check__severity`, String(f.severity || 'note'))
    const section = f.section ? `Section ${f.section}: ` : ''
    const quote = typeof f.quote === 'string' ? f.quote : ''
    let message
    if (quote && this.view && findAll(this.doc, quote).length) {
      message = el('button', 'app-check__show app-link-button govuk-link', `${section}${f.message}`)
      message.type = 'button'
      message.dataset.action = 'highlight'
      message.addEventListener('click', () => {
        this.highlight(findOccurrence(this.doc, quote)) // the text may have moved since rendering
      })
    } else {
      message = el('span', 'app-check__message', `${section}${f.message}`)
    }
    li.append(tag, message)
    if (quote) li.append(el('q', 'app-check__quote govuk-body-s', quote))
    const source = findingLink(f)
    if (source) li.append(source)
    return li
  }

  destroy () {
    clearTimeout(this._timer)
    if (this._controller) this._controller.abort()
  }
}
