// The live document editor: mounts on portal/templates/documents/_editor.html.
//
// Without JavaScript the page shows the server-rendered text. With it, this
// module connects to /collab, binds a ProseMirror editor to the shared
// Y.XmlFragment `body` (schema.js), keeps unsent edits on this device
// (editors only), and shows the formatting toolbar, sentence starters, the
// save status, who is here and the Check panel. It exposes
// window.ehcpEditor = {ydoc, fragment, provider, awareness, view, check, localCopy,
// text(), markdown()} for browser tests. The rest (saving, the size guard,
// local copies) does not know which editor is used.
import * as Y from 'yjs'
import { FRAGMENT_NAME } from './schema.js'
import { SocketIOProvider } from './socketio-provider.js'
import { makeUser, renderPresence } from './presence.js'
import { CheckPanel } from './check-panel.js'
import { deleteLocalCopies, localCopyName } from './local-databases.js'
import { openLocalCopy } from './local-copy.js'
import { guardUnsavedChanges } from './unsaved-guard.js'
import { createEditorView } from './editor-view.js'
import { createToolbar } from './toolbar.js'
import { createImagePanel } from './image-panel.js'
import { canRecord, createRecordingPanel } from './recording-panel.js'
import { parsePrompts, startersPlugin } from './starters.js'
import { docText } from './doc-text.js'
import { toMarkdown } from './to-markdown.js'
import { el, toolButton } from './dom.js'
import { provenancePlugin, refreshProvenance } from './provenance.js'
import { CommentsPanel, commentMarksPlugin } from './comments.js'

const byId = (id) => document.getElementById(id)

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
    imagesUrl: root.dataset.imagesUrl || '',
    imageAltLabel: root.dataset.imageAltLabel || '',
    imageAltHint: root.dataset.imageAltHint || '',
    recordingsUrl: root.dataset.recordingsUrl || '',
    provenanceUrl: root.dataset.provenanceUrl || '',
    prompts: parsePrompts(root.dataset.prompts),
    csrfToken: (document.querySelector('meta[name="csrf-token"]') || {}).content || ''
  }
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

// A toolbar button that opens and closes one of the inline panels.
function panelButton (panel, name, label, canEdit) {
  const button = toolButton(`app-editor__tool app-editor__tool--${name}`, label, () => {
    if (canEdit()) panel.isOpen() ? panel.close() : panel.open()
  })
  button.setAttribute('aria-expanded', 'false')
  button.setAttribute('aria-controls', panel.panel.id)
  new MutationObserver(() => button.setAttribute('aria-expanded', String(panel.isOpen())))
    .observe(panel.panel, { attributes: true, attributeFilter: ['hidden'] })
  return button
}

// Toolbar, picture and recording panels and starter row, placed above the editor.
function buildControls (config, canEdit, getView) {
  const plugins = []
  const extra = []
  let pictures = null
  let voice = null
  if (config.imagesUrl) {
    pictures = createImagePanel({
      url: config.imagesUrl,
      csrfToken: config.csrfToken,
      altLabel: config.imageAltLabel,
      altHint: config.imageAltHint,
      getView
    })
    extra.push(panelButton(pictures, 'picture', 'Add a picture', canEdit))
  }
  if (config.recordingsUrl && canRecord()) {
    voice = createRecordingPanel({ url: config.recordingsUrl, csrfToken: config.csrfToken, getView })
    extra.push(panelButton(voice, 'record', 'Record my voice', canEdit))
  }
  const toolbar = createToolbar({ canEdit, extra })
  plugins.push(toolbar.plugin)
  const parts = [toolbar.bar]
  if (pictures) parts.push(pictures.panel)
  if (voice) parts.push(voice.panel)
  if (config.prompts.length) {
    const row = el('div', 'app-editor__starters')
    row.hidden = true
    plugins.push(startersPlugin({ prompts: config.prompts, row, canEdit }))
    parts.push(row)
  }
  byId('editor-mount').before(...parts)
  return { plugins, pictures, voice, toolbar }
}

function mount (root) {
  const config = readConfig(root)
  const ydoc = new Y.Doc()
  const fragment = ydoc.getXmlFragment(FRAGMENT_NAME)
  const user = makeUser(config.userName, config.userRole)
  const localCopy = openCopies(config, ydoc)
  const provider = new SocketIOProvider({
    ydoc, docId: config.docId, url: config.socketUrl, user, restoreOrigin: localCopy
  })
  if (localCopy) localCopy.whenSynced.then(() => provider.setKeepsLocalCopy(true))
  let access = config.access
  const canEdit = () => access === 'edit'
  let view = null

  const checkRoot = byId('check-panel')
  const check = checkRoot
    ? new CheckPanel({ root: checkRoot, url: config.assistantUrl, csrfToken: config.csrfToken, getAccess: () => access })
    : null
  // A size message stays until the next change that is let in.
  let sizeMessage = null
  const onInputChecked = (message) => {
    if (message === sizeMessage) return
    sizeMessage = message
    showError(message)
  }
  const controls = buildControls(config, canEdit, () => view)
  // Plan sections show where each passage taken from advice came from.
  const sources = new Map()
  if (config.provenanceUrl && byId('editor-source')) {
    controls.plugins.push(provenancePlugin({ getDetails: () => sources, line: byId('editor-source') }))
  }
  view = createEditorView({
    fragment,
    awareness: provider.awareness,
    mount: byId('editor-mount'),
    canEdit,
    getMaxUpdateBytes: () => provider.limits.maxUpdateBytes,
    onInputChecked,
    plugins: [...controls.plugins, ...(check ? check.plugins() : []), commentMarksPlugin]
  })
  if (check) check.view = view
  // Comments beside the editor: anchored in the live text, refreshed when
  // the room says they changed.
  const comments = byId('comments')
    ? new CommentsPanel({ root: byId('comments'), view, ydoc, fragment, csrfToken: config.csrfToken, getAccess: () => access })
    : null
  if (comments) {
    provider.socket.on('comments', (note) => { if (note && note.doc === config.docId) comments.refresh() })
  }

  provider.on('status', (status) => showStatus(root, status))
  provider.on('access', (next) => {
    access = next
    root.dataset.access = next
    view.setProps({ editable: canEdit }) // re-reads editable and the attributes
    for (const panel of [controls.pictures, controls.voice]) {
      if (!canEdit() && panel && panel.isOpen()) panel.close()
    }
    if (check) check.render()
  })
  async function loadSources () {
    try {
      const answer = await fetch(config.provenanceUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (!answer.ok) return
      const { passages } = await answer.json()
      sources.clear()
      for (const passage of passages || []) sources.set(passage.ref, passage)
      refreshProvenance(view)
    } catch (err) {
      // Offline: passages keep their last known sources.
    }
  }
  provider.on('synced', () => {
    root.dataset.state = 'ready'
    if (check) check.schedule()
    // After every (re)join: a `comments` event missed while away is made good.
    if (comments) comments.refresh()
    if (config.provenanceUrl) loadSources()
  })
  if (config.provenanceUrl) window.setInterval(loadSources, 30000)
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

  for (const id of ['editor-presence-wrap', 'check-panel']) if (byId(id)) byId(id).hidden = false
  root.dataset.state = 'connecting'
  if (provider.status) showStatus(root, provider.status)

  window.ehcpEditor = {
    ydoc,
    fragment,
    provider,
    awareness: provider.awareness,
    view,
    check,
    comments,
    localCopy,
    text: () => docText(view.state.doc),
    markdown: () => toMarkdown(view.state.doc)
  }
  return window.ehcpEditor
}

const root = byId('ehcp-editor')
if (root) mount(root)
