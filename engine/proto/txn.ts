import { JuteReader, JuteWriter } from '../jute'
import { OpCode } from './opcodes'
import {
  CheckVersionTxn,
  CloseSessionTxn,
  CreateContainerTxn,
  CreateSessionTxn,
  CreateTTLTxn,
  CreateTxn,
  CreateTxnV0,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
  type TxnDigest,
  type TxnHeader,
} from './txn-records'

/**
 * A transaction body, discriminated by its TxnHeader type. This is the one shape that the tree applies,
 * the log stores, the snapshot replays and the leader proposes.
 */
export type TxnBody =
  | { type: typeof OpCode.create | typeof OpCode.create2; txn: CreateTxn }
  | { type: typeof OpCode.createContainer; txn: CreateContainerTxn }
  | { type: typeof OpCode.createTTL; txn: CreateTTLTxn }
  | { type: typeof OpCode.delete | typeof OpCode.deleteContainer; txn: DeleteTxn }
  | { type: typeof OpCode.setData | typeof OpCode.reconfig; txn: SetDataTxn }
  | { type: typeof OpCode.setACL; txn: SetACLTxn }
  | { type: typeof OpCode.check; txn: CheckVersionTxn }
  | { type: typeof OpCode.createSession; txn: CreateSessionTxn }
  | { type: typeof OpCode.closeSession; txn: CloseSessionTxn }
  | { type: typeof OpCode.error; txn: ErrorTxn }
  | { type: typeof OpCode.multi; txns: TxnBody[] }

export interface LoggedTxn {
  header: TxnHeader
  body: TxnBody
  /**
   * The tree digest after this txn as the leader's prep computed it (Apache 3.8's TxnDigest, with
   * `zookeeper.digest.enabled`): written after the record in the log and in PROPOSALs, compared after applying.
   * Absent or null: none (digests disabled, a pre-3.6 log, a txn Apache logs without one).
   */
  digest?: TxnDigest | null
}

/** Writes the record of `body` (not its header). */
export function writeTxnBody(w: JuteWriter, body: TxnBody): void {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
      return CreateTxn.write(w, body.txn)
    case OpCode.createContainer:
      return CreateContainerTxn.write(w, body.txn)
    case OpCode.createTTL:
      return CreateTTLTxn.write(w, body.txn)
    case OpCode.delete:
    case OpCode.deleteContainer:
      return DeleteTxn.write(w, body.txn)
    case OpCode.setData:
    case OpCode.reconfig:
      return SetDataTxn.write(w, body.txn)
    case OpCode.setACL:
      return SetACLTxn.write(w, body.txn)
    case OpCode.check:
      return CheckVersionTxn.write(w, body.txn)
    case OpCode.createSession:
      return CreateSessionTxn.write(w, body.txn)
    case OpCode.closeSession:
      return CloseSessionTxn.write(w, body.txn)
    case OpCode.error:
      return ErrorTxn.write(w, body.txn)
    case OpCode.multi:
      return MultiTxn.write(w, {
        txns: body.txns.map((sub) => ({ type: sub.type, data: encodeTxnBody(sub) })),
      })
  }
}

export function encodeTxnBody(body: TxnBody): Buffer {
  const w = new JuteWriter(128)
  writeTxnBody(w, body)
  return w.toBuffer()
}

/**
 * Reads the record for a txn of `type`. `end` bounds the record so optional trailing data (a TxnDigest, or a
 * pre-3.6 closeSession without paths) can be told apart from the record itself.
 */
export function readTxnBody(type: number, r: JuteReader): TxnBody {
  switch (type) {
    case OpCode.create:
    case OpCode.create2: {
      // CreateTxnV0 (no parentCVersion) is exactly 4 bytes shorter; decide by what is left.
      const start = r.offset
      const v0 = CreateTxnV0.read(r)
      if (r.remaining >= 4) return { type, txn: { ...v0, parentCVersion: r.int() } }
      r.offset = start
      return { type, txn: { ...CreateTxnV0.read(r), parentCVersion: -1 } }
    }
    case OpCode.createContainer:
      return { type, txn: CreateContainerTxn.read(r) }
    case OpCode.createTTL:
      return { type, txn: CreateTTLTxn.read(r) }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, txn: DeleteTxn.read(r) }
    case OpCode.setData:
    case OpCode.reconfig:
      return { type, txn: SetDataTxn.read(r) }
    case OpCode.setACL:
      return { type, txn: SetACLTxn.read(r) }
    case OpCode.check:
      return { type, txn: CheckVersionTxn.read(r) }
    case OpCode.createSession:
      return { type, txn: CreateSessionTxn.read(r) }
    case OpCode.closeSession:
      return { type, txn: r.atEnd() ? { paths2Delete: [] } : CloseSessionTxn.read(r) }
    case OpCode.error:
      return { type, txn: ErrorTxn.read(r) }
    case OpCode.multi: {
      const multi = MultiTxn.read(r)
      return {
        type,
        txns: multi.txns.map((sub) => {
          const data = sub.data ?? Buffer.alloc(0)
          return readTxnBody(sub.type, new JuteReader(data, 0, data.length))
        }),
      }
    }
    default:
      throw new Error(`unknown txn type ${type}`)
  }
}

export function decodeTxnBody(type: number, bytes: Buffer): TxnBody {
  return readTxnBody(type, new JuteReader(bytes, 0, bytes.length))
}

