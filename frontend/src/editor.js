// The live document editor: mounts on portal/templates/documents/_editor.html.
//
// Without JavaScript the page shows the server-rendered text. With it, this
// module connects to /collab, binds CodeMirror 6 to the shared Y.Text, keeps
// unsent edits on this device (editors only), shows a live preview, the save
// status, who is here and the Check panel, and exposes
// window.ehcpEditor = {ydoc, ytext, provider, awareness, view, check, preview, localCopy}
// for browser tests. CodeMirror-specific code stays here and thin: the rest
// (saving, the size guard, local copies) does not know which editor is used.
import * as Y from 'yjs'
import { Compartment, EditorState, Transaction } from '@codemirror/state'
import { EditorView, drawSelection, keymap, highlightSpecialChars } from '@codemirror/view'
import { defaultKeymap, indentWithTab } from '@codemirror/commands'
import { LanguageSupport, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { markdownKeymap, markdownLanguage } from '@codemirror/lang-markdown'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import { SocketIOProvider } from './socketio-provider.js'
import { makeUser, renderPresence } from './presence.js'
import { bindPreview } from './preview.js'
import { CheckPanel } from './check-panel.js'
import { byteLength, largestInsert, oversizedInsertMessage } from './size-guard.js'
import { deleteLocalCopies, localCopyName } from './local-databases.js'
import { openLocalCopy } from './local-copy.js'
import { guardUnsavedChanges } from './unsaved-guard.js'

const byId = (id) => document.getElementById(id)

function readOnlyExtensions (access) {
  const readOnly = access !== 'edit'
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]
}

function readConfig (root) {
  const raw = root.dataset.docId
  return {
    docId: /^\d+$/.test(raw) ? Number(raw) : raw,
    personId: root.dataset.personId || '',
    access: root.dataset.access,
    userName: root.dataset.userName || 'Someone',
    userRole: root.dataset.userRole || '',
    socketUrl: root.dataset.socketUrl || '',
    assistantUrl: root.dataset.assistantUrl,
    csrfToken: (document.querySelector('meta[name="csrf-token"]') || {}).content || ''
  }
}

// A change typed, pasted or dropped that adds more text than one message to
// the server can carry never enters the document; `onChecked` gets the
// sentence to show, or null. Remote changes carry no user event and pass.
function refuseOversizedInput (maxUpdateBytes, onChecked) {
  return EditorState.changeFilter.of((tr) => {
    if (!tr.annotation(Transaction.userEvent)) return true
    const inserted = []
    tr.changes.iterChanges((fromA, toA, fromB, toB, text) => inserted.push(text))
    const units = inserted.reduce((n, text) => n + text.length, 0)
    // A UTF-16 unit is at most 3 bytes of UTF-8: most changes need no counting.
    const bytes = units * 3 <= largestInsert(maxUpdateBytes())
      ? 0
      : inserted.reduce((n, text) => n + byteLength(text.toString()), 0)
    const message = oversizedInsertMessage(bytes, maxUpdateBytes(), tr.isUserEvent('input.paste'))
    onChecked(message)
    return !message
  })
}

function createView ({ ytext, provider, access, readOnlyCompartment, check, onInputChecked }) {
  const undoManager = new Y.UndoManager(ytext)
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      highlightSpecialChars(),
      drawSelection(),
      EditorView.lineWrapping,
      new LanguageSupport(markdownLanguage),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      // Tab indents (nested lists), so keyboard users leave with Escape then Tab.
      keymap.of([...yUndoManagerKeymap, ...markdownKeymap, ...defaultKeymap, indentWithTab]),
      yCollab(ytext, provider.awareness, { undoManager }),
      readOnlyCompartment.of(readOnlyExtensions(access)),
      refuseOversizedInput(() => provider.limits.maxUpdateBytes, onInputChecked),
      EditorView.contentAttributes.of({
        'aria-labelledby': 'editor-label',
        'aria-describedby': 'editor-hint editor-status',
        // Focusable even when read-only, so keyboard users can reach and
        // scroll the text (axe: scrollable-region-focusable).
        tabindex: '0'
      }),
      check.extensions()
    ]
  })
  return new EditorView({ state, parent: byId('editor-mount') })
}

function showStatus (root, status) {
  root.dataset.status = status.state
  const line = byId('editor-status')
  if (line.textContent !== status.message) line.textContent = status.message
}

function showError (message) {
  const box = byId('editor-error')
  box.textContent = message || ''
  box.hidden = !message
}

// Unsent edits survive closing the tab, for people who may edit; other
// people's copies are removed from this browser (a shared computer).
function openCopies (config, ydoc) {
  if (!config.personId) return null
  deleteLocalCopies({ keepPersonId: config.personId }).catch(() => {})
  if (config.access !== 'edit') return null
  return openLocalCopy(ydoc, localCopyName(config.personId, config.docId))
}

function mount (root) {
  const config = readConfig(root)
  const ydoc = new Y.Doc()
  const ytext = ydoc.getText('content')
  const user = makeUser(config.userName, config.userRole)
  const localCopy = openCopies(config, ydoc)
  const provider = new SocketIOProvider({
    ydoc, docId: config.docId, url: config.socketUrl, user, restoreOrigin: localCopy
  })
  if (localCopy) localCopy.whenSynced.then(() => provider.setKeepsLocalCopy(true))
  const readOnlyCompartment = new Compartment()
  let access = config.access

  const check = new CheckPanel({
    root: byId('check-panel'),
    ydoc,
    ytext,
    url: config.assistantUrl,
    csrfToken: config.csrfToken,
    getAccess: () => access
  })
  // A size message stays until the next change that is let in.
  let sizeMessage = null
  const onInputChecked = (message) => {
    if (message === sizeMessage) return
    sizeMessage = message
    showError(message)
  }
  const view = createView({ ytext, provider, access, readOnlyCompartment, check, onInputChecked })
  check.view = view
  const preview = bindPreview(byId('editor-preview'), ytext)

  provider.on('status', (status) => showStatus(root, status))
  provider.on('access', (next) => {
    access = next
    root.dataset.access = next
    view.dispatch({ effects: readOnlyCompartment.reconfigure(readOnlyExtensions(next)) })
    check.render()
  })
  provider.on('synced', () => {
    root.dataset.state = 'ready'
    preview.render()
    check.schedule()
  })
  // The server sends an `error` event with each refusal as well: the status
  // line says it (and that we retry), and once all is saved it is history.
  provider.on('server-error', ({ message }) => showError(message))
  provider.on('refused', ({ message }) => {
    if (byId('editor-error').textContent === message) showError(null)
  })
  provider.on('status', (status) => {
    if (status.state === 'saved' && !sizeMessage) showError(null)
  })
  provider.on('join-refused', ({ message }) => showError(message))
  provider.on('connect-refused', ({ message }) => showError(`Could not connect to the live editor: ${message}`))

  const presenceList = byId('editor-presence')
  provider.awareness.on('change', () => renderPresence(presenceList, provider.awareness))
  renderPresence(presenceList, provider.awareness)

  // Leave the presence list when the page goes away; come back if restored
  // from the back/forward cache.
  window.addEventListener('pagehide', () => provider.removeLocalPresence())
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) provider.awareness.setLocalStateField('user', user)
  })
  byId('editor-label').addEventListener('click', () => view.focus())
  guardUnsavedChanges({
    provider, localCopy, discardBox: byId('editor-unsaved'), discardButton: byId('editor-discard')
  })

  for (const id of ['editor-edit', 'editor-presence-wrap', 'check-panel']) byId(id).hidden = false
  byId('editor-preview-heading').textContent = 'Preview'
  const source = byId('editor-source')
  if (source) source.remove()
  root.dataset.state = 'connecting'
  if (provider.status) showStatus(root, provider.status)

  window.ehcpEditor = { ydoc, ytext, provider, awareness: provider.awareness, view, check, preview, localCopy }
  return window.ehcpEditor
}

const root = byId('ehcp-editor')
if (root) mount(root)
