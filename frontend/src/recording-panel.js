// "Record my voice": an inline panel (GOV.UK form markup) that records a
// short voice note with the browser's MediaRecorder, plays it back, and
// takes the words said, typed by a grown-up. Saving uploads both to the
// document's recordings URL; the answer's src (a path on this portal) and
// the transcript go into the document as a voice_note node.
import { el, toolButton } from './dom.js'
import { formGroup, postAttachment } from './image-panel.js'
import { portalRecordingPath } from './paste.js'
import { schema } from './schema.js'

export const MAX_SECONDS = 60
export const MAX_TRANSCRIPT_CHARS = 2000
const MIC_ERROR = 'We could not use the microphone. You can type instead.'
const NETWORK_ERROR = 'The recording could not be saved. Check your connection and try again.'
// What MediaRecorder makes, in order of preference: Opus keeps a minute small.
const TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4']

/** Whether this browser can record from a microphone at all. */
export function canRecord () {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder)
}

function recorderType () {
  return TYPES.find((type) => MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(type)) || ''
}

/** Upload a recording with its words; resolves to {src, transcript} or throws an Error with a sentence. */
export async function uploadRecording ({ url, csrfToken, blob, transcript }) {
  const body = new FormData()
  body.append('audio', blob, 'recording')
  body.append('transcript', transcript)
  const answer = await postAttachment({ url, csrfToken, body, networkError: NETWORK_ERROR })
  const src = portalRecordingPath(answer.src, window.location.origin)
  if (!src) throw new Error(NETWORK_ERROR)
  return { src, transcript: typeof answer.transcript === 'string' ? answer.transcript : transcript }
}

function secondsLeft (seconds) {
  return seconds === 1 ? '1 second left' : `${seconds} seconds left`
}

/**
 * The panel: `open()` shows it and focuses "Start recording"; on success the
 * voice note is inserted at the editor's selection and the panel closes.
 */
export function createRecordingPanel ({ url, csrfToken, getView }) {
  const panel = el('div', 'app-editor__picture-panel app-editor__recording-panel')
  panel.id = 'editor-recording-panel'
  panel.hidden = true
  panel.setAttribute('role', 'group')
  panel.setAttribute('aria-labelledby', 'editor-recording-heading')
  const heading = el('h3', 'govuk-heading-s', 'Record my voice')
  heading.id = 'editor-recording-heading'

  // The recorder: its own group, so its errors show in GOV.UK style.
  const group = el('div', 'govuk-form-group')
  const hint = el('p', 'govuk-hint', `Press Start recording and speak. It stops by itself after ${MAX_SECONDS} seconds.`)
  hint.id = 'editor-recording-hint'
  const error = el('p', 'govuk-error-message')
  error.id = 'editor-recording-error'
  error.hidden = true
  const recordButtons = el('div', 'govuk-button-group app-editor__recording-buttons')
  const start = toolButton('govuk-button govuk-button--secondary', 'Start recording', () => startRecording())
  start.id = 'editor-recording-start'
  const stop = toolButton('govuk-button govuk-button--warning', 'Stop', () => stopRecording())
  stop.id = 'editor-recording-stop'
  stop.hidden = true
  recordButtons.append(start, stop)
  const time = el('p', 'govuk-body-s app-editor__recording-time')
  time.id = 'editor-recording-time'
  time.setAttribute('role', 'status')
  const audio = el('audio', 'app-editor__recording-audio')
  audio.id = 'editor-recording-audio'
  audio.controls = true
  audio.hidden = true
  audio.setAttribute('aria-label', 'Your recording')
  group.append(hint, error, recordButtons, time, audio)

  const transcriptInput = el('textarea', 'govuk-textarea')
  transcriptInput.rows = 3
  transcriptInput.maxLength = MAX_TRANSCRIPT_CHARS
  const transcript = formGroup('editor-recording-transcript', 'What was said', transcriptInput, 'A grown-up can type the words')
  const buttons = el('div', 'govuk-button-group')
  const save = toolButton('govuk-button app-editor__recording-save', 'Save recording', () => submit())
  save.id = 'editor-recording-save'
  const cancel = toolButton('govuk-button govuk-button--secondary', 'Cancel', () => close())
  buttons.append(save, cancel)
  panel.append(heading, group, transcript.group, buttons)
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); close() }
  })

  let recorder = null
  let stream = null
  let blob = null
  let blobUrl = ''
  let timer = null
  let busy = false
  // Each recording's number: one stopped by Cancel must not come back.
  let session = 0

  const setError = (message) => {
    group.classList.toggle('govuk-form-group--error', Boolean(message))
    error.hidden = !message
    error.replaceChildren()
    if (message) error.append(el('span', 'govuk-visually-hidden', 'Error: '), message)
  }

  const release = () => {
    clearInterval(timer)
    timer = null
    if (stream) for (const track of stream.getTracks()) track.stop()
    stream = null
  }

  const forget = () => {
    if (blobUrl) URL.revokeObjectURL(blobUrl)
    blob = null
    blobUrl = ''
    audio.removeAttribute('src')
    audio.hidden = true
  }

  async function startRecording () {
    if (recorder || busy) return
    setError(null)
    forget()
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true })
    } catch {
      release()
      setError(MIC_ERROR)
      transcriptInput.focus()
      return
    }
    const mine = ++session
    const type = recorderType()
    const chunks = []
    try {
      // 32 kbit/s is plenty for speech: a minute is about a quarter of a megabyte.
      recorder = new MediaRecorder(stream, { audioBitsPerSecond: 32000, ...(type ? { mimeType: type } : {}) })
    } catch {
      release()
      setError(MIC_ERROR)
      return
    }
    recorder.addEventListener('dataavailable', (event) => { if (event.data.size) chunks.push(event.data) })
    recorder.addEventListener('stop', () => {
      if (mine !== session) return
      release()
      recorder = null
      start.hidden = false
      stop.hidden = true
      start.textContent = 'Record again'
      if (!chunks.length) { time.textContent = ''; return setError('Nothing was recorded. Try again.') }
      blob = new Blob(chunks, { type: chunks[0].type || type })
      blobUrl = URL.createObjectURL(blob)
      audio.src = blobUrl
      audio.hidden = false
      time.textContent = 'Recorded. Listen to it, then type what was said.'
      transcriptInput.focus()
    })
    let left = MAX_SECONDS
    time.textContent = `Recording: ${secondsLeft(left)}`
    timer = setInterval(() => {
      left -= 1
      if (left <= 0) return stopRecording()
      time.textContent = `Recording: ${secondsLeft(left)}`
    }, 1000)
    recorder.start()
    start.hidden = true
    stop.hidden = false
    stop.focus()
  }

  function stopRecording () {
    clearInterval(timer)
    timer = null
    if (recorder && recorder.state !== 'inactive') recorder.stop()
  }

  async function submit () {
    if (busy || recorder) return
    const words = transcriptInput.value.trim()
    setError(blob ? null : 'Record your voice first, then save it.')
    transcript.setError(words ? null : 'Type what was said')
    if (!blob) return start.focus()
    if (!words) return transcriptInput.focus()
    busy = true
    save.disabled = true
    save.textContent = 'Saving recording…'
    try {
      const note = await uploadRecording({ url, csrfToken, blob, transcript: words })
      const view = getView()
      view.dispatch(view.state.tr.replaceSelectionWith(schema.nodes.voice_note.create(note)).scrollIntoView())
      close()
    } catch (err) {
      setError(err.message)
      save.focus()
    } finally {
      busy = false
      save.disabled = false
      save.textContent = 'Save recording'
    }
  }

  function open () {
    panel.hidden = false
    start.focus()
  }

  function close () {
    // Whatever is being recorded is thrown away.
    session++
    stopRecording()
    recorder = null
    release()
    forget()
    panel.hidden = true
    start.hidden = false
    stop.hidden = true
    start.textContent = 'Start recording'
    time.textContent = ''
    transcriptInput.value = ''
    setError(null)
    transcript.setError(null)
    getView().focus()
  }

  return { panel, open, close, isOpen: () => !panel.hidden }
}
