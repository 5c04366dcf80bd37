// The "Check" panel: plain-English suggestions and gap findings from
// POST /api/documents/<id>/assistant, anchored to the shared text.
//
// Each suggestion is anchored with Yjs relative positions when it arrives, so
// it follows its text under concurrent edits, and is dropped as soon as its
// range is gone or no longer reads `original`. "Accept" applies the
// replacement through CodeMirror, so y-codemirror.next turns it into an
// ordinary Yjs edit from this connection (and it can be undone).
import * as Y from 'yjs'
import { ChangeSet, StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView } from '@codemirror/view'

const REFRESH_DELAY_MS = 800

const setHighlight = StateEffect.define()
const highlightMark = Decoration.mark({ class: 'app-check-highlight' })

/** The CodeMirror field that draws the highlighted suggestion or finding. */
export const highlightField = StateField.define({
  create: () => Decoration.none,
  update (value, tr) {
    value = value.map(tr.changes)
    for (const effect of tr.effects) {
      if (!effect.is(setHighlight)) continue
      const range = effect.value
      value = range && range.to > range.from ? Decoration.set([highlightMark.range(range.from, range.to)]) : Decoration.none
    }
    return value
  },
  provide: (field) => EditorView.decorations.from(field)
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

function el (tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

export class CheckPanel {
  /**
   * @param {object} o
   * @param {HTMLElement} o.root the <aside id="check-panel">
   * @param {Y.Doc} o.ydoc
   * @param {Y.Text} o.ytext
   * @param {string} o.url the assistant endpoint
   * @param {string} o.csrfToken
   * @param {() => string|null} o.getAccess
   */
  constructor ({ root, ydoc, ytext, url, csrfToken, getAccess }) {
    Object.assign(this, { root, ydoc, ytext, url, csrfToken, getAccess })
    this.view = null
    this.suggestions = []
    this.findings = []
    this.notices = []
    this._seq = 0
    this._nextId = 1
    this._rejected = new Set()
    this._timer = null
    this._controller = null
    this._changesSinceSend = null
    this._status = root.querySelector('#check-status')
    this._suggestionList = root.querySelector('#check-suggestions')
    this._findingList = root.querySelector('#check-findings')
    this._noticeBox = root.querySelector('#check-notices')
    this._measuresBox = root.querySelector('#check-measures')
    this.measures = null
    this._onText = () => { this._revalidate(); this.schedule() }
    ytext.observe(this._onText)
  }

  /** CodeMirror extensions: the highlight and the change tracking for in-flight checks. */
  extensions () {
    return [
      highlightField,
      EditorView.updateListener.of((update) => {
        if (update.docChanged && this._changesSinceSend) {
          this._changesSinceSend = this._changesSinceSend.compose(update.changes)
        }
      })
    ]
  }

  /** Run a check ~800 ms after the text stops changing. */
  schedule () {
    clearTimeout(this._timer)
    this._timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS)
  }

  /** Check the current text now; a newer request makes older answers stale. */
  async refresh () {
    clearTimeout(this._timer)
    const seq = ++this._seq
    if (this._controller) this._controller.abort()
    const controller = this._controller = new AbortController()
    const sent = this.ytext.toString()
    this._changesSinceSend = ChangeSet.empty(sent.length)
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
    const mapping = this._changesSinceSend
    const text = this.ytext.toString()
    this.suggestions = []
    for (const s of Array.isArray(body.suggestions) ? body.suggestions : []) {
      const at = locateInSent(sent, s)
      if (!at) continue
      const from = mapping.mapPos(at.from, 1)
      const to = Math.max(from, mapping.mapPos(at.to, -1))
      if (text.slice(from, to) !== s.original) continue // edited while the check ran
      if (this._rejected.has(rejectKey(s))) continue // the person said no on this page
      this.suggestions.push({
        id: this._nextId++,
        original: s.original,
        replacement: typeof s.replacement === 'string' ? s.replacement : null,
        reason: String(s.reason || ''),
        rule: String(s.rule || ''),
        startRel: Y.createRelativePositionFromTypeIndex(this.ytext, from, 0),
        endRel: from === to ? null : Y.createRelativePositionFromTypeIndex(this.ytext, to, -1)
      })
    }
    this.findings = Array.isArray(body.findings) ? body.findings : []
    this.notices = Array.isArray(body.notices) ? body.notices.map(String) : []
    this.measures = body.measures && typeof body.measures === 'object' ? body.measures : null
    this.render()
  }

  /** The current range of a suggestion, or null when its text is gone or changed. */
  rangeOf (suggestion, text = this.ytext.toString()) {
    const start = Y.createAbsolutePositionFromRelativePosition(suggestion.startRel, this.ydoc)
    if (!start || start.type !== this.ytext) return null
    let to = start.index
    if (suggestion.endRel) {
      const end = Y.createAbsolutePositionFromRelativePosition(suggestion.endRel, this.ydoc)
      if (!end || end.type !== this.ytext) return null
      to = end.index
    }
    if (to < start.index || text.slice(start.index, to) !== suggestion.original) return null
    return { from: start.index, to }
  }

  _revalidate () {
    if (this.suggestions.length === 0) return
    const text = this.ytext.toString()
    const kept = this.suggestions.filter((s) => this.rangeOf(s, text))
    if (kept.length !== this.suggestions.length) {
      this.suggestions = kept
      this.render()
    }
  }

  /** Highlight a range in the editor and scroll to it. */
  highlight (range) {
    if (!this.view) return
    const effects = [setHighlight.of(range)]
    if (range) effects.push(EditorView.scrollIntoView(range.from, { y: 'center' }))
    this.view.dispatch({ effects })
  }

  /** Apply a suggestion's replacement as a normal edit (edit access only). */
  acceptSuggestion (id) {
    const suggestion = this.suggestions.find((s) => s.id === id)
    if (!suggestion || suggestion.replacement === null || this.getAccess() !== 'edit' || !this.view) return false
    const range = this.rangeOf(suggestion)
    if (!range) { this._revalidate(); return false }
    this.suggestions = this.suggestions.filter((s) => s !== suggestion)
    this.view.dispatch({
      changes: { from: range.from, to: range.to, insert: suggestion.replacement },
      effects: setHighlight.of(null),
      userEvent: 'input.assistant'
    })
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
    const text = this.ytext.toString()
    this._findingList.replaceChildren(...this.findings.map((f) => this._findingItem(f, text)))
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

  _findingItem (f, text) {
    const li = el('li', 'app-check__item')
    li.dataset.kind = String(f.kind || '')
    const tag = el('strong', `govuk-tag ${SEVERITY_TAG[f.severity] || 'govuk-tag--grey'} app-check__severity`, String(f.severity || 'note'))
    const section = f.section ? `Section ${f.section}: ` : ''
    const quote = typeof f.quote === 'string' ? f.quote : ''
    const at = quote ? text.indexOf(quote) : -1
    let message
    if (at >= 0) {
      message = el('button', 'app-check__show app-link-button govuk-link', `${section}${f.message}`)
      message.type = 'button'
      message.dataset.action = 'highlight'
      message.addEventListener('click', () => {
        const now = this.ytext.toString().indexOf(quote) // the text may have moved since rendering
        if (now >= 0) this.highlight({ from: now, to: now + quote.length })
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
    this.ytext.unobserve(this._onText)
  }
}
