#!/usr/bin/env node
// A stock Yjs client for interoperability tests, built on src/socketio-provider.js.
//
//   node frontend/test-client/yclient.mjs --url http://127.0.0.1:PORT --token TOKEN --doc ID
//        [--insert TEXT] [--at N] [--wait-for SUBSTRING] [--timeout MS]
//
// Connects to /collab, joins, syncs; optionally inserts TEXT at N (default: the
// end) and waits for the server's acknowledgement (ok or refusal); optionally
// waits until the text contains SUBSTRING. Then prints one JSON line
//   {"text": ..., "acked": n, "refused": n, "access": ...}
// and exits 0. On timeout, a refused connection or a refused join it prints
// {"error": ..., ...} and exits 1.
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { SocketIOProvider } from '../src/socketio-provider.js'

const USAGE = 'usage: yclient.mjs --url URL --token TOKEN --doc ID [--insert TEXT] [--at N] [--wait-for SUBSTRING] [--timeout MS]'

function parseOptions (argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      doc: { type: 'string' },
      insert: { type: 'string' },
      at: { type: 'string' },
      'wait-for': { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      transport: { type: 'string' } // 'websocket' or 'polling' to force one
    }
  })
  if (!values.url || !values.doc) throw new Error(USAGE)
  const timeout = Number(values.timeout)
  const at = values.at === undefined ? null : Number(values.at)
  if (!Number.isFinite(timeout) || timeout <= 0) throw new Error('--timeout must be a positive number of milliseconds')
  if (at !== null && !(Number.isInteger(at) && at >= 0)) throw new Error('--at must be a non-negative integer')
  const docId = /^\d+$/.test(values.doc) ? Number(values.doc) : values.doc
  return { ...values, docId, timeout, at, waitFor: values['wait-for'] }
}

/** Resolve when `check()` is true, re-checking on each call of the listener given to `subscribe`. */
function when (subscribe, check) {
  return new Promise((resolve) => {
    if (check()) return resolve()
    const unsubscribe = subscribe(() => {
      if (!check()) return
      unsubscribe()
      resolve()
    })
  })
}

async function run (opts, provider, ytext) {
  await new Promise((resolve, reject) => {
    provider.on('synced', resolve)
    provider.on('join-refused', ({ message }) => reject(new Error(`join refused: ${message}`)))
    provider.on('connect-refused', ({ message }) => reject(new Error(`connection refused: ${message}`)))
  })
  if (opts.insert !== undefined) {
    const index = opts.at === null ? ytext.length : Math.min(opts.at, ytext.length)
    ytext.insert(index, opts.insert)
    const onStatus = (listener) => { provider.on('status', listener); return () => provider.off('status', listener) }
    // Saved, or refused: a refused change stays pending while the provider retries.
    await when(onStatus, () => provider.pendingCount === 0 || provider.refusal !== null)
  }
  if (opts.waitFor !== undefined) {
    const onText = (listener) => { ytext.observe(listener); return () => ytext.unobserve(listener) }
    await when(onText, () => ytext.toString().includes(opts.waitFor))
  }
}

function print (obj) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', resolve))
}

async function main () {
  let opts
  try {
    opts = parseOptions(process.argv.slice(2))
  } catch (err) {
    await print({ error: err.message })
    process.exit(2)
  }
  const ydoc = new Y.Doc()
  const ytext = ydoc.getText('content')
  const provider = new SocketIOProvider({
    ydoc,
    docId: opts.docId,
    url: opts.url.replace(/\/+$/, ''),
    token: opts.token,
    user: { name: 'yclient', role: 'test client', color: '#1d70b8' },
    socketOptions: opts.transport ? { transports: [opts.transport] } : {}
  })
  const result = () => ({
    text: ytext.toString(),
    // Writes: update messages and the step 2 that may carry an early insert.
    acked: provider.stats.acked + provider.stats.step2Acked,
    refused: provider.stats.refused + provider.stats.step2Refused,
    access: provider.access
  })
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${opts.timeout} ms (status: ${provider.status && provider.status.message})`)), opts.timeout)
  })
  let code = 0
  try {
    await Promise.race([run(opts, provider, ytext), timeout])
    await print(result())
  } catch (err) {
    code = 1
    await print({ error: err.message, ...result() })
  }
  clearTimeout(timer)
  await provider.destroy()
  process.exit(code)
}

main()
