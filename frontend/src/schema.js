// The document model every editor and the server share (portal/docmodel).
//
// A document is one Y.XmlFragment named `body`, bound to ProseMirror with
// y-prosemirror: each node below is a Y.XmlElement named after it, its attrs
// are the element's attributes, text is Y.XmlText and each mark is a text
// format attribute named after the mark ({strong: {}}). The server turns this
// into Markdown (portal/docmodel/markdown_out.py), so a node or mark added
// here must be added there too, and nothing here may need markup to write.
import { Schema } from 'prosemirror-model'

export const FRAGMENT_NAME = 'body'

export const schema = new Schema({
  nodes: {
    doc: { content: 'block+' },
    paragraph: {
      content: 'inline*',
      group: 'block',
      parseDOM: [{ tag: 'p' }],
      toDOM: () => ['p', 0]
    },
    // Level 1 is the page's own title; the toolbar offers 2 and 3, and
    // imported or pasted text may bring any level.
    heading: {
      attrs: { level: { default: 2 } },
      content: 'inline*',
      group: 'block',
      defining: true,
      parseDOM: [1, 2, 3, 4, 5, 6].map((level) => ({ tag: `h${level}`, attrs: { level } })),
      toDOM: (node) => [`h${node.attrs.level}`, 0]
    },
    bullet_list: {
      content: 'list_item+',
      group: 'block',
      parseDOM: [{ tag: 'ul' }],
      toDOM: () => ['ul', 0]
    },
    ordered_list: {
      attrs: { order: { default: 1 } },
      content: 'list_item+',
      group: 'block',
      parseDOM: [{
        tag: 'ol',
        getAttrs: (dom) => ({ order: dom.hasAttribute('start') ? Number(dom.getAttribute('start')) || 1 : 1 })
      }],
      toDOM: (node) => node.attrs.order === 1 ? ['ol', 0] : ['ol', { start: node.attrs.order }, 0]
    },
    list_item: {
      content: 'paragraph block*',
      defining: true,
      parseDOM: [{ tag: 'li' }],
      toDOM: () => ['li', 0]
    },
    // A picture uploaded to the portal (src is the portal's own URL, never
    // another site's) with the words that describe it.
    image: {
      attrs: { src: {}, alt: { default: '' } },
      group: 'block',
      draggable: true,
      parseDOM: [{
        tag: 'img[src]',
        getAttrs: (dom) => ({ src: dom.getAttribute('src'), alt: dom.getAttribute('alt') || '' })
      }],
      toDOM: (node) => ['img', { src: node.attrs.src, alt: node.attrs.alt }]
    },
    // A short recording kept by the portal (src is its own path,
    // /documents/<doc>/recordings/<id>) with the words said, typed by an
    // adult: the transcript is what the Markdown, the assistant and readers
    // without audio get.
    voice_note: {
      attrs: { src: {}, transcript: { default: '' } },
      group: 'block',
      atom: true,
      draggable: true,
      parseDOM: [{
        tag: 'figure[data-voice-note]',
        getAttrs: (dom) => ({
          src: dom.getAttribute('data-voice-note'),
          transcript: dom.getAttribute('data-transcript') || ''
        })
      }],
      toDOM: (node) => ['figure', { 'data-voice-note': node.attrs.src, 'data-transcript': node.attrs.transcript },
        ['audio', { controls: '', preload: 'none', src: node.attrs.src }],
        ['figcaption', node.attrs.transcript]]
    },
    text: { group: 'inline' },
    hard_break: {
      inline: true,
      group: 'inline',
      selectable: false,
      parseDOM: [{ tag: 'br' }],
      toDOM: () => ['br']
    }
  },
  marks: {
    strong: {
      parseDOM: [
        { tag: 'strong' },
        // Word and Google Docs wrap whole pastes in <b style="font-weight:normal">.
        { tag: 'b', getAttrs: (dom) => dom.style.fontWeight !== 'normal' && null },
        { style: 'font-weight', getAttrs: (value) => /^(bold(er)?|[6-9]\d{2,})$/.test(value) && null }
      ],
      toDOM: () => ['strong', 0]
    },
    em: {
      parseDOM: [{ tag: 'i' }, { tag: 'em' }, { style: 'font-style=italic' }],
      toDOM: () => ['em', 0]
    },
    // Words taken from a contribution into the plan: `ref` names the
    // portal's record of where they came from (portal/services/provenance.py).
    // Not inclusive, so words typed after a passage are the typist's own; it
    // is never parsed from pasted HTML, so a paste cannot claim a source.
    source: {
      attrs: { ref: {} },
      inclusive: false,
      toDOM: (mark) => ['span', { class: 'app-source', 'data-source-ref': mark.attrs.ref }, 0]
    }
  }
})
