// The y-websocket frames of docs/realtime-protocol.md, and small helpers on
// Yjs state vectors. No sockets here.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1

/** Copy a Socket.IO binary payload (Buffer, ArrayBuffer or view) into a Uint8Array. */
export function toBytes (data) {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError('expected binary data')
}

function frameSync (write) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

/** The y-websocket frame carrying sync step 1 for `ydoc`. */
export const encodeStep1 = (ydoc) => frameSync((e) => syncProtocol.writeSyncStep1(e, ydoc))
/** The y-websocket frame carrying sync step 2 with `update`. */
export const encodeStep2 = (update) => frameSync((e) => { encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2); encoding.writeVarUint8Array(e, update) })
/** The y-websocket frame carrying one update (sync message type 2). */
export const encodeUpdate = (update) => frameSync((e) => syncProtocol.writeUpdate(e, update))

/** The y-websocket frame carrying an awareness update. */
export function encodeAwareness (update) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** True if `ydoc` has structs that the state vector `remote` (encoded) lacks. */
export function isAhead (ydoc, remote) {
  const theirs = Y.decodeStateVector(remote)
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(ydoc))) {
    if ((theirs.get(client) || 0) < clock) return true
  }
  return false
}
