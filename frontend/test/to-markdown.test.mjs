// The Markdown the Check panel sends, for every node and mark of the schema.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { schema } from '../src/schema.js'
import { toMarkdown } from '../src/to-markdown.js'
import { countBefore, docText, findAll, findOccurrence } from '../src/doc-text.js'

const n = schema.nodes
const t = (text, ...marks) => schema.text(text, marks.map((m) => schema.marks[m].create()))
const p = (...content) => n.paragraph.create(null, content)
const h = (level, ...content) => n.heading.create({ level }, content)
const li = (...blocks) => n.list_item.create(null, blocks)
const ul = (...items) => n.bullet_list.create(null, items)
const ol = (order, ...items) => n.ordered_list.create({ order }, items)
const doc = (...blocks) => n.doc.create(null, blocks)

test('headings, paragraphs and marks', () => {
  const d = doc(
    h(2, t('What I like')),
    p(t('I like '), t('music', 'strong'), t(' and '), t('quiet', 'em'), t('.')),
    p(),
    p(t('both', 'strong', 'em'), t(' then '), t('bold', 'strong'), t(' and more', 'strong', 'em'))
  )
  assert.equal(toMarkdown(d), '## What I like\n\nI like **music** and *quiet*.\n\n***both*** then **bold *and more***\n')
})

test('lists nest by the marker width', () => {
  const d = doc(
    ul(li(p(t('one'))), li(p(t('two')), ul(li(p(t('inner')))))),
    ol(9, li(p(t('nine'))), li(p(t('ten')), p(t('second paragraph'))))
  )
  assert.equal(toMarkdown(d), '- one\n- two\n  - inner\n\n9. nine\n10. ten\n\n    second paragraph\n')
})

test('hard breaks, images and escaping', () => {
  const d = doc(
    p(t('line one'), n.hard_break.create(), t('- not a list')),
    n.image.create({ src: '/documents/1/images/2', alt: 'Leo [at] school' }),
    p(t('# not a heading, 2*3 and snake_case')),
    p(t('1. not a number')),
    p(t('&amp; stays'))
  )
  assert.equal(toMarkdown(d), [
    'line one\\\n\\- not a list',
    '![Leo \\[at\\] school](/documents/1/images/2)',
    '\\# not a heading, 2\\*3 and snake\\_case',
    '1\\. not a number',
    '\\&amp; stays'
  ].join('\n\n') + '\n')
})

test('a voice note is a paragraph that is one link, its words escaped', () => {
  const d = doc(
    n.voice_note.create({ src: '/documents/3/recordings/5', transcript: ' I like *trains*\nand [buses] ' }),
    n.voice_note.create({ src: '/documents/3/recordings/6', transcript: '' }),
    n.voice_note.create({ src: 'https://elsewhere.example/a.webm', transcript: 'Hello' })
  )
  assert.equal(toMarkdown(d), [
    '[Voice note: I like \\*trains\\* and \\[buses\\]](/documents/3/recordings/5)',
    '[Voice note:](/documents/3/recordings/6)',
    'Voice note: Hello'
  ].join('\n\n') + '\n')
})

test('text joins blocks with newlines and finds words inside textblocks', () => {
  const d = doc(h(2, t('Title')), ul(li(p(t('go go'))), li(p(t('stop')))), p(t('a'), n.hard_break.create(), t('b')))
  assert.equal(docText(d), 'Title\ngo go\nstop\na\nb')
  assert.deepEqual(findAll(d, 'go').map((r) => d.textBetween(r.from, r.to)), ['go', 'go'])
  const second = findOccurrence(d, 'go', 1)
  assert.equal(second.from, findAll(d, 'go')[1].from)
  assert.equal(findOccurrence(d, 'go', 5).from, findAll(d, 'go')[0].from)
  assert.equal(findOccurrence(d, 'a\nb'), null)
  assert.equal(countBefore('go go go', 'go', 4), 2)
})
