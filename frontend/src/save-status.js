// What the status line says, from what the provider knows. One pure function,
// so the rule "never 'All changes saved' while anything is unconfirmed" lives
// in one place and can be tested without a socket.

export const STATUS_TEXT = {
  connecting: 'Connecting…',
  loading: 'Loading…',
  saving: 'Saving…',
  saved: 'All changes saved',
  offline: 'Offline – trying to reconnect',
  offlineKept: 'Offline – your changes are kept on this device and will be sent when you reconnect',
  offlineUnsent: 'Offline – your changes will be sent when you reconnect. Keep this page open until then.',
  read: 'You can read this document',
  comment: 'You can read and comment on this document',
  none: 'You no longer have access to this document',
  notEditor: 'you can no longer edit this document.',
  notSavedSuffix: 'Your latest changes are not saved.'
}

const sentence = (text) => (/[.!?…]$/.test(text) ? text : `${text}.`)

/**
 * The status for these facts: {state, message}. `state` is one of the
 * data-status values documented in portal/templates/documents/_editor.html.
 * @param {object} f
 * @param {string|null} f.fatalError connection or join refused, or closed by the server
 * @param {string|null} f.access 'none' | 'read' | 'comment' | 'edit' once joined
 * @param {boolean} f.joined
 * @param {boolean} f.hadConnectError
 * @param {boolean} f.synced first server step 2 since the join
 * @param {number} f.unsaved local changes the server has not confirmed
 * @param {{message: string, retrying: boolean}|null} f.refusal unhealed refusal
 * @param {boolean} f.keepsLocalCopy unsent changes survive closing the page
 */
export function describeStatus (f) {
  if (f.fatalError) {
    const message = f.unsaved > 0 ? `${sentence(f.fatalError)} ${STATUS_TEXT.notSavedSuffix}` : f.fatalError
    return { state: 'error', message }
  }
  if (f.access === 'none') return { state: 'none', message: STATUS_TEXT.none }
  if (!f.joined) {
    if (!f.access && !f.hadConnectError) return { state: 'connecting', message: STATUS_TEXT.connecting }
    if (f.unsaved === 0 && !f.refusal) return { state: 'offline', message: STATUS_TEXT.offline }
    return { state: 'offline', message: f.keepsLocalCopy ? STATUS_TEXT.offlineKept : STATUS_TEXT.offlineUnsent }
  }
  if (f.refusal) {
    const retry = f.refusal.retrying ? ' Trying again…' : ''
    return { state: 'unsaved', message: `Not saved: ${sentence(f.refusal.message)}${retry}` }
  }
  if (f.access !== 'edit') {
    if (f.unsaved > 0) return { state: 'unsaved', message: `Not saved: ${STATUS_TEXT.notEditor}` }
    return { state: f.access, message: STATUS_TEXT[f.access] }
  }
  if (f.unsaved > 0) return { state: 'saving', message: STATUS_TEXT.saving }
  if (!f.synced) return { state: 'loading', message: STATUS_TEXT.loading }
  return { state: 'saved', message: STATUS_TEXT.saved }
}
