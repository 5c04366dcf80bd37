// Local Yjs updates the server has not confirmed yet, merged into messages.
//
// Each local update gets a sequence number and stays here until the server
// confirms it: by acknowledging the one message it was merged into, or a sync
// step 2 composed after it (which carries the whole local state). Updates are
// grouped into batches of at most `budget` bytes, in order; the provider sends
// one batch at a time, so an acknowledgement covers exactly that batch.
// No sockets and no timers here: the provider decides when to send.
import * as Y from 'yjs'

export class Outbox {
  /** @param {number} budget largest batch, in update bytes */
  constructor (budget) {
    this.budget = budget
    this._unsaved = new Map() // seq -> update, in order
    this._batches = [] // {seqs, bytes, openedAt, closed}
    this._seq = 0
  }

  /** Number of local updates not confirmed by the server. */
  get size () {
    return this._unsaved.size
  }

  /** Sequence number of the latest local update. */
  get lastSeq () {
    return this._seq
  }

  /** The next batch to send, or undefined. */
  get first () {
    return this._batches[0]
  }

  /** Add a local update; it joins the open batch unless that would pass the budget. */
  add (update, now) {
    const seq = ++this._seq
    this._unsaved.set(seq, update)
    const open = this._batches[this._batches.length - 1]
    if (open && !open.closed && open.bytes + update.length <= this.budget) {
      open.seqs.push(seq)
      open.bytes += update.length
    } else {
      // Full: it goes as soon as the provider may send, without waiting out its window.
      if (open) open.closed = true
      this._batches.push({ seqs: [seq], bytes: update.length, openedAt: now, closed: false })
    }
    return seq
  }

  /** Remove the first batch and merge its updates: {seqs, update}, or null. */
  take () {
    const batch = this._batches.shift()
    if (!batch) return null
    const updates = batch.seqs.map((seq) => this._unsaved.get(seq))
    return { seqs: batch.seqs, update: updates.length === 1 ? updates[0] : Y.mergeUpdates(updates) }
  }

  /** The server stored these updates (its acknowledgement of their message). */
  confirm (seqs) {
    for (const seq of seqs) this._unsaved.delete(seq)
  }

  /** The server stored a step 2 composed after update `upTo`: all up to it are saved. */
  confirmUpTo (upTo) {
    for (const seq of this._unsaved.keys()) {
      if (seq > upTo) break
      this._unsaved.delete(seq)
    }
    this._batches = this._batches
      .map((b) => ({ ...b, seqs: b.seqs.filter((s) => s > upTo) }))
      .filter((b) => b.seqs.length > 0)
    for (const b of this._batches) b.bytes = b.seqs.reduce((n, s) => n + this._unsaved.get(s).length, 0)
  }

  /** True while any of `seqs` is still unconfirmed. */
  hasAnyOf (seqs) {
    return seqs.some((seq) => this._unsaved.has(seq))
  }

  /** Batch every unconfirmed update again, in order (sent ones included), all ready to go. */
  rebatch (now) {
    this._batches = []
    let batch = null
    for (const [seq, update] of this._unsaved) {
      if (!batch || batch.bytes + update.length > this.budget) {
        batch = { seqs: [], bytes: 0, openedAt: now, closed: true }
        this._batches.push(batch)
      }
      batch.seqs.push(seq)
      batch.bytes += update.length
    }
  }
}
