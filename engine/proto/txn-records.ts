import { type Infer, bool, buffer, int, list, long, longNumber, record, text } from '../jute'
import { ACLList } from './data-records'

/** Records of `org.apache.zookeeper.txn` (zookeeper.jute): what the txn log, snapshots and PROPOSALs carry. */

export const TxnHeader = record('TxnHeader', {
  clientId: long,
  cxid: int,
  zxid: long,
  time: longNumber,
  type: int,
})
export type TxnHeader = Infer<typeof TxnHeader>

export const TxnDigest = record('TxnDigest', { version: int, treeDigest: long })
export type TxnDigest = Infer<typeof TxnDigest>

export const CreateTxn = record('CreateTxn', {
  path: text,
  data: buffer,
  acl: ACLList,
  ephemeral: bool,
  parentCVersion: int,
})
export type CreateTxn = Infer<typeof CreateTxn>

/** Pre-3.3 logs: no parentCVersion (treated as -1, "increment"). Read-only compatibility. */
export const CreateTxnV0 = record('CreateTxnV0', { path: text, data: buffer, acl: ACLList, ephemeral: bool })
export type CreateTxnV0 = Infer<typeof CreateTxnV0>

export const CreateContainerTxn = record('CreateContainerTxn', {
  path: text,
  data: buffer,
  acl: ACLList,
  parentCVersion: int,
})
export type CreateContainerTxn = Infer<typeof CreateContainerTxn>

export const CreateTTLTxn = record('CreateTTLTxn', {
  path: text,
  data: buffer,
  acl: ACLList,
  parentCVersion: int,
  ttl: long,
})
export type CreateTTLTxn = Infer<typeof CreateTTLTxn>

export const DeleteTxn = record('DeleteTxn', { path: text })
export type DeleteTxn = Infer<typeof DeleteTxn>

export const SetDataTxn = record('SetDataTxn', { path: text, data: buffer, version: int })
export type SetDataTxn = Infer<typeof SetDataTxn>

export const CheckVersionTxn = record('CheckVersionTxn', { path: text, version: int })
export type CheckVersionTxn = Infer<typeof CheckVersionTxn>

export const SetACLTxn = record('SetACLTxn', { path: text, acl: ACLList, version: int })
export type SetACLTxn = Infer<typeof SetACLTxn>

export const CreateSessionTxn = record('CreateSessionTxn', { timeOut: int })
export type CreateSessionTxn = Infer<typeof CreateSessionTxn>

export const CloseSessionTxn = record('CloseSessionTxn', { paths2Delete: list(text) })
export type CloseSessionTxn = Infer<typeof CloseSessionTxn>

export const ErrorTxn = record('ErrorTxn', { err: int })
export type ErrorTxn = Infer<typeof ErrorTxn>

/** One sub-transaction of a MultiTxn: its type and its serialized record. */
export const Txn = record('Txn', { type: int, data: buffer })
export type Txn = Infer<typeof Txn>

export const MultiTxn = record('MultiTxn', { txns: list(Txn) })
export type MultiTxn = Infer<typeof MultiTxn>
