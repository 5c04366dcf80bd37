// A Yjs provider over Socket.IO speaking docs/realtime-protocol.md.
//
// Runs in the browser (session cookie) and in Node (auth: {token}); it never
// touches the DOM. Events (lib0 Observable):
//   'status'  ({state, message, access, pending})  whenever the status line changes
//   'access'  (access)                               join result or server `access` event
//   'synced'  ()                                     first server step 2 after each join
//   'refused' ({message})                            the server refused one of our updates
//   'server-error' ({message})                       a server `error` event for this doc
//   'join-refused' ({message})                       join acknowledged with ok: false
//   'connect-refused' ({message})                    the server refused the connection
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { Observable } from 'lib0/observable'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import { io } from 'socket.io-client'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1

export const STATUS_TEXT = {
  connecting: 'Connecting…',
  loading: 'Loading…',
  saving: 'Saving…',
  saved: 'All changes saved',
  offline: 'Offline – your changes will be sent when you reconnect',
  read: 'You can read this document',
  comment: 'You can read and comment on this document',
  none: 'You no longer have access to this document',
  refused: 'Your last change was not saved',
  error: 'Could not connect'
}

const ACK_TIMEOUT_MS = 20000

/** Copy a Socket.IO binary payload (Buffer, ArrayBuffer or view) into a Uint8Array. */
export function toBytes (data) {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError('expected binary data')
}

function frameSync (write) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

/** The y-websocket frame carrying sync step 1 for `ydoc`. */
export const encodeStep1 = (ydoc) => frameSync((e) => syncProtocol.writeSyncStep1(e, ydoc))
/** The y-websocket frame carrying sync step 2 with `update`. */
export const encodeStep2 = (update) => frameSync((e) => { encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2); encoding.writeVarUint8Array(e, update) })
/** The y-websocket frame carrying one update (sync message type 2). */
export const encodeUpdate = (update) => frameSync((e) => syncProtocol.writeUpdate(e, update))

/** True if `local` has structs that `remote` lacks. */
function isAhead (local, remote) {
  for (const [client, clock] of local) {
    if ((remote.get(client) || 0) < clock) return true
  }
  return false
}

export class SocketIOProvider extends Observable {
  /**
   * @param {object} opts
   * @param {Y.Doc} opts.ydoc
   * @param {string|number} opts.docId
   * @param {string} [opts.url] server origin; '' or undefined = the page's origin
   * @param {string} [opts.token] personal access token (Node); browsers use the cookie
   * @param {object} [opts.user] awareness `user` field: {name, role, color, colorLight}
   * @param {number} [opts.resyncInterval] ms between step 1 re-sends (0 = never)
   * @param {object} [opts.socketOptions] extra socket.io-client options
   */
  constructor ({ ydoc, docId, url = '', token, user, resyncInterval = 30000, socketOptions = {} }) {
    super()
    this.ydoc = ydoc
    this.docId = docId
    this.awareness = new awarenessProtocol.Awareness(ydoc)
    if (user) this.awareness.setLocalStateField('user', user)
    this.access = null // 'none' | 'read' | 'comment' | 'edit' once joined
    this.joined = false
    this.synced = false
    this.connected = false
    this.stats = { acked: 0, refused: 0, step2Acked: 0, step2Refused: 0, resyncs: 0 }
    this.lastError = null // last refusal of one of our updates
    this.fatalError = null // connection or join refused
    this._hadConnectError = false
    this._pending = new Map() // send id -> update not yet acknowledged
    this._seq = 0
    this._status = null
    this._destroyed = false

    const options = { path: '/socket.io', withCredentials: true, ...socketOptions }
    if (token) options.auth = { token }
    this.socket = io(`${url}/collab`, options)
    this._bindSocket()

    this._onDocUpdate = (update, origin) => {
      if (origin !== this) this._queueUpdate(update)
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

  /** Number of local updates not yet acknowledged by the server. */
  get pendingCount () {
    return this._pending.size
  }

  _bindSocket () {
    const s = this.socket
    s.on('connect', () => { this.connected = true; this._join() })
    s.on('disconnect', (reason) => this._onDisconnect(reason))
    s.on('connect_error', (err) => {
      this.connected = false
      this._hadConnectError = true
      if (!s.active) { // refused by the server's connect handler: no auto-retry
        this.fatalError = `${STATUS_TEXT.error}: ${err.message}`
        this.emit('connect-refused', [{ message: err.message }])
      }
      this._setStatus()
    })
    s.on('sync', (msg) => this._forThisDoc(msg) && this._guard(() => this._onSync(toBytes(msg.data))))
    s.on('awareness', (msg) => this._forThisDoc(msg) && this._guard(() => this._onAwareness(toBytes(msg.data))))
    s.on('access', (msg) => this._forThisDoc(msg) && this._onAccess(msg.access))
    s.on('error', (msg) => {
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
      this._setAccess(res.access)
      this.resync()
      this._sendAwareness([this.ydoc.clientID])
      this._flushPending()
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
    if (access === 'edit' && !wasEdit) this.resync()
  }

  /** Send sync step 1 so the server answers with whatever we lack (and asks for what it lacks). */
  resync () {
    if (!this.joined) return
    this.stats.resyncs++
    this._emit('sync', encodeStep1(this.ydoc))
  }

  _emit (event, data, onAck) {
    const payload = { doc: this.docId, data }
    if (onAck) this.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, onAck)
    else this.socket.emit(event, payload)
  }

  _onSync (bytes) {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
    const type = decoding.readVarUint(decoder)
    if (type === syncProtocol.messageYjsSyncStep1) {
      this._answerStep1(decoding.readVarUint8Array(decoder))
    } else if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
      Y.applyUpdate(this.ydoc, decoding.readVarUint8Array(decoder), this)
      if (type === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true
        this.emit('synced', [])
        this._setStatus()
      }
    }
  }

  // Step 2 writes, so only send it when it carries something the server may
  // lack (structs it has not seen, or updates still unacknowledged) and we may
  // write; a successful ack then covers every update queued before it.
  _answerStep1 (stateVector) {
    if (this.access !== 'edit') return
    const remote = Y.decodeStateVector(stateVector)
    if (this._pending.size === 0 && !isAhead(Y.decodeStateVector(Y.encodeStateVector(this.ydoc)), remote)) return
    const coveredUpTo = this._seq
    const update = Y.encodeStateAsUpdate(this.ydoc, stateVector)
    this._emit('sync', encodeStep2(update), (err, res) => {
      if (err) return // lost; the next resync retries
      if (res && res.ok) {
        this.stats.step2Acked++
        for (const id of [...this._pending.keys()]) if (id <= coveredUpTo) this._pending.delete(id)
      } else {
        this.stats.step2Refused++
        this._refused(res)
      }
      this._setStatus()
    })
  }

  _queueUpdate (update) {
    const id = ++this._seq
    this._pending.set(id, update)
    if (this.joined) this._sendUpdate(id, update)
    this._setStatus()
  }

  _sendUpdate (id, update) {
    this._emit('sync', encodeUpdate(update), (err, res) => {
      if (!this._pending.has(id)) return // superseded by a merged re-send or a step 2
      if (err) return // no ack in time: keep it; reconnect or resync re-sends it
      this._pending.delete(id)
      if (res && res.ok) this.stats.acked++
      else {
        this.stats.refused++
        this._refused(res)
      }
      this._setStatus()
    })
  }

  // After (re)joining, send every unacknowledged update again as one.
  _flushPending () {
    if (this._pending.size === 0) return
    const merged = Y.mergeUpdates([...this._pending.values()])
    this._pending.clear()
    this._queueUpdate(merged)
  }

  _refused (res) {
    this.lastError = `${STATUS_TEXT.refused}: ${(res && res.error) || 'refused by the server'}`
    this.emit('refused', [{ message: this.lastError }])
  }

  _onAwareness (bytes) {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== MESSAGE_AWARENESS) return
    awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
  }

  _sendAwareness (clients) {
    if (!this.joined) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients))
    this._emit('awareness', encoding.toUint8Array(encoder))
  }

  /** Tell the others we have left (keeps the connection); call on page hide. */
  removeLocalPresence () {
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.ydoc.clientID], 'local')
  }

  /** Current status: {state, message, access, pending}. */
  get status () {
    return this._status
  }

  _computeStatus () {
    const pending = this._pending.size
    let state
    if (this.fatalError) state = 'error'
    else if (this.access === 'none') state = 'none'
    else if (!this.joined) state = this.access || this._hadConnectError ? 'offline' : 'connecting'
    else if (this.access === 'read' || this.access === 'comment') state = this.access
    else if (pending > 0) state = 'saving'
    else if (!this.synced) state = 'loading'
    else state = 'saved'
    let message = state === 'error' ? this.fatalError : STATUS_TEXT[state]
    if ((state === 'saved' || state === 'saving') && this.lastError) message = `${this.lastError}. ${message}`
    return { state, message, access: this.access, pending }
  }

  _setStatus () {
    const next = this._computeStatus()
    const prev = this._status
    if (prev && prev.state === next.state && prev.message === next.message && prev.access === next.access &&
        (prev.pending === 0) === (next.pending === 0)) return
    this._status = next
    this.emit('status', [next])
  }

  /** Clear a shown refusal message (e.g. after the person has seen it). */
  clearError () {
    this.lastError = null
    this._setStatus()
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
    const wasJoined = this.joined
    if (wasJoined) awarenessProtocol.removeAwarenessStates(this.awareness, [this.ydoc.clientID], 'destroy')
    this.ydoc.off('update', this._onDocUpdate)
    this.awareness.off('update', this._onAwarenessUpdate)
    this.awareness.destroy()
    super.destroy()
    this._destroying = new Promise((resolve) => {
      if (!wasJoined) return resolve()
      this.socket.timeout(waitMs).emit('leave', { doc: this.docId }, () => resolve())
    }).then(() => { this.socket.disconnect() })
    return this._destroying
  }
}
