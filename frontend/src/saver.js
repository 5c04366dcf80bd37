// Sends a document's local changes and keeps count of what the server has
// confirmed (docs/realtime-protocol.md, "Client behaviour"). The provider owns
// the socket and hands this its sync traffic; no DOM, no socket here.
//
// - Local updates are merged and sent as one `sync` update message per window
//   (`coalesceMs`), one write in flight at a time, so any typing speed stays
//   well under the server's rate and the server gets our updates in order.
// - After every join and after any refusal, updates are held back and a sync
//   step 1 goes out; the answer to the server's step 1 is a step 2 carrying
//   everything the server lacks. Once that step 2 is acknowledged the whole
//   local state is saved, refused content included: the refusal is healed.
// - Retries back off (1 s doubling to 30 s by default, reset on success), so a
//   change the server always refuses cannot loop hot.
import * as Y from 'yjs'
import { Outbox } from './outbox.js'
import { formatSize } from './size-guard.js'
import { encodeStep1, encodeStep2, encodeUpdate, isAhead } from './sync-frames.js'

/** Used until the join acknowledgement says otherwise. */
export const DEFAULT_LIMITS = { maxUpdateBytes: 262144, updatesPerSecond: 50 }
const FRAME_OVERHEAD = 16 // message and sync type, varuint length

export class Saver {
  /**
   * @param {object} opts
   * @param {Y.Doc} opts.ydoc
   * @param {(frame: Uint8Array, onAck: Function) => boolean} opts.send a `sync` message
   *   with an acknowledgement callback (err, res); false when it could not go
   * @param {() => boolean} opts.isJoined
   * @param {() => string|null} opts.getAccess
   * @param {() => void} opts.onChange anything the status depends on changed
   * @param {(message: string) => void} opts.onRefused
   * @param {number} opts.coalesceMs
   * @param {{first: number, max: number}} opts.retryDelay
   * @param {any} opts.restoreOrigin origin of updates restored from this device
   */
  constructor ({ ydoc, send, isJoined, getAccess, onChange, onRefused, coalesceMs, retryDelay, restoreOrigin }) {
    Object.assign(this, { ydoc, send, isJoined, getAccess, onChange, onRefused, coalesceMs, retryDelay, restoreOrigin })
    this.limits = { ...DEFAULT_LIMITS }
    this.outbox = new Outbox(this.limits.maxUpdateBytes - FRAME_OVERHEAD)
    this.stats = { acked: 0, refused: 0, step2Acked: 0, step2Refused: 0, resyncs: 0, sent: 0 }
    this.refusal = null // {message, retrying, permanent, count} until a step 2 heals it
    this.destroyed = false
    this._failures = 0 // refusals or lost exchanges in a row: drives the backoff
    this._holding = true // hold updates until a step 2 exchange completes
    this._inFlight = null // {id}: the one write awaiting its acknowledgement
    this._sendId = 0
    this._serverStep1 = null // the server's step 1, answered once nothing is in flight
    this._restored = 0 // local-copy restores seen, and how many a step 2 has confirmed
    this._restoredSaved = 0
    this._lastSentAt = -Infinity
    this._drainThenResync = false
  }

  /** Local changes the server has not confirmed (a restored local copy counts as one). */
  get pendingCount () {
    return this.outbox.size + (this._restored > this._restoredSaved ? 1 : 0)
  }

  /** Take the limits from the join acknowledgement (snake_case, as the server sends them). */
  setLimits (limits) {
    const bytes = limits && Number(limits.max_update_bytes)
    const rate = limits && Number(limits.updates_per_second)
    this.limits = {
      maxUpdateBytes: bytes > 0 ? bytes : DEFAULT_LIMITS.maxUpdateBytes,
      updatesPerSecond: rate > 0 ? rate : DEFAULT_LIMITS.updatesPerSecond
    }
    this.outbox.budget = this.limits.maxUpdateBytes - FRAME_OVERHEAD
  }

  /** Joined (again): resync before sending anything else. */
  start () {
    this._startExchange()
  }

  /** Disconnected: whatever was in flight may or may not be stored; the next join's step 2 settles it. */
  stop () {
    this._inFlight = null
    this._serverStep1 = null
    this._holding = true
    this._drainThenResync = false
    clearTimeout(this._sendTimer)
    clearTimeout(this._retryTimer)
    this._retryTimer = null
  }

  /** Access became edit again: send what waited. */
  accessGranted () {
    this._startExchange()
  }

  destroy () {
    this.destroyed = true
    clearTimeout(this._sendTimer)
    clearTimeout(this._retryTimer)
  }

  /** A change to the document that did not come from the server. */
  onLocalUpdate (update, origin) {
    if (this.restoreOrigin !== null && origin === this.restoreOrigin) {
      // Restored from this device: maybe never sent. A step 2 carries whatever the server lacks.
      this._restored++
      if (this.isJoined() && !this._holding) this._startExchange()
    } else {
      this.outbox.add(update, Date.now())
      this._schedule()
    }
    this.onChange()
  }

  _maySend () {
    return this.isJoined() && !this._holding && !this.refusal && !this._inFlight && !this.destroyed
  }

  // Send the first batch once its window has passed (at once when it is full),
  // and never two messages closer than half the server's rate allows.
  _schedule () {
    clearTimeout(this._sendTimer)
    const batch = this.outbox.first
    if (!batch || !this._maySend()) return
    const minGap = 2000 / this.limits.updatesPerSecond
    const readyAt = Math.max(batch.closed ? 0 : batch.openedAt + this.coalesceMs, this._lastSentAt + minGap)
    const wait = readyAt - Date.now()
    if (wait > 0) this._sendTimer = setTimeout(() => this._schedule(), wait)
    else this._sendBatch()
  }

  _sendBatch () {
    const { seqs, update } = this.outbox.take()
    const frame = encodeUpdate(update)
    if (frame.length > this.limits.maxUpdateBytes) {
      return this._refused(`That change is too large to save (${formatSize(frame.length)})`, { permanent: true })
    }
    const id = this._startWrite()
    if (!this.send(frame, (err, res) => this._settleUpdate(id, seqs, err, res))) this._inFlight = null
  }

  _startWrite () {
    const id = ++this._sendId
    this._inFlight = { id }
    this._lastSentAt = Date.now()
    this.stats.sent++
    return id
  }

  // Returns true when this acknowledgement belongs to the write in flight.
  _finishWrite (id) {
    if (!this._inFlight || this._inFlight.id !== id) return false // from before a disconnect
    this._inFlight = null
    return true
  }

  _settleUpdate (id, seqs, err, res) {
    if (!this._finishWrite(id)) return
    if (err) {
      this._startExchange() // no answer in time: a step 2 settles whether it was stored
    } else if (res && res.ok) {
      this.stats.acked++
      this.outbox.confirm(seqs)
      this._failures = 0
    } else if (this.outbox.hasAnyOf(seqs)) {
      this.stats.refused++
      this._refused(res && res.error)
    }
    this._afterWrite()
  }

  _afterWrite () {
    this.onChange()
    if (this._serverStep1 && !this._inFlight) {
      const sv = this._serverStep1
      this._serverStep1 = null
      this.answerStep1(sv)
    } else if (this._drainThenResync && this.outbox.size === 0 && !this._inFlight) {
      this._drainThenResync = false
      this._startExchange()
    } else {
      this._schedule()
    }
  }

  // -- refusals and the step 1 / step 2 exchange ----------------------------------

  _refused (error, { permanent = false } = {}) {
    const message = error || 'Refused by the server'
    this._failures++
    const retrying = !permanent && this.getAccess() === 'edit'
    this.refusal = { message, retrying, permanent, count: (this.refusal ? this.refusal.count : 0) + 1 }
    this._holding = true // later updates depend on the refused one: a step 2 carries them all
    this.onRefused(message)
    if (retrying) this._retryLater()
    this.onChange()
  }

  _retryLater () {
    clearTimeout(this._retryTimer)
    const { first, max } = this.retryDelay
    const delay = Math.min(first * 2 ** Math.max(0, this._failures - 1), max)
    this._retryTimer = setTimeout(() => { this._retryTimer = null; this._startExchange() }, delay)
  }

  /** Send sync step 1 so the server answers with whatever we lack (and asks for what it lacks). */
  resync () {
    if (!this._retryTimer) this._startExchange()
  }

  _startExchange () {
    clearTimeout(this._retryTimer)
    this._retryTimer = null
    if (!this.isJoined() || this.destroyed) return
    this._holding = true
    this.stats.resyncs++
    this.send(encodeStep1(this.ydoc), (err, res) => {
      if (this.destroyed || !this.isJoined()) return
      if (err || !(res && res.ok)) { // rate limited or lost: not a refusal of our content
        this._failures++
        this._retryLater()
        this.onChange()
      }
    })
  }

  // Step 2 writes, so send it only when it may carry something the server
  // lacks. Its acknowledgement confirms every local update made before it.
  answerStep1 (stateVector) {
    if (this._inFlight) { // answer once it settles, so writes reach the server in order
      this._serverStep1 = stateVector
      return
    }
    const restoredUpTo = this._restored
    const needed = this.pendingCount > 0 || this.refusal || isAhead(this.ydoc, stateVector)
    if (!needed) return this._exchangeDone()
    const frame = encodeStep2(Y.encodeStateAsUpdate(this.ydoc, stateVector))
    if (frame.length > this.limits.maxUpdateBytes) return this._tooLargeForOneStep2(frame.length)
    const coveredUpTo = this.outbox.lastSeq
    const id = this._startWrite()
    const sent = this.send(frame, (err, res) => {
      if (!this._finishWrite(id)) return
      if (err) {
        this._failures++
        this._retryLater()
      } else if (res && res.ok) {
        this.stats.step2Acked++
        this.outbox.confirmUpTo(coveredUpTo)
        this._restoredSaved = restoredUpTo
        this._exchangeDone()
        return
      } else {
        this.stats.step2Refused++
        this._refused(res && res.error)
      }
      this._afterWrite()
    })
    if (!sent) this._inFlight = null
  }

  _exchangeDone () {
    this.refusal = null
    this._failures = 0
    // A local copy restored after that step 2 was composed needs one more.
    if (this._restored > this._restoredSaved) return this._startExchange()
    this._holding = false
    this._afterWrite()
  }

  // The whole of what the server lacks does not fit one message (a long time
  // offline, say): send our unsaved updates in order as batches instead.
  _tooLargeForOneStep2 (bytes) {
    if (this.outbox.size === 0) {
      return this._refused(`Your unsaved changes are too large to send at once (${formatSize(bytes)})`, { permanent: true })
    }
    this.outbox.rebatch(Date.now())
    this.refusal = null
    this._holding = false
    this._drainThenResync = true // then a step 2 confirms the rest (deletions, a restored copy)
    this._afterWrite()
  }
}
