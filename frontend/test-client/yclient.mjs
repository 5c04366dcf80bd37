#!/usr/bin/env node
// A stock Yjs client for interoperability tests, built on src/socketio-provider.js.
//
//   node frontend/test-client/yclient.mjs --url http://127.0.0.1:PORT --token TOKEN --doc ID
//        [--insert TEXT] [--at N] [--bold WORD] [--model text|body]
//        [--wait-for SUBSTRING] [--timeout MS]
//
// Connects to /collab, joins, syncs; optionally inserts TEXT at N (default: the
// end) and waits for the server's acknowledgement (ok or refusal); optionally
// waits until the text contains SUBSTRING. With --model body (the families'
// editor's model, portal/docmodel) it edits the Y.XmlFragment `body` as
// y-prosemirror does: TEXT becomes a new paragraph at the end, with WORD in
// it bold, and "text" is each block's words on a line. The default, text,
// edits the older Y.Text `content`. Then prints one JSON line
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
      bold: { type: 'string' },
      model: { type: 'string', default: 'text' },
      'wait-for': { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      transport: { type: 'string' } // 'websocket' or 'polling' to force one
    }
  })
  if (!values.url || !values.doc || !['text', 'body'].includes(values.model)) throw new Error(USAGE)
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

// The document as a plain text view, and edits to it, for either model.
function textModel (ydoc) {
  const ytext = ydoc.getText('content')
  return {
    type: ytext,
    toString: () => ytext.toString(),
    insert: (text, at) => ytext.insert(at === null ? ytext.length : Math.min(at, ytext.length), text)
  }
}

function bodyModel (ydoc) {
  const body = ydoc.getXmlFragment('body')
  const words = (node) => node instanceof Y.XmlText
    ? node.toDelta().map((op) => typeof op.insert === 'string' ? op.insert : '').join('')
    : node.toArray().map(words).join(node.nodeName === 'paragraph' || node.nodeName === 'heading' ? '' : '\n')
  return {
    type: body,
    toString: () => body.toArray().map(words).join('\n'),
    insert: (text, at, bold) => {
      const para = new Y.XmlElement('paragraph')
      const run = new Y.XmlText()
      para.insert(0, [run])
      ydoc.transact(() => {
        body.insert(body.length, [para])
        run.insert(0, text)
        const start = bold ? text.indexOf(bold) : -1
        if (start >= 0) run.format(start, bold.length, { strong: {} })
      })
    }
  }
}

async function run (opts, provider, model) {
  await new Promise((resolve, reject) => {
    provider.on('synced', resolve)
    provider.on('join-refused', ({ message }) => reject(new Error(`join refused: ${message}`)))
    provider.on('connect-refused', ({ message }) => reject(new Error(`connection refused: ${message}`)))
  })
  if (opts.insert !== undefined) {
    model.insert(opts.insert, opts.at, opts.bold)
    const onStatus = (listener) => { provider.on('status', listener); return () => provider.off('status', listener) }
    // Saved, or refused: a refused change stays pending while the provider retries.
    await when(onStatus, () => provider.pendingCount === 0 || provider.refusal !== null)
  }
  if (opts.waitFor !== undefined) {
    const onText = (listener) => { model.type.observeDeep(listener); return () => model.type.unobserveDeep(listener) }
    await when(onText, () => model.toString().includes(opts.waitFor))
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
  const model = opts.model === 'body' ? bodyModel(ydoc) : textModel(ydoc)
  const provider = new SocketIOProvider({
    ydoc,
    docId: opts.docId,
    url: opts.url.replace(/\/+$/, ''),
    token: opts.token,
    user: { name: 'yclient', role: 'test client', color: '#1d70b8' },
    socketOptions: opts.transport ? { transports: [opts.transport] } : {}
  })
  const result = () => ({
    text: model.toString(),
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
    await Promise.race([run(opts, provider, model), timeout])
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
