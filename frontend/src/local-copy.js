// This device's copy of a document (IndexedDB through y-indexeddb), so edits
// not yet sent survive closing the tab. One database per person and document,
// `ehcp-doc-<personId>-<docId>`; other people's are deleted when an editor
// opens, and all of them when the person signs out (sign-out.js), because a
// shared computer must not keep one person's copy of a child's plan for the next.
// Only people who may edit get one: there is nothing unsent to keep otherwise.
import { IndexeddbPersistence } from 'y-indexeddb'
import { deleteDatabase } from './local-databases.js'

/**
 * Keep `ydoc` in this device's database `name`. Returns the persistence (its
 * `whenSynced` resolves once the stored state is applied), or null where
 * IndexedDB is not available.
 */
export function openLocalCopy (ydoc, name) {
  if (typeof indexedDB === 'undefined') return null
  const persistence = new IndexeddbPersistence(name, ydoc)
  persistence.whenSynced.then(() => {
    // Deleted elsewhere (sign-out in another tab): stop writing to a closed database.
    persistence.db.addEventListener('versionchange', () => persistence.destroy())
  })
  return persistence
}

/** Close this copy and delete its database (its unsent edits are lost). */
export async function discardLocalCopy (persistence) {
  await persistence.destroy()
  await deleteDatabase(persistence.name)
}
