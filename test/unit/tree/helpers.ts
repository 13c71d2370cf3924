import type { ACL, Id } from '../../../engine/proto/data-records'
import { OPEN_ACL_UNSAFE } from '../../../engine/proto/data-records'
import { OpCode } from '../../../engine/proto/opcodes'
import type { TxnBody } from '../../../engine/proto/txn'
import type { TxnHeader } from '../../../engine/proto/txn-records'
import type { ProcessTxnResult, WatchedEvent, Watcher } from '../../../engine/tree/api'
import type { DataTree } from '../../../engine/tree/data-tree'

/** Builds txns the way the prep step would, and applies them with increasing zxids. */
export class TxnDriver {
  zxid = 0n
  timeMs = 1_000_000

  constructor(
    readonly tree: DataTree,
    readonly sessionId = 0x1000n,
  ) {}

  header(type: number, sessionId = this.sessionId): TxnHeader {
    this.zxid++
    this.timeMs += 10
    return { clientId: sessionId, cxid: Number(this.zxid), zxid: this.zxid, time: this.timeMs, type }
  }

  apply(body: TxnBody, sessionId = this.sessionId): ProcessTxnResult {
    return this.tree.processTxn(this.header(body.type, sessionId), body)
  }

  /** A create with the parent cversion the prep step would compute (stored + 1). */
  create(path: string, data: string | null = '', options: { acl?: readonly ACL[]; ephemeral?: boolean; sessionId?: bigint; type?: 1 | 15 } = {}): ProcessTxnResult {
    return this.apply(createBody(this.tree, path, data, options), options.sessionId)
  }

  delete(path: string): ProcessTxnResult {
    return this.apply({ type: OpCode.delete, txn: { path } })
  }

  setData(path: string, data: string): ProcessTxnResult {
    const version = (this.tree.getNode(path)?.stat.version ?? -1) + 1
    return this.apply({ type: OpCode.setData, txn: { path, data: Buffer.from(data), version } })
  }

  closeSession(sessionId: bigint, paths2Delete: string[] = [...this.tree.ephemeralsOf(sessionId)]): ProcessTxnResult {
    return this.apply({ type: OpCode.closeSession, txn: { paths2Delete } }, sessionId)
  }
}

export function createBody(
  tree: DataTree,
  path: string,
  data: string | null = '',
  options: { acl?: readonly ACL[]; ephemeral?: boolean; type?: 1 | 15 } = {},
): TxnBody {
  const parent = tree.getNode(path.slice(0, Math.max(path.lastIndexOf('/'), 0)) || '/')
  return {
    type: options.type ?? OpCode.create,
    txn: {
      path,
      data: data === null ? null : Buffer.from(data),
      acl: [...(options.acl ?? OPEN_ACL_UNSAFE)],
      ephemeral: options.ephemeral ?? false,
      parentCVersion: (parent?.stat.cversion ?? 0) + 1,
    },
  }
}

/** A connection that records what it is told. */
export class RecordingWatcher implements Watcher {
  readonly events: WatchedEvent[] = []
  private static nextId = 1
  readonly watcherId = RecordingWatcher.nextId++

  constructor(
    readonly sessionId: bigint = BigInt(1000 + RecordingWatcher.nextId),
    readonly authIds: readonly Id[] = [{ scheme: 'ip', id: '127.0.0.1' }],
  ) {}

  process(event: WatchedEvent): void {
    this.events.push(event)
  }

  /** Events as `type path` strings, and forget them. */
  take(): string[] {
    const taken = this.events.map((event) => `${EVENT_NAMES[event.type] ?? event.type} ${event.path}`)
    this.events.length = 0
    return taken
  }
}

const EVENT_NAMES: Record<number, string> = { 1: 'created', 2: 'deleted', 3: 'data', 4: 'children' }
