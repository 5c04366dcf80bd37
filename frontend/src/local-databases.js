// Listing and deleting this browser's copies of documents (IndexedDB
// databases named `ehcp-doc-<personId>-<docId>`, see local-copy.js). No
// dependencies, so the sign-out script stays small.

export const PREFIX = 'ehcp-doc-'
/** Sent on window by sign-out.js before it deletes the copies; an editor may cancel it. */
export const SIGN_OUT_EVENT = 'ehcp:sign-out'

/** The database name for a person's copy of a document. */
export function localCopyName (personId, docId) {
  return `${PREFIX}${personId}-${docId}`
}

/** Names of every document copy in this browser ([] where it cannot list them). */
export async function localCopyNames () {
  if (typeof indexedDB === 'undefined' || !indexedDB.databases) return []
  const all = await indexedDB.databases()
  return all.map((d) => d.name).filter((name) => name && name.startsWith(PREFIX))
}

/** Delete one database; resolves when done, failed, or after `timeoutMs`. */
export function deleteDatabase (name, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    const done = () => { clearTimeout(timer); resolve() }
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = done
    request.onerror = done
    // onblocked: another tab holds it open; lib0 closes on versionchange, then it goes.
  })
}

/** Delete every document copy, or every one but `keepPersonId`'s. */
export async function deleteLocalCopies ({ keepPersonId = null, timeoutMs = 5000 } = {}) {
  const mine = keepPersonId === null ? null : `${PREFIX}${keepPersonId}-`
  const names = (await localCopyNames()).filter((name) => !mine || !name.startsWith(mine))
  await Promise.all(names.map((name) => deleteDatabase(name, timeoutMs)))
  return names
}
