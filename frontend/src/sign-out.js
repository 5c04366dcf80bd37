// Loaded on every signed-in page (base.html). Before the sign-out form is
// sent, delete this browser's copies of documents, so that none stays for the
// next person at a shared computer. An open editor may first ask whether to go
// (unsaved changes), through SIGN_OUT_EVENT. The server's answer also carries
// Clear-Site-Data, for browsers that cannot list their databases.
import { SIGN_OUT_EVENT, deleteLocalCopies } from './local-databases.js'

const form = document.getElementById('sign-out-form')
let busy = false

if (form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (busy) return
    if (!window.dispatchEvent(new CustomEvent(SIGN_OUT_EVENT, { cancelable: true }))) return
    busy = true
    try {
      await deleteLocalCopies({ timeoutMs: 2000 })
    } finally {
      form.submit() // signing out matters more than the local clean-up
    }
  })
}
