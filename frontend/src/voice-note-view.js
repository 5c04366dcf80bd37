// How a voice note shows in the editor: a player for the recording, the
// words said under it, and (for people who may edit) a button to remove it.
// Selecting it and pressing Delete or Backspace removes it too.
import { el } from './dom.js'

let nextId = 1

export class VoiceNoteView {
  constructor (node, view, getPos) {
    Object.assign(this, { node, view, getPos })
    const id = `editor-voice-note-${nextId++}`
    this.dom = el('figure', 'app-editor__figure app-editor__voice-note')
    this.audio = el('audio', 'app-editor__voice-audio')
    this.audio.controls = true
    // Nothing is fetched until someone presses play.
    this.audio.preload = 'none'
    this.audio.setAttribute('aria-label', 'Voice note')
    this.caption = el('figcaption', 'app-editor__caption app-editor__transcript govuk-body')
    this.caption.id = `${id}-words`
    this.audio.setAttribute('aria-describedby', this.caption.id)
    this.controls = el('div', 'app-editor__figure-controls')
    const remove = el('button', 'govuk-button govuk-button--secondary app-editor__figure-button', 'Remove recording')
    remove.type = 'button'
    remove.addEventListener('click', () => this._remove())
    this.controls.append(remove)
    this.dom.append(this.audio, this.caption, this.controls)
    this._render(node)
  }

  _render (node) {
    this.node = node
    if (this.audio.getAttribute('src') !== node.attrs.src) this.audio.src = node.attrs.src
    this.caption.textContent = node.attrs.transcript || 'No words typed for this recording'
    this.caption.classList.toggle('app-editor__caption--missing', !node.attrs.transcript)
  }

  _remove () {
    const pos = this.getPos()
    if (!this.view.editable || typeof pos !== 'number') return
    this.view.dispatch(this.view.state.tr.delete(pos, pos + this.node.nodeSize).scrollIntoView())
    this.view.focus()
  }

  update (node) {
    if (node.type !== this.node.type) return false
    this._render(node)
    return true
  }

  selectNode () { this.dom.classList.add('ProseMirror-selectednode') }
  deselectNode () { this.dom.classList.remove('ProseMirror-selectednode') }
  // The player and the button are ours, not ProseMirror's.
  stopEvent (event) { return this.audio.contains(event.target) || this.controls.contains(event.target) }
  ignoreMutation () { return true }
}
