import { type Codec, JuteWriter } from '../jute'
import { ConnectResponse, ReplyHeader, Stat, WatcherEvent, KeeperState, Xid } from '../proto'

/**
 * Serialises reply frames (`[len][ReplyHeader][record]`) through one reusable writer, so a reply costs one exact-size
 * allocation. The pipeline is single-threaded, so sharing the writer is safe.
 */
const writer = new JuteWriter(64 * 1024)

/** Copies the frame out of the shared writer; small frames come from Node's buffer pool. */
function takeFrame(): Buffer {
  writer.intAt(0, writer.offset - 4)
  const frame = Buffer.allocUnsafe(writer.offset)
  writer.view().copy(frame, 0, 0, writer.offset)
  return frame
}

export function replyFrame<T>(xid: number, zxid: bigint, err: number, codec?: Codec<T>, record?: T): Buffer {
  writer.reset()
  writer.int(0)
  ReplyHeader.write(writer, { xid, zxid, err })
  if (codec !== undefined && record !== undefined) codec.write(writer, record)
  return takeFrame()
}

/**
 * A getChildren (no `stat`) or getChildren2 reply around an already encoded children vector (often the tree's cached
 * one): the vector is copied once, straight into the frame, not through the shared writer.
 */
export function childrenReplyFrame(xid: number, zxid: bigint, vector: Buffer, stat: Stat | undefined): Buffer {
  writer.reset()
  writer.int(0)
  ReplyHeader.write(writer, { xid, zxid, err: 0 })
  const headerBytes = writer.offset
  // The stat goes after the vector; it is written here first and moved behind the vector in the frame.
  if (stat !== undefined) Stat.write(writer, stat)
  const frame = Buffer.allocUnsafe(writer.offset + vector.length)
  const view = writer.view()
  view.copy(frame, 0, 0, headerBytes)
  vector.copy(frame, headerBytes)
  view.copy(frame, headerBytes + vector.length, headerBytes, writer.offset)
  frame.writeInt32BE(frame.length - 4, 0)
  return frame
}

/** A reply whose body is written by hand (multi results, whose shape depends on each op). */
export function replyFrameWith(xid: number, zxid: bigint, err: number, writeBody: (w: JuteWriter) => void): Buffer {
  writer.reset()
  writer.int(0)
  ReplyHeader.write(writer, { xid, zxid, err })
  writeBody(writer)
  return takeFrame()
}

/** A watch notification: `{xid -1, zxid -1, err 0}` + WatcherEvent with state SyncConnected (3.8 wire format). */
export function notificationFrame(type: number, path: string): Buffer {
  writer.reset()
  writer.int(0)
  ReplyHeader.write(writer, { xid: Xid.notification, zxid: -1n, err: 0 })
  WatcherEvent.write(writer, { type, state: KeeperState.SyncConnected, path })
  return takeFrame()
}

/** The handshake answer; the readOnly flag is appended only when the client sent one (`isOldClient` false). */
export function connectResponseFrame(timeOutMs: number, sessionId: bigint, password: Buffer, readOnly: boolean | undefined): Buffer {
  writer.reset()
  writer.int(0)
  ConnectResponse.write(writer, { protocolVersion: 0, timeOut: timeOutMs, sessionId, passwd: password })
  if (readOnly !== undefined) writer.bool(readOnly)
  return takeFrame()
}
