import { JuteReader, JuteWriter } from '../../jute'
import { type LoggedTxn, TxnDigest, TxnHeader, writeTxnBody } from '../../proto'
import { type DecodedEntry, readLogEntryBody } from '../../txn/txn-log-format'

/**
 * A transaction as the quorum machines carry it: its zxid and the exact bytes of a PROPOSAL's data
 * (`SerializeUtils.serializeRequest`: TxnHeader + txn record [+ TxnDigest], the same bytes as a txn-log entry).
 * The machines never look inside `data`; the host encodes it once when proposing and decodes it once to apply.
 */
export interface Proposal {
  readonly zxid: bigint
  readonly data: Buffer
}

const writer = new JuteWriter(256)

/** PROPOSAL data for a txn, followed by its digest when it has one (Apache 3.8 appends one when digests are enabled). */
export function encodeProposalData(txn: LoggedTxn, digest: TxnDigest | null = txn.digest ?? null): Buffer {
  writer.reset()
  TxnHeader.write(writer, txn.header)
  writeTxnBody(writer, txn.body)
  if (digest !== null) TxnDigest.write(writer, digest)
  return writer.toBuffer()
}

export function proposalOf(txn: LoggedTxn, digest: TxnDigest | null = txn.digest ?? null): Proposal {
  return { zxid: txn.header.zxid, data: encodeProposalData(txn, digest) }
}

/**
 * Decodes PROPOSAL / INFORM data; a digest is present exactly when bytes remain after the record. The txn carries
 * it too (`txn.digest`), so whoever applies the txn compares it.
 */
export function decodeProposalData(data: Buffer): DecodedEntry {
  const decoded = readLogEntryBody(new JuteReader(data, 0, data.length))
  if (decoded.digest !== null) decoded.txn.digest = decoded.digest
  return decoded
}
