// A browser harness: the editor partial, portal/static and the mock /collab
// server on one origin, with a canned assistant endpoint. For manual checks
// and browser smoke tests without the Flask app:
//   node test/harness.mjs PAGE.html [PORT]
// PAGE.html is the rendered partial inside a page (see tests/frontend); sign
// in by setting the cookie test_token=alice (edit) or test_token=reader (read).
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMockServer } from './mock-server.mjs'

const STATIC = fileURLToPath(new URL('../../portal/static/', import.meta.url))
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon' }
const [page, port = '0'] = process.argv.slice(2)

// Suggests "utilise" -> "use" and flags "regular support", wherever they are.
function assistant (text) {
  const suggestions = []
  for (const m of text.matchAll(/utilise/g)) {
    suggestions.push({ start: [...text.slice(0, m.index)].length, end: [...text.slice(0, m.index)].length + 7, original: 'utilise', replacement: 'use', reason: 'Use a plain word.', rule: 'plain-words' })
  }
  const findings = text.includes('regular support')
    ? [{ section: 'F', kind: 'provision_not_quantified', severity: 'high', message: 'Say how often and for how long.', quote: 'regular support' }]
    : []
  return { suggestions, findings, notices: ['Checked by the rules assistant.'] }
}

async function onRequest (req, res) {
  const url = new URL(req.url, 'http://x')
  if (req.method === 'POST' && url.pathname === '/api/documents/1/assistant') {
    let body = ''
    for await (const chunk of req) body += chunk
    const ok = req.headers['x-csrftoken'] === 'CSRF123'
    res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json' })
    return res.end(JSON.stringify(ok ? assistant(JSON.parse(body).text) : { error: 'CSRF' }))
  }
  // Pictures: any upload is stored as picture 1, which is a GOV.UK icon;
  // a description "refuse" gets the server's kind of error.
  if (req.method === 'POST' && url.pathname === '/api/documents/1/images') {
    let body = ''
    for await (const chunk of req) body += chunk
    const refuse = body.includes('refuse')
    res.writeHead(refuse ? 400 : 201, { 'Content-Type': 'application/json' })
    return res.end(JSON.stringify(refuse
      ? { error: 'The picture must be a JPEG, PNG or GIF file smaller than 10 MB.' }
      : { src: '/documents/1/images/1', alt: 'A blue square', width: 192, height: 192 }))
  }
  if (url.pathname === '/documents/1/images/1') {
    res.writeHead(200, { 'Content-Type': 'image/png' })
    return res.end(await readFile(join(STATIC, 'govuk/assets/images/govuk-icon-192.png')))
  }
  if (url.pathname.startsWith('/static/')) {
    const file = normalize(join(STATIC, url.pathname.slice('/static/'.length)))
    if (!file.startsWith(STATIC)) { res.writeHead(404); return res.end() }
    try {
      const data = await readFile(file)
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' })
      return res.end(data)
    } catch { res.writeHead(404); return res.end() }
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
  res.end(await readFile(page))
}

const server = await startMockServer({
  access: { alice: { 1: 'edit' }, bob: { 1: 'edit' }, reader: { 1: 'read' } },
  onRequest,
  port: Number(port)
})
console.log(server.url)
