import { OPEN_ACL_UNSAFE } from '../../../engine/proto/data-records'
import { OpCode } from '../../../engine/proto/opcodes'
import { type LoggedTxn, type TxnBody, encodeTxnBody } from '../../../engine/proto/txn'
import { seededRandom } from '../../support/seeded-random'

/** Deterministic txns of every common kind, for log and snapshot tests. */

export const SESSION_ID = 0x1000008b84e0000n

export function txnAt(zxid: bigint, body: TxnBody, time = 1764082800000 + Number(zxid)): LoggedTxn {
  return { header: { clientId: SESSION_ID, cxid: Number(zxid & 0x7fffn), zxid, time, type: body.type }, body }
}

export function createBody(path: string, data: Buffer, parentCVersion = 1): TxnBody {
  return { type: OpCode.create, txn: { path, data, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion } }
}

/** The i-th txn of a varied sequence: creates, setData, deletes, a session, an error, a multi. */
export function sampleTxn(zxid: bigint, payloadBytes = 100): LoggedTxn {
  const i = Number(zxid)
  const data = Buffer.alloc(payloadBytes, i % 251)
  switch (i % 7) {
    case 0:
      return txnAt(zxid, { type: OpCode.createSession, txn: { timeOut: 30000 } })
    case 1:
    case 2:
      return txnAt(zxid, createBody(`/node-${i}`, data, i))
    case 3:
      return txnAt(zxid, { type: OpCode.setData, txn: { path: `/node-${i - 1}`, data, version: 1 } })
    case 4:
      return txnAt(zxid, { type: OpCode.delete, txn: { path: `/node-${i - 3}` } })
    case 5:
      return txnAt(zxid, { type: OpCode.error, txn: { err: -110 } })
    default:
      return txnAt(zxid, {
        type: OpCode.multi,
        txns: [createBody(`/m-${i}`, data.subarray(0, 10), 2), { type: OpCode.setData, txn: { path: `/m-${i}`, data: null, version: 1 } }],
      })
  }
}

export function sampleTxns(count: number, firstZxid = 1n, payloadBytes = 100): LoggedTxn[] {
  return Array.from({ length: count }, (_, i) => sampleTxn(firstZxid + BigInt(i), payloadBytes))
}

/**
 * A txn as one comparable string: its header fields and the hex of its record. Comparing these is exact and much
 * faster than deep equality over large Buffers.
 */
export function txnKey(txn: LoggedTxn): string {
  const { clientId, cxid, zxid, time, type } = txn.header
  return `${clientId}/${cxid}/${zxid}/${time}/${type}:${encodeTxnBody(txn.body).toString('hex')}`
}
