// What the page does about changes that are not saved yet: ask before leaving
// (beforeunload), ask before signing out (sign-out.js sends SIGN_OUT_EVENT),
// and offer "Discard my unsaved changes" when the server keeps refusing them.
import { discardLocalCopy } from './local-copy.js'
import { SIGN_OUT_EVENT } from './local-databases.js'

const SIGN_OUT_QUESTION = 'Some of your changes are not saved yet. If you sign out now, they will be lost. Sign out anyway?'
const DISCARD_QUESTION = 'Discard the changes that could not be saved? The document will load again as it was last saved.'

/**
 * @param {object} opts
 * @param {import('./socketio-provider.js').SocketIOProvider} opts.provider
 * @param {object|null} opts.localCopy y-indexeddb persistence, if any
 * @param {HTMLElement} opts.discardBox shown while discarding is offered
 * @param {HTMLButtonElement} opts.discardButton
 */
export function guardUnsavedChanges ({ provider, localCopy, discardBox, discardButton }) {
  let leaving = false // set once the person chose to go: no second question
  window.addEventListener('beforeunload', (event) => {
    if (leaving || !provider.hasUnsavedChanges) return
    event.preventDefault()
    event.returnValue = '' // older browsers ask only when this is set
  })
  window.addEventListener(SIGN_OUT_EVENT, (event) => {
    if (provider.hasUnsavedChanges && !window.confirm(SIGN_OUT_QUESTION)) return event.preventDefault()
    leaving = true
    if (localCopy) localCopy.destroy() // close it so that deleting it is not blocked
  })
  discardButton.addEventListener('click', async () => {
    if (!window.confirm(DISCARD_QUESTION)) return
    leaving = true
    discardButton.disabled = true
    if (localCopy) await discardLocalCopy(localCopy)
    window.location.reload()
  })
  provider.on('status', (status) => { discardBox.hidden = !status.canDiscard })
}
