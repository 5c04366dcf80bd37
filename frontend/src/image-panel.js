// "Add a picture": an inline panel (GOV.UK form markup) with a file input,
// which offers the camera and the gallery on phones, and a description. The
// picture is uploaded to the document's images URL; the answer's src (a
// path on this portal) goes into the document as an image node.
import { el, toolButton } from './dom.js'
import { portalImagePath } from './paste.js'
import { schema } from './schema.js'

const ERROR_CLASS = { TEXTAREA: 'govuk-textarea--error' }
const NETWORK_ERROR = 'The picture could not be uploaded. Check your connection and try again.'

/** A GOV.UK form group around `control`, with its label, hint and an error line. */
export function formGroup (id, labelText, control, hintText) {
  const group = el('div', 'govuk-form-group')
  const label = el('label', 'govuk-label', labelText)
  label.htmlFor = id
  control.id = id
  group.append(label)
  const described = []
  if (hintText) {
    const hint = el('div', 'govuk-hint', hintText)
    hint.id = `${id}-hint`
    described.push(hint.id)
    group.append(hint)
  }
  const error = el('p', 'govuk-error-message')
  error.id = `${id}-error`
  error.hidden = true
  group.append(error, control)
  const setError = (message) => {
    group.classList.toggle('govuk-form-group--error', Boolean(message))
    control.classList.toggle(ERROR_CLASS[control.tagName] || (control.type === 'file' ? 'govuk-file-upload--error' : 'govuk-input--error'), Boolean(message))
    error.hidden = !message
    error.replaceChildren()
    if (message) error.append(el('span', 'govuk-visually-hidden', 'Error: '), message)
    const ids = message ? [...described, error.id] : described
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '))
    else control.removeAttribute('aria-describedby')
  }
  return { group, setError }
}

/**
 * POST a multipart form to an upload URL with the page's CSRF token; resolves
 * to the answer's JSON, or throws an Error with the server's sentence (or
 * `networkError` when there is none). Pictures and recordings upload so.
 */
export async function postAttachment ({ url, csrfToken, body, networkError }) {
  let response
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRFToken': csrfToken, Accept: 'application/json' },
      body
    })
  } catch {
    throw new Error(networkError)
  }
  const answer = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(typeof answer.error === 'string' && answer.error ? answer.error : networkError)
  return answer
}

/** Upload `file` with its description; resolves to {src, alt} or throws an Error with a sentence. */
export async function uploadPicture ({ url, csrfToken, file, alt }) {
  const body = new FormData()
  body.append('image', file)
  body.append('alt', alt)
  const answer = await postAttachment({ url, csrfToken, body, networkError: NETWORK_ERROR })
  const src = portalImagePath(answer.src, window.location.origin)
  if (!src) throw new Error(NETWORK_ERROR)
  return { src, alt: typeof answer.alt === 'string' ? answer.alt : alt }
}

/**
 * The panel: `open()` shows it and focuses the file input; on success the
 * picture is inserted at the editor's selection and the panel closes.
 */
export function createImagePanel ({ url, csrfToken, altLabel, altHint, getView }) {
  const panel = el('div', 'app-editor__picture-panel')
  panel.id = 'editor-picture-panel'
  panel.hidden = true
  panel.setAttribute('role', 'group')
  panel.setAttribute('aria-labelledby', 'editor-picture-heading')
  const heading = el('h3', 'govuk-heading-s', 'Add a picture')
  heading.id = 'editor-picture-heading'
  const fileInput = el('input', 'govuk-file-upload')
  fileInput.type = 'file'
  fileInput.accept = 'image/*'
  const altInput = el('input', 'govuk-input')
  altInput.type = 'text'
  altInput.required = true
  const file = formGroup('editor-picture-file', 'Choose a picture or take a photo', fileInput)
  const alt = formGroup('editor-picture-alt', altLabel || 'Describe the picture in a few words', altInput, altHint)
  const buttons = el('div', 'govuk-button-group')
  const add = toolButton('govuk-button app-editor__picture-add', 'Add picture', () => submit())
  const cancel = toolButton('govuk-button govuk-button--secondary', 'Cancel', () => close())
  buttons.append(add, cancel)
  panel.append(heading, file.group, alt.group, buttons)
  altInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); submit() }
  })
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); close() }
  })

  let busy = false
  async function submit () {
    if (busy) return
    const chosen = fileInput.files && fileInput.files[0]
    const description = altInput.value.trim()
    file.setError(chosen ? null : 'Select a picture')
    alt.setError(description ? null : 'Describe the picture in a few words')
    if (!chosen) return fileInput.focus()
    if (!description) return altInput.focus()
    busy = true
    add.disabled = true
    add.textContent = 'Adding picture…'
    try {
      const picture = await uploadPicture({ url, csrfToken, file: chosen, alt: description })
      const view = getView()
      view.dispatch(view.state.tr.replaceSelectionWith(schema.nodes.image.create(picture)).scrollIntoView())
      close()
    } catch (err) {
      file.setError(err.message)
      fileInput.focus()
    } finally {
      busy = false
      add.disabled = false
      add.textContent = 'Add picture'
    }
  }

  function open () {
    panel.hidden = false
    fileInput.focus()
  }

  function close () {
    panel.hidden = true
    fileInput.value = ''
    altInput.value = ''
    file.setError(null)
    alt.setError(null)
    getView().focus()
  }

  return { panel, open, close, isOpen: () => !panel.hidden }
}
