// How a picture shows in the editor: the image, its description visible
// underneath, and (for people who may edit) buttons to change the
// description or remove the picture. Selecting it and pressing Delete or
// Backspace removes it too.
import { el } from './dom.js'
import { portalImagePath } from './paste.js'

let nextId = 1

export class ImageView {
  constructor (node, view, getPos) {
    Object.assign(this, { node, view, getPos })
    const id = `editor-picture-${nextId++}`
    this.dom = el('figure', 'app-editor__figure')
    this.img = el('img', 'app-editor__image')
    // The caption repeats the description for sighted people; the image's
    // alt carries it for screen readers, so the caption is hidden from them.
    this.caption = el('figcaption', 'app-editor__caption govuk-body-s')
    this.caption.setAttribute('aria-hidden', 'true')
    this.controls = el('div', 'app-editor__figure-controls')
    const change = this._button('Change description', () => this._openAltEditor())
    const remove = this._button('Remove picture', () => this._remove())
    this.controls.append(change, remove)
    this.altEditor = this._altEditor(id)
    this.dom.append(this.img, this.caption, this.controls, this.altEditor)
    this._render(node)
  }

  _button (text, onClick) {
    const button = el('button', 'govuk-button govuk-button--secondary app-editor__figure-button', text)
    button.type = 'button'
    button.addEventListener('click', onClick)
    return button
  }

  _altEditor (id) {
    const box = el('div', 'govuk-form-group app-editor__alt-editor')
    box.hidden = true
    const label = el('label', 'govuk-label', 'Describe the picture in a few words')
    label.htmlFor = `${id}-alt`
    this.altInput = el('input', 'govuk-input')
    this.altInput.id = `${id}-alt`
    this.altInput.type = 'text'
    this.altInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') { event.preventDefault(); this._saveAlt() }
      if (event.key === 'Escape') { event.preventDefault(); this._closeAltEditor() }
    })
    const buttons = el('div', 'govuk-button-group app-editor__alt-buttons')
    buttons.append(this._button('Save description', () => this._saveAlt()), this._button('Cancel', () => this._closeAltEditor()))
    box.append(label, this.altInput, buttons)
    return box
  }

  _render (node) {
    this.node = node
    // Only the portal's own pictures load: a src written into the shared
    // document by anything but this editor (another site, or one of our own
    // pages) is not fetched (the page's CSP also keeps other sites out).
    const src = portalImagePath(node.attrs.src)
    if (!src) this.img.removeAttribute('src')
    else if (this.img.getAttribute('src') !== src) this.img.src = src
    this.img.alt = node.attrs.alt
    this.caption.textContent = node.attrs.alt || 'No description yet'
    this.caption.classList.toggle('app-editor__caption--missing', !node.attrs.alt)
  }

  _openAltEditor () {
    if (!this.view.editable) return
    this.altInput.value = this.node.attrs.alt
    this.altEditor.hidden = false
    this.controls.hidden = true
    this.altInput.focus()
  }

  _closeAltEditor () {
    this.altEditor.hidden = true
    this.controls.hidden = false
    this.view.focus()
  }

  _saveAlt () {
    const pos = this.getPos()
    const alt = this.altInput.value.trim()
    if (this.view.editable && typeof pos === 'number') {
      this.view.dispatch(this.view.state.tr.setNodeMarkup(pos, null, { ...this.node.attrs, alt }))
    }
    this._closeAltEditor()
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
  // The buttons and the description field are ours, not ProseMirror's.
  stopEvent (event) { return this.controls.contains(event.target) || this.altEditor.contains(event.target) }
  ignoreMutation () { return true }
}
