// node --test: the provider and the CLI test client against test/mock-server.mjs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { SocketIOProvider } from '../src/socketio-provider.js'
import { startMockServer } from './mock-server.mjs'

const YCLIENT = fileURLToPath(new URL('../test-client/yclient.mjs', import.meta.url))
let server

before(async () => {
  server = await startMockServer({
    access: {
      alice: { 1: 'edit', 2: 'edit', 3: 'edit', 5: 'edit' },
      bob: { 1: 'edit', 2: 'read', 3: 'edit', 5: 'edit' },
      carol: { 6: 'edit' }
    }
  })
})
after(() => server.close())

function open (token, docId, user = { name: token, role: 'tester', color: '#1d70b8' }) {
  const ydoc = new Y.Doc()
  const provider = new SocketIOProvider({ ydoc, docId, url: server.url, token, user, resyncInterval: 0 })
  return { ydoc, ytext: ydoc.getText('content'), provider }
}

function waitFor (check, ms = 3000, what = check.toString()) {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const tick = () => {
      if (check()) return resolve()
      if (Date.now() - start > ms) return reject(new Error(`not met in ${ms} ms: ${what}`))
      setTimeout(tick, 10)
    }
    tick()
  })
}

const synced = (p) => new Promise((resolve) => p.synced ? resolve() : p.on('synced', resolve))

test('two editors converge and see each other in awareness', async () => {
  const a = open('alice', 1)
  const b = open('bob', 1)
  await Promise.all([synced(a.provider), synced(b.provider)])
  a.ytext.insert(0, 'Hello ')
  b.ytext.insert(0, 'World')
  await waitFor(() => a.ytext.toString() === b.ytext.toString() && a.ytext.length === 11)
  await waitFor(() => a.provider.status.state === 'saved' && b.provider.status.state === 'saved')
  assert.equal(a.provider.stats.acked, 1)
  assert.equal(a.provider.status.message, 'All changes saved')
  await waitFor(() => [...a.provider.awareness.getStates().values()].some((s) => s.user && s.user.name === 'bob'))
  b.provider.destroy()
  await waitFor(() => ![...a.provider.awareness.getStates().values()].some((s) => s.user && s.user.name === 'bob'))
  a.provider.destroy()
})

test('a reader gets the document, and its updates are refused and not relayed', async () => {
  const a = open('alice', 2)
  await synced(a.provider)
  a.ytext.insert(0, 'Agreed text')
  await waitFor(() => a.provider.pendingCount === 0)
  const b = open('bob', 2)
  await synced(b.provider)
  assert.equal(b.provider.access, 'read')
  assert.equal(b.ytext.toString(), 'Agreed text')
  assert.equal(b.provider.status.message, 'You can read this document')
  const refused = new Promise((resolve) => b.provider.on('refused', resolve))
  b.ytext.insert(0, 'HACK ')
  const { message } = await refused
  assert.match(message, /You can only read this document/)
  assert.equal(b.provider.stats.refused, 1)
  assert.equal(server.docs.get('2').getText('content').toString(), 'Agreed text')
  assert.equal(a.ytext.toString(), 'Agreed text')
  a.provider.destroy()
  b.provider.destroy()
})

test('offline edits are kept and sent merged after reconnect', async () => {
  const a = open('alice', 3)
  const b = open('bob', 3)
  await Promise.all([synced(a.provider), synced(b.provider)])
  const statuses = []
  a.provider.on('status', (s) => statuses.push(s.state))
  a.provider.socket.io.engine.close() // drop the transport; socket.io-client reconnects
  await waitFor(() => !a.provider.connected)
  assert.equal(a.provider.status.message, 'Offline – your changes will be sent when you reconnect')
  a.ytext.insert(0, 'one ')
  a.ytext.insert(4, 'two ')
  assert.equal(a.provider.pendingCount, 2)
  await waitFor(() => b.ytext.toString() === 'one two ', 5000)
  await waitFor(() => a.provider.status.state === 'saved')
  assert.equal(a.provider.stats.acked, 1, 'the two offline updates go as one merged update')
  assert.ok(statuses.includes('offline'))
  a.provider.destroy()
  b.provider.destroy()
})

test('a refused update is reported and the connection stays usable', async () => {
  const a = open('alice', 5)
  await synced(a.provider)
  server.control.refuseNext = 1
  a.ytext.insert(0, 'x')
  await waitFor(() => a.provider.stats.refused === 1)
  assert.match(a.provider.status.message, /^Your last change was not saved: Too many changes at once/)
  a.ytext.insert(1, 'y')
  await waitFor(() => a.provider.stats.acked === 1)
  // The refused 'x' reaches the server through step 2 on the next resync.
  a.provider.resync()
  await waitFor(() => server.docs.get('5').getText('content').toString() === 'xy')
  a.provider.destroy()
})

test('a connection the server closes says why and does not pose as offline', async () => {
  const c = open('carol', 6)
  await synced(c.provider)
  for (const socket of server.nsp.sockets.values()) {
    if (socket.handshake.auth.token !== 'carol') continue
    socket.emit('error', { doc: null, message: 'You have been signed out. Sign in again to go on editing.', closed: true })
    socket.disconnect(true)
  }
  await waitFor(() => c.provider.status.state === 'error')
  assert.equal(c.provider.status.message, 'You have been signed out. Sign in again to go on editing.')
  c.provider.destroy()
})

test('a refused join is reported', async () => {
  const a = open('bob', 4)
  const { message } = await new Promise((resolve) => a.provider.on('join-refused', resolve))
  assert.equal(message, 'You do not have access to this document')
  assert.equal(a.provider.status.state, 'error')
  a.provider.destroy()
})

function yclient (...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [YCLIENT, '--url', server.url, ...args], (err, stdout) => {
      resolve({ code: err ? err.code : 0, out: JSON.parse(stdout.trim().split('\n').pop()) })
    })
  })
}

test('yclient inserts, waits for text, and reports refusals', async () => {
  const waiting = yclient('--token', 'bob', '--doc', '1', '--wait-for', 'from the CLI', '--timeout', '5000')
  const wrote = await yclient('--token', 'alice', '--doc', '1', '--insert', ' from the CLI', '--timeout', '5000')
  assert.equal(wrote.code, 0)
  assert.deepEqual(Object.keys(wrote.out), ['text', 'acked', 'refused', 'access'])
  assert.equal(wrote.out.acked, 1)
  assert.equal(wrote.out.access, 'edit')
  assert.ok(wrote.out.text.endsWith(' from the CLI'))
  const seen = await waiting
  assert.equal(seen.code, 0)
  assert.ok(seen.out.text.includes('from the CLI'))

  const reader = await yclient('--token', 'bob', '--doc', '2', '--insert', 'nope', '--at', '0')
  assert.equal(reader.code, 0)
  assert.deepEqual([reader.out.acked, reader.out.refused, reader.out.access], [0, 1, 'read'])

  const denied = await yclient('--token', 'bob', '--doc', '4')
  assert.equal(denied.code, 1)
  assert.match(denied.out.error, /join refused/)

  const badToken = await yclient('--token', 'mallory', '--doc', '1')
  assert.equal(badToken.code, 1)
  assert.match(badToken.out.error, /connection refused: Sign in/)

  const timeout = await yclient('--token', 'alice', '--doc', '1', '--wait-for', 'never', '--timeout', '300')
  assert.equal(timeout.code, 1)
  assert.match(timeout.out.error, /timed out after 300 ms/)
})
