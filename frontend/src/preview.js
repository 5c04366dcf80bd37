// Live Markdown preview, rendered the way the server renders it
// (portal/services/markdown.py: markdown-it "commonmark", html off, tables on).
import MarkdownIt from 'markdown-it'

const md = new MarkdownIt('commonmark', { html: false, linkify: false }).enable('table')

/** Markdown to HTML; raw HTML is escaped and unsafe link schemes are refused by markdown-it. */
export function renderMarkdown (text) {
  return md.render(text)
}

/** Keep `target` showing `ytext` as HTML, re-rendering at most every `delay` ms. */
export function bindPreview (target, ytext, delay = 150) {
  let timer = null
  const render = () => {
    timer = null
    target.innerHTML = renderMarkdown(ytext.toString())
  }
  const schedule = () => {
    if (timer === null) timer = setTimeout(render, delay)
  }
  ytext.observe(schedule)
  return { render, schedule, destroy: () => { ytext.unobserve(schedule); clearTimeout(timer) } }
}
