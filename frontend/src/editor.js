// The live document editor: mounts on portal/templates/documents/_editor.html.
//
// Without JavaScript the page shows the server-rendered text. With it, this
// module connects to /collab, binds CodeMirror 6 to the shared Y.Text, shows
// a live preview, the save status, who is here and the Check panel, and
// exposes window.ehcpEditor = {ydoc, ytext, provider, awareness, view, check}
// for browser tests.
import * as Y from 'yjs'
import { Compartment, EditorState } from '@codemirror/state'
import { EditorView, drawSelection, keymap, highlightSpecialChars } from '@codemirror/view'
import { defaultKeymap, indentWithTab } from '@codemirror/commands'
import { LanguageSupport, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { markdownKeymap, markdownLanguage } from '@codemirror/lang-markdown'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import { SocketIOProvider } from './socketio-provider.js'
import { makeUser, renderPresence } from './presence.js'
import { bindPreview } from './preview.js'
import { CheckPanel } from './check-panel.js'

const byId = (id) => document.getElementById(id)

function readOnlyExtensions (access) {
  const readOnly = access !== 'edit'
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]
}

function readConfig (root) {
  const raw = root.dataset.docId
  return {
    docId: /^\d+$/.test(raw) ? Number(raw) : raw,
    access: root.dataset.access,
    userName: root.dataset.userName || 'Someone',
    userRole: root.dataset.userRole || '',
    socketUrl: root.dataset.socketUrl || '',
    assistantUrl: root.dataset.assistantUrl,
    csrfToken: (document.querySelector('meta[name="csrf-token"]') || {}).content || ''
  }
}

function createView ({ ytext, provider, access, readOnlyCompartment, check }) {
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
  box.textContent = message
  box.hidden = !message
}

function mount (root) {
  const config = readConfig(root)
  const ydoc = new Y.Doc()
  const ytext = ydoc.getText('content')
  const user = makeUser(config.userName, config.userRole)
  const provider = new SocketIOProvider({ ydoc, docId: config.docId, url: config.socketUrl, user })
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
  const view = createView({ ytext, provider, access, readOnlyCompartment, check })
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
  provider.on('refused', ({ message }) => showError(`${message}. Reload the page to see the saved text.`))
  provider.on('server-error', ({ message }) => showError(message))
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

  for (const id of ['editor-edit', 'editor-presence-wrap', 'check-panel']) byId(id).hidden = false
  byId('editor-preview-heading').textContent = 'Preview'
  const source = byId('editor-source')
  if (source) source.remove()
  root.dataset.state = 'connecting'
  if (provider.status) showStatus(root, provider.status)

  window.ehcpEditor = { ydoc, ytext, provider, awareness: provider.awareness, view, check, preview }
  return window.ehcpEditor
}

const root = byId('ehcp-editor')
if (root) mount(root)
