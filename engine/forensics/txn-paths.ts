import { OpCode } from '../proto/opcodes'
import type { TxnBody } from '../proto/txn'

/**
 * The znode paths a txn touches, in the order it touches them: the path of a create / delete / setData / setACL /
 * check, every sub-txn's path of a multi, and the ephemerals a closeSession removes (Apache logs them since 3.6).
 * createSession and error txns touch none.
 */
export function pathsOfTxn(body: TxnBody): string[] {
  const out: string[] = []
  collectPaths(body, out)
  return out
}

function collectPaths(body: TxnBody, out: string[]): void {
  switch (body.type) {
    case OpCode.multi:
      for (const sub of body.txns) collectPaths(sub, out)
      return
    case OpCode.closeSession:
      out.push(...body.txn.paths2Delete)
      return
    case OpCode.createSession:
    case OpCode.error:
      return
    default:
      out.push(body.txn.path)
  }
}

/**
 * The kinds of txn a person filters by. A multi is its own kind (its sub-txns' paths are still searchable); create2
 * is logged as create by Apache, and we keep whatever type the log says.
 */
export const TXN_TYPE_NAMES: Readonly<Record<number, string>> = {
  [OpCode.create]: 'create',
  [OpCode.create2]: 'create2',
  [OpCode.createContainer]: 'createContainer',
  [OpCode.createTTL]: 'createTTL',
  [OpCode.delete]: 'delete',
  [OpCode.deleteContainer]: 'deleteContainer',
  [OpCode.setData]: 'setData',
  [OpCode.reconfig]: 'reconfig',
  [OpCode.setACL]: 'setACL',
  [OpCode.check]: 'check',
  [OpCode.multi]: 'multi',
  [OpCode.createSession]: 'createSession',
  [OpCode.closeSession]: 'closeSession',
  [OpCode.error]: 'error',
}

export function txnTypeName(type: number): string {
  return TXN_TYPE_NAMES[type] ?? `type ${type}`
}
