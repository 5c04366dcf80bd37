// node --test: the provider and the CLI test client against test/mock-server.mjs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { SocketIOProvider } from '../src/socketio-provider.js'
import { startMockServer, TOO_FAST } from './mock-server.mjs'

const YCLIENT = fileURLToPath(new URL('../test-client/yclient.mjs', import.meta.url))
const FAST_RETRY = { first: 50, max: 400 }
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

function open (token, docId, { on = server, ...opts } = {}) {
  const ydoc = new Y.Doc()
  const user = { name: token, role: 'tester', color: '#1d70b8' }
  const provider = new SocketIOProvider({ ydoc, docId, url: on.url, token, user, resyncInterval: 0, retryDelay: FAST_RETRY, ...opts })
  return { ydoc, ytext: ydoc.getText('content'), provider }
}

/** A mock server of its own, for tests that change its limits or behaviour. */
async function ownServer (opts = {}) {
  return startMockServer({ access: { alice: { 1: 'edit' }, bob: { 1: 'edit' } }, ...opts })
}

function waitFor (check, ms = 5000, what = check.toString()) {
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
const serverText = (srv, id) => srv.docs.get(String(id)).getText('content').toString()

/** Every status event, with what the provider knew when it was emitted. */
function recordStatus (provider) {
  const log = []
  provider.on('status', (s) => log.push({ ...s, pendingCount: provider.pendingCount, refusal: provider.refusal }))
  return log
}

function assertNeverSavedWhileUnsaved (log) {
  const wrong = log.filter((s) => s.state === 'saved' && (s.pendingCount > 0 || s.refusal !== null))
  assert.deepEqual(wrong, [], 'the status said saved while something was unconfirmed')
  assert.ok(log.every((s) => s.state !== 'saved' || s.message === 'All changes saved'))
}

/** The most messages of `token` the server received in any one second. */
function peakPerSecond (srv, token) {
  const times = srv.control.received.filter((r) => r.token === token).map((r) => r.at)
  let peak = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++
    peak = Math.max(peak, i - j + 1)
  }
  return peak
}

/** `count` single-character inserts spread evenly over `ms`, in bursts every few ms. */
async function typeFast (ytext, count, ms) {
  const bursts = Math.ceil(ms / 4)
  const perBurst = Math.ceil(count / bursts)
  let typed = ''
  for (let n = 0; n < count;) {
    for (let k = 0; k < perBurst && n < count; k++, n++) {
      const ch = String.fromCharCode(97 + (n % 26))
      ytext.insert(ytext.length, ch)
      typed += ch
    }
    await new Promise((resolve) => setTimeout(resolve, 4))
  }
  return typed
}

test('two editors converge and see each other in awareness', async () => {
  const a = open('alice', 1)
  const b = open('bob', 1)
  await Promise.all([synced(a.provider), synced(b.provider)])
  a.ytext.insert(0, 'Hello ')
  b.ytext.insert(0, 'World')
  await waitFor(() => a.ytext.toString() === b.ytext.toString() && a.ytext.length === 11)
  await waitFor(() => a.provider.status.state === 'saved' && b.provider.status.state === 'saved')
  assert.equal(a.provider.status.message, 'All changes saved')
  assert.equal(serverText(server, 1), a.ytext.toString())
  await waitFor(() => [...a.provider.awareness.getStates().values()].some((s) => s.user && s.user.name === 'bob'))
  b.provider.destroy()
  await waitFor(() => ![...a.provider.awareness.getStates().values()].some((s) => s.user && s.user.name === 'bob'))
  a.provider.destroy()
})

test('a reader gets the document, and its updates are refused, not relayed and not called saved', async () => {
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
  assert.equal(b.provider.status.state, 'unsaved')
  assert.equal(b.provider.status.message, 'Not saved: You can only read this document.')
  assert.equal(b.provider.status.canDiscard, true)
  assert.equal(serverText(server, 2), 'Agreed text')
  assert.equal(a.ytext.toString(), 'Agreed text')
  a.provider.destroy()
  b.provider.destroy()
})

test('offline edits are kept, said to be unsent, and sent after reconnect', async () => {
  const a = open('alice', 3)
  const b = open('bob', 3)
  await Promise.all([synced(a.provider), synced(b.provider)])
  const log = recordStatus(a.provider)
  a.provider.socket.io.engine.close() // drop the transport; socket.io-client reconnects
  await waitFor(() => !a.provider.connected)
  assert.equal(a.provider.status.message, 'Offline – trying to reconnect')
  a.ytext.insert(0, 'one ')
  a.ytext.insert(4, 'two ')
  assert.equal(a.provider.pendingCount, 2)
  assert.equal(a.provider.status.message, 'Offline – your changes will be sent when you reconnect. Keep this page open until then.')
  a.provider.setKeepsLocalCopy(true)
  assert.equal(a.provider.status.message, 'Offline – your changes are kept on this device and will be sent when you reconnect')
  await waitFor(() => b.ytext.toString() === 'one two ', 5000)
  await waitFor(() => a.provider.status.state === 'saved')
  assert.equal(a.provider.stats.step2Acked, 1, 'the offline updates go in the step 2 after the join')
  assert.equal(a.provider.stats.acked, 0, 'and are not sent twice')
  assert.ok(log.some((s) => s.state === 'offline'))
  assertNeverSavedWhileUnsaved(log)
  a.provider.destroy()
  b.provider.destroy()
})

test('5,000 single-character updates in 2 s go as few messages, well under the rate limit', async () => {
  const srv = await ownServer()
  const a = open('alice', 1, { on: srv })
  await synced(a.provider)
  const log = recordStatus(a.provider)
  const typed = await typeFast(a.ytext, 5000, 2000)
  await waitFor(() => a.provider.status.state === 'saved', 10000)
  assert.equal(serverText(srv, 1), typed)
  const peak = peakPerSecond(srv, 'alice')
  assert.ok(peak < 50, `peak ${peak} messages in one second`)
  assert.ok(peak <= 30, `coalescing should keep to about 20 a second, saw ${peak}`)
  assert.deepEqual(srv.control.received.filter((r) => !r.ok), [], 'nothing was refused')
  assertNeverSavedWhileUnsaved(log)
  a.provider.destroy()
  await srv.close()
})

for (const strict of [false, true]) {
  const server_ = strict ? 'a server that refuses updates depending on missing ones' : 'a server that keeps them pending'
  test(`after a refusal the client resyncs and ${server_} ends with exactly its text`, async () => {
    const srv = await ownServer()
    srv.control.strict = strict
    const a = open('alice', 1, { on: srv })
    await synced(a.provider)
    const log = recordStatus(a.provider)
    a.ytext.insert(0, 'Before. ')
    await waitFor(() => a.provider.status.state === 'saved')
    srv.control.refuseNext = 1
    srv.control.refuseWith = TOO_FAST
    await typeFast(a.ytext, 400, 600) // refused once mid-word, then more typing
    a.ytext.delete(0, 3) // and a deletion that depends on nothing new
    await waitFor(() => a.provider.status.state === 'saved', 10000)
    assert.equal(serverText(srv, 1), a.ytext.toString())
    assert.ok(log.some((s) => s.state === 'unsaved' && /^Not saved: You are sending changes too fast\. Slow down and resend\. Trying again…$/.test(s.message)))
    assert.equal(a.provider.refusal, null)
    assertNeverSavedWhileUnsaved(log)
    a.provider.destroy()
    await srv.close()
  })
}

test('a server that limits bursts more than the client expects still gets everything', async () => {
  // No limits in the join ack (today's server): the client assumes 50 a second.
  const srv = await ownServer({ limits: { max_update_bytes: 262144, updates_per_second: 4 }, sendLimits: false })
  srv.control.strict = true
  const a = open('alice', 1, { on: srv })
  await synced(a.provider)
  const log = recordStatus(a.provider)
  await typeFast(a.ytext, 300, 1500)
  await waitFor(() => a.provider.status.state === 'saved', 20000)
  assert.equal(serverText(srv, 1), a.ytext.toString())
  assert.ok(srv.control.received.some((r) => r.error === TOO_FAST), 'the test should hit the limit')
  assertNeverSavedWhileUnsaved(log)
  a.provider.destroy()
  await srv.close()
})

test('a change the server keeps refusing backs off, offers to discard, and heals when accepted', async () => {
  const srv = await ownServer()
  const a = open('alice', 1, { on: srv, retryDelay: { first: 100, max: 400 } })
  await synced(a.provider)
  const log = recordStatus(a.provider)
  srv.control.refuseAll = 'That change could not be applied and was discarded.'
  a.ytext.insert(0, 'Refused for now')
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const writes = srv.control.received.filter((r) => r.type !== 0).length
  // 100, 200, 400, 400, 400 ms: about 6 tries in 2 s, not a hot loop.
  assert.ok(writes >= 3 && writes <= 8, `${writes} tries in 2 s`)
  assert.equal(a.provider.status.state, 'unsaved')
  assert.equal(a.provider.status.canDiscard, true)
  assert.equal(a.provider.hasUnsavedChanges, true)
  srv.control.refuseAll = null
  await waitFor(() => a.provider.status.state === 'saved', 3000)
  assert.equal(serverText(srv, 1), 'Refused for now')
  assertNeverSavedWhileUnsaved(log)
  a.provider.destroy()
  await srv.close()
})

test('limits come from the join acknowledgement; batches fit them and a change that cannot is not sent', async () => {
  const srv = await ownServer({ limits: { max_update_bytes: 4096, updates_per_second: 10 } })
  const a = open('alice', 1, { on: srv })
  await synced(a.provider)
  assert.deepEqual(a.provider.limits, { maxUpdateBytes: 4096, updatesPerSecond: 10 })
  for (let i = 0; i < 12; i++) a.ytext.insert(a.ytext.length, 'x'.repeat(1000))
  await waitFor(() => a.provider.status.state === 'saved', 10000)
  assert.equal(serverText(srv, 1), 'x'.repeat(12000))
  assert.ok(srv.control.received.every((r) => r.ok && r.bytes <= 4096))
  assert.ok(peakPerSecond(srv, 'alice') <= 6, 'at most half the server rate')
  a.ytext.insert(0, 'y'.repeat(5000))
  await waitFor(() => a.provider.status.state === 'unsaved')
  assert.match(a.provider.status.message, /^Not saved: That change is too large to save \(4 KB\)\.$/)
  assert.equal(a.provider.status.canDiscard, true)
  assert.ok(srv.control.received.every((r) => r.bytes <= 4096), 'it was never sent')
  a.provider.destroy()
  await srv.close()
})

test('defaults apply when the join acknowledgement has no limits', async () => {
  const srv = await ownServer({ sendLimits: false })
  const a = open('alice', 1, { on: srv })
  await synced(a.provider)
  assert.deepEqual(a.provider.limits, { maxUpdateBytes: 262144, updatesPerSecond: 50 })
  a.provider.destroy()
  await srv.close()
})

test('more offline changes than one message holds are sent in order after reconnect', async () => {
  const srv = await ownServer({ limits: { max_update_bytes: 4096, updates_per_second: 50 } })
  srv.control.strict = true
  const a = open('alice', 1, { on: srv })
  await synced(a.provider)
  a.provider.socket.io.engine.close()
  await waitFor(() => !a.provider.connected)
  for (let i = 0; i < 4; i++) a.ytext.insert(a.ytext.length, `${i}`.repeat(3000))
  await waitFor(() => a.provider.status.state === 'saved', 10000)
  assert.equal(serverText(srv, 1), a.ytext.toString())
  a.provider.destroy()
  await srv.close()
})

test('state restored from this device is unsaved until the server has it', async () => {
  const srv = await ownServer()
  const earlier = new Y.Doc() // a closed tab's unsent edits, as IndexedDB keeps them
  earlier.getText('content').insert(0, 'Written offline yesterday.')
  const restoreOrigin = { name: 'local copy' }
  const a = open('alice', 1, { on: srv, restoreOrigin })
  const log = recordStatus(a.provider)
  Y.applyUpdate(a.ydoc, Y.encodeStateAsUpdate(earlier), restoreOrigin)
  assert.equal(a.provider.pendingCount, 1)
  await waitFor(() => a.provider.status.state === 'saved')
  assert.equal(serverText(srv, 1), 'Written offline yesterday.')
  assert.equal(a.provider.stats.acked, 0, 'restored content goes by step 2, not as an update')
  // Restored again after the sync (a slow IndexedDB): confirmed by another step 2.
  const later = new Y.Doc()
  later.getText('content').insert(0, 'And more. ')
  Y.applyUpdate(a.ydoc, Y.encodeStateAsUpdate(later), restoreOrigin)
  assert.equal(a.provider.status.state, 'saving')
  await waitFor(() => a.provider.status.state === 'saved')
  assert.equal(serverText(srv, 1), a.ytext.toString())
  assertNeverSavedWhileUnsaved(log)
  a.provider.destroy()
  await srv.close()
})

test('connections dropped while typing lose nothing', async () => {
  const srv = await ownServer()
  srv.control.strict = true
  const a = open('alice', 1, { on: srv })
  await synced(a.provider)
  const log = recordStatus(a.provider)
  const typing = typeFast(a.ytext, 1500, 1500)
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 350))
    srv.control.dropConnections()
  }
  await typing
  await waitFor(() => a.provider.status.state === 'saved', 10000)
  assert.equal(serverText(srv, 1), a.ytext.toString())
  assert.ok(log.some((s) => s.state === 'offline'))
  assertNeverSavedWhileUnsaved(log)
  a.provider.destroy()
  await srv.close()
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
  assert.equal(wrote.out.refused, 0)
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

test('presence colours are only ever #rrggbb: anything else is grey', async () => {
  const { safeColour } = await import('../src/presence.js')
  assert.equal(safeColour('#1d70b8'), '#1d70b8')
  for (const bad of ['red;position:fixed;inset:0', 'url(x)', '#fff', '#1d70b8;x', 7, null, undefined]) {
    assert.equal(safeColour(bad), '#505a5f')
  }
})
