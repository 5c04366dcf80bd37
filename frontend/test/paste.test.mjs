// Word and Google Docs pastes, and pictures from elsewhere, without a DOM.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Slice } from 'prosemirror-model'
import { schema } from '../src/schema.js'
import { cleanPastedHtml, keepPortalImages, portalImagePath, transformWordHtml } from '../src/paste.js'

const WORD = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><body lang=EN-GB>
<!--StartFragment--><h2>What I like<o:p></o:p></h2>
<p class=MsoNormal><span style='font-size:12.0pt;font-family:"Calibri"'>Some text<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span></span><!--[endif]--><span style='font-size:12.0pt'>Music<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpMiddle style='mso-list:l0 level2 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>o<span>&nbsp;</span></span><![endif]>Drums<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>·<span>&nbsp;</span></span>Swimming<o:p></o:p></p>
<p class=MsoNormal>Between<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><span style='mso-list:Ignore'>1.<span>&nbsp;</span></span>First<o:p></o:p></p>
<!--EndFragment--></body></html>`

test('Word list paragraphs become nested lists without bullet symbols', () => {
  const out = transformWordHtml(WORD)
  assert.doesNotMatch(out, /mso-list:Ignore|<o:p|·|supportLists/)
  assert.match(out, /<ul><li><p><span style='font-size:12.0pt'>Music<\/span><\/p><ul><li><p>Drums<\/p><\/li><\/ul><\/li><li><p>Swimming<\/p><\/li><\/ul>/)
  assert.match(out, /Between<\/p>\s*<ol><li><p>First<\/p><\/li><\/ol>/)
  assert.match(out, /<h2>What I like<\/h2>/)
})

test('HTML that is not from Word passes unchanged', () => {
  const html = '<b style="font-weight:normal" id="docs-internal-guid-1"><h2>Title</h2><ul><li><p>a</p></li></ul></b>'
  assert.equal(transformWordHtml(html), html)
})

test('only pictures of this portal come in, with a path-only src', () => {
  const origin = 'https://portal.example'
  assert.equal(portalImagePath('/documents/12/images/34'), '/documents/12/images/34')
  assert.equal(portalImagePath('/ehcp/documents/12/images/34'), '/ehcp/documents/12/images/34')
  assert.equal(portalImagePath(`${origin}/documents/12/images/34`, origin), '/documents/12/images/34')
  assert.equal(portalImagePath('https://evil.example/documents/12/images/34', origin), null)
  assert.equal(portalImagePath('data:image/png;base64,AAAA'), null)
  const n = schema.nodes
  const slice = new Slice(schema.nodes.doc.create(null, [
    n.paragraph.create(null, schema.text('keep')),
    n.paragraph.create(),
    n.image.create({ src: 'https://elsewhere.example/cat.png', alt: 'cat' }),
    n.paragraph.create(),
    n.image.create({ src: `${origin}/documents/1/images/2`, alt: 'ours' })
  ]).content, 0, 0)
  const kept = keepPortalImages(slice, origin)
  assert.equal(kept.content.childCount, 2)
  assert.equal(kept.content.child(1).attrs.src, '/documents/1/images/2')
})

test('no spaces between blocks, spaces between words kept', () => {
  const html = '<b id="docs-internal-guid-1">\n<h2>Title</h2>\n<p><b>Music</b> <i>lessons</i>\nweekly</p>\n</b>'
  assert.equal(cleanPastedHtml(html), '<b id="docs-internal-guid-1"><h2>Title</h2><p><b>Music</b> <i>lessons</i>\nweekly</p></b>')
})

test('pasted voice notes: ours keep a path-only src, others keep their words', () => {
  const n = schema.nodes
  const ours = n.voice_note.create({ src: 'http://portal.test/documents/2/recordings/3', transcript: 'Hello' })
  const theirs = n.voice_note.create({ src: 'https://elsewhere.example/a.webm', transcript: 'Hi there' })
  const out = keepPortalImages(new Slice(schema.nodes.doc.create(null, [ours, theirs]).content, 0, 0), 'http://portal.test')
  assert.equal(out.content.child(0).type.name, 'voice_note')
  assert.equal(out.content.child(0).attrs.src, '/documents/2/recordings/3')
  assert.equal(out.content.child(1).type.name, 'paragraph')
  assert.equal(out.content.child(1).textContent, 'Hi there')
})
