// A small in-memory /collab server (socket.io + yjs) that follows
// docs/realtime-protocol.md closely enough to exercise the provider and the
// test client. It is a test double, not the portal's server (realtime/).
//
// Like the real server it checks size and rate (every `sync` message takes a
// token, step 1 included), answers step 1 with step 2 then its own step 1
// before acknowledging, stores a step 2 only when it changes something, and
// refuses with {ok: false, error}. `control` lets a test refuse on demand,
// refuse updates whose dependencies it lacks (as the next server will), delay
// acknowledgements, drop connections, and read what it received.
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'

export const TOO_FAST = 'You are sending changes too fast. Slow down and resend.'

class TokenBucket {
  constructor (rate) { this.rate = rate; this.tokens = rate; this.stamp = Date.now() }
  take () {
    const now = Date.now()
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.stamp) / 1000) * this.rate)
    this.stamp = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

function frame (write) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  write(e)
  return encoding.toUint8Array(e)
}

/** Would applying `update` to `ydoc` leave structs or deletions waiting for missing ones? */
function lacksDependencies (ydoc, update) {
  const scratch = new Y.Doc()
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(ydoc))
  Y.applyUpdate(scratch, update)
  return scratch.store.pendingStructs !== null || scratch.store.pendingDs !== null
}

/** Would applying `update` change `ydoc` at all? */
function changes (ydoc, update) {
  const before = Y.encodeStateAsUpdate(ydoc)
  const scratch = new Y.Doc()
  Y.applyUpdate(scratch, before)
  let changed = false
  scratch.on('update', () => { changed = true })
  Y.applyUpdate(scratch, update)
  return changed
}

/**
 * Start a server on an unused port.
 * @param {object} opts
 * @param {Record<string, Record<string, string>>} opts.access  token -> {docId: access}
 * @param {Function} [opts.onRequest] handler for plain HTTP requests (the browser harness)
 * @param {number} [opts.port] 0 = an unused port
 * @param {{max_update_bytes: number, updates_per_second: number}|null} [opts.limits]
 *   enforced, and sent in the join acknowledgement unless `sendLimits` is false
 * @returns {Promise<{url, io, nsp, docs, control, close}>}
 */
export async function startMockServer ({
  access, onRequest, port = 0, limits = { max_update_bytes: 262144, updates_per_second: 50 }, sendLimits = true
}) {
  const http = createServer(onRequest)
  const io = new Server(http, { path: '/socket.io', maxHttpBufferSize: 4e6 })
  const docs = new Map() // doc id -> Y.Doc
  const control = {
    refuseNext: 0, // refuse this many writes with `refuseWith`
    refuseWith: 'Too many changes at once',
    refuseAll: null, // a message: refuse every write while set
    strict: false, // refuse writes that depend on content the server lacks
    ackDelayMs: 0,
    stored: 0,
    received: [], // {at, doc, type, bytes, ok, token}
    /** Close every transport, as a lost network would; clients reconnect. */
    dropConnections () {
      for (const socket of nsp.sockets.values()) socket.conn.close()
    }
  }
  const getDoc = (id) => {
    if (!docs.has(id)) docs.set(id, new Y.Doc())
    return docs.get(id)
  }
  const nsp = io.of('/collab')
  nsp.use((socket, next) => {
    // Browsers have no token: the harness sets a cookie instead of a session.
    const cookie = /(?:^|;\s*)test_token=([^;]+)/.exec(socket.handshake.headers.cookie || '')
    const token = (socket.handshake.auth && socket.handshake.auth.token) || (cookie && cookie[1])
    if (!token || !access[token]) return next(new Error('Sign in to edit documents'))
    socket.data.token = token
    socket.data.access = access[token]
    next()
  })
  nsp.on('connection', (socket) => {
    const joined = new Set()
    const bucket = limits ? new TokenBucket(limits.updates_per_second) : null
    socket.on('join', (msg, ack) => {
      const level = msg && socket.data.access[String(msg.doc)]
      if (!level) return ack({ ok: false, error: 'You do not have access to this document' })
      joined.add(String(msg.doc))
      socket.join(String(msg.doc))
      ack(limits && sendLimits ? { ok: true, access: level, limits } : { ok: true, access: level })
    })
    socket.on('leave', (msg, ack) => {
      joined.delete(String(msg.doc))
      socket.leave(String(msg.doc))
      if (ack) ack({ ok: true })
    })
    socket.on('awareness', (msg) => {
      if (joined.has(String(msg.doc))) socket.to(String(msg.doc)).emit('awareness', msg)
    })
    socket.on('sync', (msg, ack) => {
      const id = String(msg.doc)
      const data = new Uint8Array(msg.data)
      const record = { at: Date.now(), doc: id, type: data[1], bytes: data.length, ok: false, token: socket.data.token }
      control.received.push(record)
      const reply = (res) => {
        record.ok = res.ok
        record.error = res.error
        if (!ack) return
        if (control.ackDelayMs) setTimeout(() => ack(res), control.ackDelayMs)
        else ack(res)
      }
      if (bucket && !bucket.take()) return reply({ ok: false, error: TOO_FAST })
      if (limits && data.length > limits.max_update_bytes) return reply({ ok: false, error: 'That change is too large.' })
      if (!joined.has(id)) return reply({ ok: false, error: 'Join the document first' })
      const ydoc = getDoc(id)
      const decoder = decoding.createDecoder(data)
      decoding.readVarUint(decoder) // 0: sync
      const type = decoding.readVarUint(decoder)
      if (type === syncProtocol.messageYjsSyncStep1) {
        const sv = decoding.readVarUint8Array(decoder)
        socket.emit('sync', { doc: msg.doc, data: frame((e) => syncProtocol.writeSyncStep2(e, ydoc, sv)) })
        socket.emit('sync', { doc: msg.doc, data: frame((e) => syncProtocol.writeSyncStep1(e, ydoc)) })
        return reply({ ok: true })
      }
      const update = decoding.readVarUint8Array(decoder)
      if (type === syncProtocol.messageYjsSyncStep2 && !changes(ydoc, update)) return reply({ ok: true })
      if (socket.data.access[id] !== 'edit') return reply({ ok: false, error: 'You can only read this document' })
      if (control.refuseAll) return reply({ ok: false, error: control.refuseAll })
      if (control.refuseNext > 0) {
        control.refuseNext--
        return reply({ ok: false, error: control.refuseWith })
      }
      if (control.strict && lacksDependencies(ydoc, update)) {
        return reply({ ok: false, error: 'That change depends on changes the server does not have.' })
      }
      Y.applyUpdate(ydoc, update)
      control.stored++
      socket.to(id).emit('sync', { doc: msg.doc, data: frame((e) => syncProtocol.writeUpdate(e, update)) })
      reply({ ok: true })
    })
  })
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${http.address().port}`
  const close = () => new Promise((resolve) => { io.close(); http.close(() => resolve()) })
  return { url, io, nsp, docs, control, close }
}
