// The caseworker's desk (portal/templates/cases/desk.html): one contribution
// on the left, read-only and live; the plan's sections on the right, each a
// live editor. Selected words are sent to a section as an ordinary edit of
// it, carrying a `source` mark whose ref the portal records first, so every
// open editor sees the passage arrive and where it came from. "Start the
// draft" lists proposals from submitted advice; an accepted one goes in the
// same way. All documents share one /collab connection.
import * as Y from 'yjs'
import { io } from 'socket.io-client'
import { Fragment, Slice } from 'prosemirror-model'
import { keymap } from 'prosemirror-keymap'
import { Plugin } from 'prosemirror-state'
import { FRAGMENT_NAME, schema } from './schema.js'
import { SocketIOProvider } from './socketio-provider.js'
import { makeUser } from './presence.js'
import { createEditorView } from './editor-view.js'
import { provenancePlugin, refreshProvenance } from './provenance.js'
import { el } from './dom.js'

const byId = (id) => document.getElementById(id)
const root = byId('ehcp-desk')

function readJson (value, fallback) {
  try { return JSON.parse(value) } catch { return fallback }
}

const config = root && {
  caseId: root.dataset.caseId,
  personId: root.dataset.personId,
  userName: root.dataset.userName || 'Someone',
  userRole: root.dataset.userRole || '',
  excerptsUrl: root.dataset.excerptsUrl,
  provenanceUrl: root.dataset.provenanceUrl,
  draftUrl: root.dataset.draftUrl,
  sections: readJson(root.dataset.sections, []),
  contributions: readJson(root.dataset.contributions, []),
  csrfToken: (document.querySelector('meta[name="csrf-token"]') || {}).content || ''
}

function announce (message) {
  const line = byId('desk-announce')
  line.textContent = ''
  // A new node each time, so screen readers say a repeated message again.
  window.setTimeout(() => { line.textContent = message }, 50)
}

async function call (url, body) {
  const options = body === undefined
    ? { credentials: 'same-origin', headers: { Accept: 'application/json' } }
    : {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': config.csrfToken },
        body: JSON.stringify(body)
      }
  let response
  try {
    response = await fetch(url, options)
  } catch {
    throw new Error('Could not reach the portal. Check your connection and try again.')
  }
  const answer = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(answer.error || `The portal refused that (${response.status}).`)
  return answer
}

// -- documents ---------------------------------------------------------------

function openDoc (socket, user, { docId, mount, editable, caretOnly = false, labelledBy, describedBy, plugins, statusLine }) {
  const ydoc = new Y.Doc()
  const provider = new SocketIOProvider({ ydoc, docId, socket, user })
  const entry = { docId, ydoc, provider, view: null, access: null, touched: false }
  const canEdit = () => editable && entry.access === 'edit'
  entry.view = createEditorView({
    fragment: ydoc.getXmlFragment(FRAGMENT_NAME),
    awareness: provider.awareness,
    mount,
    canEdit,
    getMaxUpdateBytes: () => provider.limits.maxUpdateBytes,
    onInputChecked: (message) => { if (message) announce(message) },
    plugins,
    labelledBy,
    describedBy,
    caretOnly
  })
  provider.on('access', (access) => {
    entry.access = access
    if (!caretOnly) entry.view.setProps({ editable: canEdit })
  })
  provider.on('synced', () => { mount.dataset.state = 'ready' })
  if (statusLine) provider.on('status', (status) => { statusLine.textContent = status.message })
  for (const event of ['join-refused', 'server-error']) provider.on(event, ({ message }) => announce(message))
  entry.view.dom.addEventListener('focus', () => { entry.touched = true })
  return entry
}

function closeDoc (entry) {
  entry.view.destroy()
  entry.provider.destroy()
  entry.ydoc.destroy()
}

// Every text node of a slice gets the mark (any other source mark is replaced).
function markAll (fragment, mark) {
  const nodes = []
  fragment.forEach((node) => {
    nodes.push(node.isText ? node.mark(mark.addToSet(node.marks)) : node.copy(markAll(node.content, mark)))
  })
  return Fragment.fromArray(nodes)
}

const isBlank = (doc) => doc.childCount === 1 && doc.firstChild.type.name === 'paragraph' && doc.firstChild.content.size === 0

// Put a slice in a section: where its caret was, or at its end if it was
// never visited; an empty section is replaced rather than kept as a blank line.
function insertSlice (target, slice) {
  const { state } = target.view
  const tr = state.tr
  if (isBlank(state.doc)) {
    tr.replace(0, state.doc.content.size, slice)
  } else {
    const at = target.touched ? state.selection.to : state.doc.content.size
    tr.replaceRange(at, at, slice)
  }
  target.view.dispatch(tr.scrollIntoView())
}

// A paragraph at the end of a section, or at the end of the part under a
// heading with these words (added if missing): Section B's broad areas.
function insertUnderHeading (target, heading, paragraph) {
  const { state } = target.view
  const { doc } = state
  const tr = state.tr
  if (isBlank(doc)) {
    const nodes = heading ? [schema.nodes.heading.create({ level: 2 }, schema.text(heading)), paragraph] : [paragraph]
    tr.replaceWith(0, doc.content.size, nodes)
  } else if (!heading) {
    tr.insert(doc.content.size, paragraph)
  } else {
    let start = -1
    let end = doc.content.size
    let level = 2
    doc.forEach((node, offset) => {
      if (node.type.name !== 'heading') return
      if (start < 0 && node.textContent.trim().toLowerCase() === heading.toLowerCase()) {
        start = offset
        level = node.attrs.level
      } else if (start >= 0 && end === doc.content.size && offset > start && node.attrs.level <= level) {
        end = offset
      }
    })
    if (start < 0) {
      tr.insert(doc.content.size, [schema.nodes.heading.create({ level: 2 }, schema.text(heading)), paragraph])
    } else {
      // A section written as a list ("B1. ...") gets one more item, not a
      // paragraph after the list.
      const before = doc.resolve(end).nodeBefore
      if (end > start && before && before.type.name === 'bullet_list') {
        tr.insert(end - 1, schema.nodes.list_item.create(null, paragraph))
      } else {
        tr.insert(end, paragraph)
      }
    }
  }
  target.view.dispatch(tr.scrollIntoView())
}

// -- the page ------------------------------------------------------------------

function mount () {
  const socket = io('/collab', { path: '/socket.io', withCredentials: true })
  const user = makeUser(config.userName, config.userRole)
  const details = new Map()
  const sections = {}
  let usage = []
  let source = null

  for (const section of config.sections) {
    const key = section.key
    sections[key] = openDoc(socket, user, {
      docId: section.id,
      mount: byId(`plan-${key}-mount`),
      editable: true,
      labelledBy: `plan-${key}-label`,
      describedBy: `plan-${key}-status plan-${key}-source`,
      statusLine: byId(`plan-${key}-status`),
      plugins: [provenancePlugin({ getDetails: () => details, line: byId(`plan-${key}-source`) })]
    })
  }

  // -- where passages came from, and how much of each contribution is used
  function showUsage () {
    const box = byId('desk-usage')
    if (!box || !source) return
    const found = usage.find((u) => String(u.id) === String(source.docId))
    if (!found) { box.replaceChildren(); return }
    const parts = [el('p', 'govuk-body-s govuk-!-margin-bottom-1',
      found.passages
        ? `About ${found.percent_used}% of this contribution is in the plan (${found.passages} ${found.passages === 1 ? 'passage' : 'passages'}).`
        : 'Nothing from this contribution is in the plan yet.')]
    if (found.not_in_plan && found.not_in_plan.length) {
      parts.push(el('p', 'govuk-body-s govuk-!-margin-bottom-1', 'Recommendations not in the plan yet:'))
      const list = el('ul', 'govuk-list govuk-list--bullet govuk-body-s')
      for (const message of found.not_in_plan) list.append(el('li', '', message))
      parts.push(list)
    }
    box.replaceChildren(...parts)
  }

  // Section K is written by the portal: redraw it as advice is submitted or reopened.
  function showSectionK (entries) {
    const list = byId('section-k-list')
    if (!list) return
    let fresh
    if (!entries.length) {
      fresh = el('p', 'govuk-body', 'No advice or information has been received yet.')
    } else {
      fresh = el('ol', 'govuk-list app-section-k')
      entries.forEach((entry, n) => {
        const item = el('li', 'app-section-k__item')
        item.dataset.source = entry.outside ? 'outside' : 'portal'
        const title = entry.link ? el('a', 'govuk-link', entry.title) : document.createTextNode(entry.title)
        if (entry.link) title.href = entry.link
        item.append(el('span', 'app-section-k__ref', `K${n + 1}.`), ' ', title, entry.details)
        fresh.append(item)
      })
    }
    fresh.id = 'section-k-list'
    list.replaceWith(fresh)
  }

  async function loadProvenance () {
    try {
      const answer = await call(config.provenanceUrl)
      details.clear()
      for (const passage of answer.passages || []) details.set(passage.ref, passage)
      usage = answer.contributions || []
      for (const entry of Object.values(sections)) refreshProvenance(entry.view)
      showUsage()
      if (answer.section_k) showSectionK(answer.section_k)
    } catch (err) {
      announce(err.message)
    }
  }

  // Once the sections have saved what was sent, the portal can count it.
  function whenSaved (entry, then) {
    let tries = 0
    const wait = () => {
      if (entry.provider.pendingCount === 0 || tries++ > 50) then()
      else window.setTimeout(wait, 100)
    }
    wait()
  }

  // -- the contribution on the left
  const picker = byId('desk-contribution')
  const sendButton = byId('desk-send')
  const targetPicker = byId('desk-target')

  const selectionWatcher = new Plugin({
    view: () => ({
      update (view) {
        if (sendButton) sendButton.disabled = view.state.selection.empty
      }
    })
  })

  function showSource (docId) {
    if (source) closeDoc(source)
    const mountPoint = byId('desk-source-mount')
    mountPoint.dataset.state = 'connecting'
    source = openDoc(socket, user, {
      docId: Number(docId),
      mount: mountPoint,
      editable: false,
      caretOnly: true,
      labelledBy: 'desk-contribution',
      describedBy: 'desk-source-hint',
      plugins: [
        keymap({ 'Mod-Shift-Enter': () => { send(); return true } }),
        selectionWatcher
      ]
    })
    if (sendButton) sendButton.disabled = true
    showUsage()
  }

  async function send () {
    if (!source) return
    const { state } = source.view
    const { from, to, empty } = state.selection
    if (empty) { announce('Select some words in the contribution first.'); return }
    const key = targetPicker.value
    const target = sections[key]
    if (!target || target.access !== 'edit') { announce(`Section ${key} is not open for editing yet. Try again in a moment.`); return }
    const quote = state.doc.textBetween(from, to, '\n', ' ')
    const slice = state.doc.slice(from, to)
    let excerpt
    try {
      excerpt = await call(config.excerptsUrl, { source: source.docId, section: key, quote })
    } catch (err) {
      announce(err.message)
      return
    }
    details.set(excerpt.ref, excerpt)
    const mark = schema.marks.source.create({ ref: excerpt.ref })
    insertSlice(target, new Slice(markAll(slice.content, mark), slice.openStart, slice.openEnd))
    announce(`Sent to Section ${key}. It keeps a link to ${excerpt.title}.`)
    whenSaved(target, loadProvenance)
  }

  if (picker) {
    picker.addEventListener('change', () => showSource(picker.value))
    sendButton.addEventListener('click', send)
    showSource(picker.value)
  }

  // -- "Start the draft"
  const list = byId('desk-proposals')

  function renderProposals (proposals) {
    list.replaceChildren(...proposals.map((p) => {
      const item = el('li', 'app-desk__proposal')
      item.dataset.proposalId = p.id
      item.dataset.status = p.status
      const where = p.area ? `Section ${p.section}: ${p.area}` : `Section ${p.section}`
      const head = el('p', 'govuk-body-s govuk-!-margin-bottom-1')
      head.append(el('strong', '', where), ` – from `)
      const link = el('a', 'govuk-link', p.source.title)
      link.href = p.source.link
      head.append(link)
      item.append(head)
      if (p.status !== 'open') {
        item.append(el('p', 'govuk-body-s', p.text), el('strong', `govuk-tag ${p.status === 'accepted' ? 'govuk-tag--green' : 'govuk-tag--grey'}`, p.status === 'accepted' ? 'Accepted' : 'Rejected'))
        return item
      }
      const id = `proposal-${p.id}-text`
      const label = el('label', 'govuk-label govuk-label--s', `Proposed text for ${where}`)
      label.htmlFor = id
      const box = el('textarea', 'govuk-textarea govuk-!-margin-bottom-2')
      box.id = id
      box.rows = 3
      box.value = p.text
      const buttons = el('div', 'govuk-button-group govuk-!-margin-bottom-0')
      const accept = el('button', 'govuk-button govuk-!-margin-bottom-0', 'Accept')
      accept.type = 'button'
      accept.dataset.action = 'accept'
      accept.setAttribute('aria-describedby', id)
      const reject = el('button', 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'Reject')
      reject.type = 'button'
      reject.dataset.action = 'reject'
      reject.setAttribute('aria-describedby', id)
      accept.addEventListener('click', () => decide(p, 'accept', box.value, item))
      reject.addEventListener('click', () => decide(p, 'reject', null, item))
      buttons.append(accept, reject)
      item.append(label, box, buttons)
      return item
    }))
  }

  let proposals = []
  async function decide (proposal, action, text, item) {
    const target = sections[proposal.section]
    if (action === 'accept' && (!target || target.access !== 'edit')) {
      announce(`Section ${proposal.section} is not open for editing yet. Try again in a moment.`)
      return
    }
    let answer
    try {
      answer = await call(`${config.draftUrl}/${proposal.id}/${action}`, action === 'accept' ? { text } : {})
    } catch (err) {
      announce(err.message)
      return
    }
    if (action === 'accept') {
      const { excerpt } = answer
      details.set(excerpt.ref, excerpt)
      const mark = schema.marks.source.create({ ref: excerpt.ref })
      const paragraph = schema.nodes.paragraph.create(null, schema.text(answer.proposal.text, [mark]))
      insertUnderHeading(target, proposal.area, paragraph)
      whenSaved(target, loadProvenance)
    }
    proposals = proposals.map((p) => (p.id === proposal.id ? answer.proposal : p))
    const next = item.nextElementSibling
    renderProposals(proposals)
    announce(action === 'accept' ? `Added to Section ${proposal.section}.` : 'Proposal rejected.')
    // Keep the keyboard where it was: on the next proposal's text.
    const focusTo = next && list.querySelector(`[data-proposal-id="${next.dataset.proposalId}"] textarea`)
    if (focusTo) focusTo.focus()
  }

  byId('desk-start-draft').addEventListener('click', async () => {
    try {
      const answer = await call(config.draftUrl, {})
      proposals = answer.proposals
      renderProposals(proposals)
      const said = answer.added
        ? `${answer.added} ${answer.added === 1 ? 'proposal' : 'proposals'} from submitted advice. Accept, edit or reject each one.`
        : 'No new proposals: every item of submitted advice has been proposed already.'
      announce(answer.notice ? `${said} ${answer.notice}` : said)
    } catch (err) {
      announce(err.message)
    }
  })
  call(config.draftUrl).then((answer) => { proposals = answer.proposals; renderProposals(proposals) }).catch(() => {})

  loadProvenance()
  const timer = window.setInterval(loadProvenance, 20000)
  window.addEventListener('beforeunload', (event) => {
    if (Object.values(sections).some((entry) => entry.provider.hasUnsavedChanges)) event.preventDefault()
  })
  window.addEventListener('pagehide', () => {
    window.clearInterval(timer)
    for (const entry of [...Object.values(sections), source]) if (entry) entry.provider.removeLocalPresence()
  })

  root.dataset.state = 'ready'
  window.ehcpDesk = {
    socket,
    get source () { return source },
    sections,
    provenance: details,
    reload: loadProvenance,
    send
  }
}

if (root) mount()
