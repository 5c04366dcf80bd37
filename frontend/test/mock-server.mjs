// A small in-memory /collab server (socket.io + yjs) that follows
// docs/realtime-protocol.md closely enough to exercise the provider and the
// test client. It is a test double, not the portal's server (realtime/).
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'

/**
 * Start a server on an unused port.
 * @param {object} opts
 * @param {Record<string, Record<string, string>>} opts.access  token -> {docId: access}
 * @param {Function} [opts.onRequest] handler for plain HTTP requests (the browser harness)
 * @param {number} [opts.port] 0 = an unused port
 * @returns {Promise<{url, io, nsp, docs, control, close}>}
 */
export async function startMockServer ({ access, onRequest, port = 0 }) {
  const http = createServer(onRequest)
  const io = new Server(http, { path: '/socket.io' })
  const docs = new Map() // doc id -> Y.Doc
  const control = { refuseNext: 0, stored: 0 }
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
    socket.data.access = access[token]
    next()
  })
  nsp.on('connection', (socket) => {
    const joined = new Set()
    socket.on('join', (msg, ack) => {
      const level = msg && socket.data.access[String(msg.doc)]
      if (!level) return ack({ ok: false, error: 'You do not have access to this document' })
      joined.add(String(msg.doc))
      socket.join(String(msg.doc))
      ack({ ok: true, access: level })
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
      const reply = (res) => ack && ack(res)
      if (!joined.has(id)) return reply({ ok: false, error: 'Join the document first' })
      const ydoc = getDoc(id)
      const decoder = decoding.createDecoder(new Uint8Array(msg.data))
      decoding.readVarUint(decoder) // 0: sync
      const type = decoding.readVarUint(decoder)
      if (type === syncProtocol.messageYjsSyncStep1) {
        const sv = decoding.readVarUint8Array(decoder)
        const step2 = encoding.createEncoder()
        encoding.writeVarUint(step2, 0)
        syncProtocol.writeSyncStep2(step2, ydoc, sv)
        socket.emit('sync', { doc: msg.doc, data: encoding.toUint8Array(step2) })
        const step1 = encoding.createEncoder()
        encoding.writeVarUint(step1, 0)
        syncProtocol.writeSyncStep1(step1, ydoc)
        socket.emit('sync', { doc: msg.doc, data: encoding.toUint8Array(step1) })
        return
      }
      if (socket.data.access[id] !== 'edit') return reply({ ok: false, error: 'You can only read this document' })
      if (control.refuseNext > 0) {
        control.refuseNext--
        return reply({ ok: false, error: 'Too many changes at once' })
      }
      const update = decoding.readVarUint8Array(decoder)
      Y.applyUpdate(ydoc, update)
      control.stored++
      const out = encoding.createEncoder()
      encoding.writeVarUint(out, 0)
      syncProtocol.writeUpdate(out, update)
      socket.to(id).emit('sync', { doc: msg.doc, data: encoding.toUint8Array(out) })
      reply({ ok: true })
    })
  })
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${http.address().port}`
  const close = () => new Promise((resolve) => { io.close(); http.close(() => resolve()) })
  return { url, io, nsp, docs, control, close }
}
