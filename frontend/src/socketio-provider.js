// A Yjs provider over Socket.IO speaking docs/realtime-protocol.md.
//
// Runs in the browser (session cookie) and in Node (auth: {token}); it never
// touches the DOM. It owns the connection, the join, access and presence;
// saving local changes (coalescing, acknowledgements, resync after refusals,
// backoff) is the Saver's job (saver.js). Events (lib0 Observable):
//   'status'  ({state, message, access, pending, canDiscard})  whenever the status line changes
//   'access'  (access)                               join result or server `access` event
//   'synced'  ()                                     first server step 2 after each join
//   'refused' ({message})                            the server refused one of our writes
//   'server-error' ({message})                       a server `error` event for this doc
//   'join-refused' ({message})                       join acknowledged with ok: false
//   'connect-refused' ({message})                    the server refused the connection
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { Observable } from 'lib0/observable'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import { io } from 'socket.io-client'
import { Saver } from './saver.js'
import { describeStatus } from './save-status.js'
import { MESSAGE_AWARENESS, MESSAGE_SYNC, encodeAwareness, toBytes } from './sync-frames.js'

export { MESSAGE_AWARENESS, MESSAGE_SYNC, encodeStep1, encodeStep2, encodeUpdate, toBytes } from './sync-frames.js'
export { STATUS_TEXT } from './save-status.js'
export { DEFAULT_LIMITS } from './saver.js'

const ACK_TIMEOUT_MS = 20000
const STUCK_AFTER = 3 // refusals in a row before offering to discard

export class SocketIOProvider extends Observable {
  /**
   * @param {object} opts
   * @param {Y.Doc} opts.ydoc
   * @param {string|number} opts.docId
   * @param {string} [opts.url] server origin; '' or undefined = the page's origin
   * @param {string} [opts.token] personal access token (Node); browsers use the cookie
   * @param {object} [opts.user] awareness `user` field: {name, role, color, colorLight}
   * @param {number} [opts.resyncInterval] ms between step 1 re-sends (0 = never)
   * @param {number} [opts.coalesceMs] window over which local updates merge into one message
   * @param {{first: number, max: number}} [opts.retryDelay] backoff after refusals, ms
   * @param {any} [opts.restoreOrigin] origin of updates restored from a local copy
   *   (y-indexeddb): not sent as updates, but unsaved until a step 2 covers them
   * @param {object} [opts.socketOptions] extra socket.io-client options
   * @param {import('socket.io-client').Socket} [opts.socket] a /collab connection
   *   shared with other providers (a page showing several documents): this
   *   provider joins its document on it and leaves it open when destroyed
   */
  constructor ({
    ydoc, docId, url = '', token, user, resyncInterval = 30000, coalesceMs = 50,
    retryDelay = { first: 1000, max: 30000 }, restoreOrigin = null, socketOptions = {}, socket = null
  }) {
    super()
    this.ydoc = ydoc
    this.docId = docId
    this.awareness = new awarenessProtocol.Awareness(ydoc)
    if (user) this.awareness.setLocalStateField('user', user)
    this.access = null // 'none' | 'read' | 'comment' | 'edit' once joined
    this.joined = false
    this.synced = false
    this.connected = false
    this.keepsLocalCopy = false // set by the page once a local copy (IndexedDB) is open
    this.fatalError = null // connection or join refused, or closed by the server
    this.saver = new Saver({
      ydoc,
      send: (frame, onAck) => this._emit('sync', frame, onAck),
      isJoined: () => this.joined,
      getAccess: () => this.access,
      onChange: () => this._setStatus(),
      onRefused: (message) => this.emit('refused', [{ message }]),
      coalesceMs,
      retryDelay,
      restoreOrigin
    })
    this._hadConnectError = false
    this._status = null
    this._destroyed = false

    this._ownsSocket = !socket
    if (socket) {
      this.socket = socket
    } else {
      const options = { path: '/socket.io', withCredentials: true, ...socketOptions }
      if (token) options.auth = { token }
      this.socket = io(`${url}/collab`, options)
    }
    this._bindSocket()
    if (socket && socket.connected) { this.connected = true; this._join() }

    this._onDocUpdate = (update, origin) => {
      if (origin !== this) this.saver.onLocalUpdate(update, origin)
    }
    this._onAwarenessUpdate = ({ added, updated, removed }, origin) => {
      if (origin !== 'local' && origin !== 'destroy') return
      this._sendAwareness(added.concat(updated, removed))
    }
    ydoc.on('update', this._onDocUpdate)
    this.awareness.on('update', this._onAwarenessUpdate)

    if (resyncInterval > 0) {
      this._resyncTimer = setInterval(() => this.resync(), resyncInterval)
      this._resyncTimer.unref?.() // never keep a Node process alive for this
    }
    this._setStatus()
  }

  /** Local changes the server has not confirmed (a restored local copy counts as one). */
  get pendingCount () {
    return this.saver.pendingCount
  }

  /** The unhealed refusal {message, retrying, permanent, count}, or null. */
  get refusal () {
    return this.saver.refusal
  }

  /** {maxUpdateBytes, updatesPerSecond}: from the join acknowledgement, else defaults. */
  get limits () {
    return this.saver.limits
  }

  /** Counts of writes acknowledged and refused, resyncs and messages sent. */
  get stats () {
    return this.saver.stats
  }

  /** Send sync step 1 so the server answers with whatever we lack (and asks for what it lacks). */
  resync () {
    this.saver.resync()
  }

  /** True while leaving the page could lose something: pending, refused or offline. */
  get hasUnsavedChanges () {
    return this.pendingCount > 0 || this.refusal !== null
  }

  /** The page keeps unsent changes on this device (IndexedDB is open). */
  setKeepsLocalCopy (keeps) {
    this.keepsLocalCopy = keeps
    this._setStatus()
  }

  // -- socket ---------------------------------------------------------------

  _bindSocket () {
    const s = this.socket
    const handlers = this._socketHandlers = {}
    const on = (event, handler) => { handlers[event] = handler; s.on(event, handler) }
    on('connect', () => { this.connected = true; this._join() })
    on('disconnect', (reason) => this._onDisconnect(reason))
    on('connect_error', (err) => {
      this.connected = false
      this._hadConnectError = true
      if (!s.active) { // refused by the server's connect handler: no auto-retry
        this.fatalError = `Could not connect: ${err.message}`
        this.emit('connect-refused', [{ message: err.message }])
      }
      this._setStatus()
    })
    on('sync', (msg) => this._forThisDoc(msg) && this._guard(() => this._onSync(toBytes(msg.data))))
    on('awareness', (msg) => this._forThisDoc(msg) && this._guard(() => this._onAwareness(toBytes(msg.data))))
    on('access', (msg) => this._forThisDoc(msg) && this._onAccess(msg.access))
    on('error', (msg) => {
      if (msg && (msg.doc === null || msg.doc === undefined || this._forThisDoc(msg))) {
        const message = String(msg.message || 'Unknown error')
        // The server is about to close this connection (signed out, token
        // revoked): say why, and stay closed rather than look merely offline.
        if (msg.closed) this.fatalError = message
        this.emit('server-error', [{ message }])
        this._setStatus()
      }
    })
  }

  _unbindSocket () {
    for (const [event, handler] of Object.entries(this._socketHandlers || {})) this.socket.off(event, handler)
  }

  // One malformed message must not break the connection: report it and go on.
  _guard (handle) {
    try {
      handle()
    } catch (err) {
      this.emit('server-error', [{ message: `Could not read a message from the server: ${err.message}` }])
    }
  }

  _forThisDoc (msg) {
    return msg && String(msg.doc) === String(this.docId)
  }

  _join () {
    this.socket.emit('join', { doc: this.docId }, (res) => {
      if (this._destroyed) return
      if (!res || !res.ok) {
        this.joined = false
        this.fatalError = (res && res.error) || 'Could not open this document'
        this.emit('join-refused', [{ message: this.fatalError }])
        this._setStatus()
        return
      }
      this.joined = true
      this.fatalError = null
      this.saver.setLimits(res.limits)
      this._setAccess(res.access)
      this.saver.start()
      this._sendAwareness([this.ydoc.clientID])
    })
  }

  _onDisconnect (reason) {
    // socket.io-client does not reconnect after the server closes the connection.
    if (reason === 'io server disconnect' && !this.fatalError) {
      this.fatalError = 'The server closed the connection. Reload the page to go on editing.'
    }
    this.connected = false
    this.joined = false
    this.synced = false
    this.saver.stop()
    // Presence of others is unknown while offline.
    const others = [...this.awareness.getStates().keys()].filter((c) => c !== this.ydoc.clientID)
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this)
    this._setStatus()
  }

  _setAccess (access) {
    const changed = access !== this.access
    this.access = access
    if (changed) this.emit('access', [access])
    this._setStatus()
  }

  _onAccess (access) {
    if (access === 'none') this.joined = false
    const wasEdit = this.access === 'edit'
    this._setAccess(access)
    if (access === 'edit' && !wasEdit) this.saver.accessGranted()
  }

  _emit (event, data, onAck) {
    if (!this.socket.connected) return false // socket.io would buffer it for after a reconnect, before our join
    const payload = { doc: this.docId, data }
    if (onAck) this.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, onAck)
    else this.socket.emit(event, payload)
    return true
  }

  _onSync (bytes) {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
    const type = decoding.readVarUint(decoder)
    if (type === syncProtocol.messageYjsSyncStep1) {
      this.saver.answerStep1(decoding.readVarUint8Array(decoder))
    } else if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
      Y.applyUpdate(this.ydoc, decoding.readVarUint8Array(decoder), this)
      if (type === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true
        this.emit('synced', [])
        this._setStatus()
      }
    }
  }

  // -- awareness ------------------------------------------------------------------

  _onAwareness (bytes) {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== MESSAGE_AWARENESS) return
    awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
  }

  _sendAwareness (clients) {
    if (!this.joined) return
    this._emit('awareness', encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)))
  }

  /** Tell the others we have left (keeps the connection); call on page hide. */
  removeLocalPresence () {
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.ydoc.clientID], 'local')
  }

  // -- status ---------------------------------------------------------------------

  /** Current status: {state, message, access, pending, canDiscard}. */
  get status () {
    return this._status
  }

  _computeStatus () {
    const pending = this.pendingCount
    const { state, message } = describeStatus({
      fatalError: this.fatalError,
      access: this.access,
      joined: this.joined,
      hadConnectError: this._hadConnectError,
      synced: this.synced,
      unsaved: pending,
      refusal: this.refusal,
      keepsLocalCopy: this.keepsLocalCopy
    })
    // Offer to throw away what the server keeps refusing (or can no longer take).
    const r = this.refusal
    const canDiscard = pending > 0 && Boolean((r && (r.permanent || r.count >= STUCK_AFTER)) ||
      (this.joined && this.access !== 'edit'))
    return { state, message, access: this.access, pending, canDiscard }
  }

  _setStatus () {
    const next = this._computeStatus()
    const prev = this._status
    if (prev && prev.state === next.state && prev.message === next.message && prev.access === next.access &&
        prev.canDiscard === next.canDiscard && (prev.pending === 0) === (next.pending === 0)) return
    this._status = next
    this.emit('status', [next])
  }

  /**
   * Drop presence, leave the document and close the connection.
   * Resolves once the server acknowledged the leave (or after `waitMs`), so
   * the presence removal is not lost with the disconnect.
   */
  destroy (waitMs = 500) {
    if (this._destroyed) return this._destroying
    this._destroyed = true
    clearInterval(this._resyncTimer)
    this.saver.destroy()
    const wasJoined = this.joined
    if (wasJoined) awarenessProtocol.removeAwarenessStates(this.awareness, [this.ydoc.clientID], 'destroy')
    this.ydoc.off('update', this._onDocUpdate)
    this.awareness.off('update', this._onAwarenessUpdate)
    this.awareness.destroy()
    super.destroy()
    this._destroying = new Promise((resolve) => {
      if (!wasJoined) return resolve()
      this.socket.timeout(waitMs).emit('leave', { doc: this.docId }, () => resolve())
    }).then(() => {
      this._unbindSocket()
      if (this._ownsSocket) this.socket.disconnect()
    })
    return this._destroying
  }
}
