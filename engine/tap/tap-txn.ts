import { pathsOfTxn, txnTypeName } from '../forensics/txn-paths'
import { OpCode } from '../proto/opcodes'
import type { TxnBody } from '../proto/txn'
import { decodeProposalData } from '../quorum/wire/proposal-data'

/** One committed transaction as the tap shows it: what happened, to which paths, by which session, when. */
export interface TapTxn {
  zxid: bigint
  /** `create`, `setData`, `delete`, `createSession`, `closeSession`, `multi`, `error`, … (engine/forensics names). */
  type: string
  /** The session that asked for it (TxnHeader.clientId). */
  sessionId: bigint
  cxid: number
  /** The leader's clock when it prepared the txn (TxnHeader.time, ms since the epoch). */
  timeMs: number
  /** The znodes it touches: one for most; every sub-txn's path for a multi; the ephemerals a closeSession removes. */
  paths: string[]
  /** Bytes of znode data it writes (create / setData; summed over a multi). */
  dataBytes: number
  /** A multi's sub-txn types, in order; empty otherwise. */
  subTypes: string[]
  /** An error txn's code (or the first failing code of a failed multi); null otherwise. */
  errorCode: number | null
  /** createSession: the negotiated session timeout. */
  sessionTimeoutMs: number | null
}

/** Decodes PROPOSAL / INFORM data (TxnHeader + record [+ digest]) with the quorum codec. Throws on bytes that do not decode. */
export function decodeTapTxn(data: Buffer): TapTxn {
  const { txn } = decodeProposalData(data)
  const body = txn.body
  return {
    zxid: txn.header.zxid,
    type: txnTypeName(txn.header.type),
    sessionId: txn.header.clientId,
    cxid: txn.header.cxid,
    timeMs: txn.header.time,
    paths: pathsOfTxn(body),
    dataBytes: dataBytesOf(body),
    subTypes: body.type === OpCode.multi ? body.txns.map((sub) => txnTypeName(sub.type)) : [],
    errorCode: errorCodeOf(body),
    sessionTimeoutMs: body.type === OpCode.createSession ? body.txn.timeOut : null,
  }
}

function dataBytesOf(body: TxnBody): number {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.setData:
      return body.txn.data?.length ?? 0
    case OpCode.multi:
      return body.txns.reduce((sum, sub) => sum + dataBytesOf(sub), 0)
    default:
      return 0
  }
}

/** A failed multi is logged as a multi of error txns: the first code that is not 0 (OK) or -2 (RUNTIMEINCONSISTENCY). */
function errorCodeOf(body: TxnBody): number | null {
  if (body.type === OpCode.error) return body.txn.err
  if (body.type !== OpCode.multi) return null
  for (const sub of body.txns) if (sub.type === OpCode.error && sub.txn.err !== 0 && sub.txn.err !== -2) return sub.txn.err
  return null
}
