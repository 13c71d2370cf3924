import { ErrorCode, type LoggedTxn, OpCode } from '../../engine/proto'

/**
 * One applied transaction: its zxid, the simulator's unique id for it (the leader's prep stamps it into
 * `TxnHeader.time`, so two different txns never look alike even at the same zxid), and the decoded txn.
 */
export interface TreeEntry {
  readonly zxid: bigint
  readonly id: number
  readonly txn: LoggedTxn
}

/** A znode as the simulated tree keeps it: what the workload reads and what the leader's prep checks. */
export interface SimNode {
  readonly data: string
  readonly version: number
  readonly cversion: number
  readonly czxid: bigint
  readonly mzxid: bigint
  readonly ephemeralOwner: bigint
}

/** The parent of the workload's sequential nodes; like Apache's /zookeeper it exists before any txn. */
export const SEQUENCE_PARENT = '/seq'

const ROOT: SimNode = { data: '', version: 0, cversion: 0, czxid: 0n, mzxid: 0n, ephemeralOwner: 0n }

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

/**
 * A member's data: the applied transactions in order (what the ZAB checker compares) and the state they build —
 * znodes, live sessions and each session's ephemerals — applied the way Apache's `DataTree.processTxn` does.
 */
export class SimTree {
  readonly entries: TreeEntry[] = []
  readonly nodes = new Map<string, SimNode>([
    ['/', ROOT],
    [SEQUENCE_PARENT, ROOT],
  ])
  /** Live sessions and their timeouts (createSession adds, closeSession removes). */
  readonly sessions = new Map<bigint, number>()
  private readonly ephemerals = new Map<bigint, Set<string>>()

  constructor(entries: readonly TreeEntry[] = []) {
    for (const entry of entries) this.apply(entry)
  }

  get lastZxid(): bigint {
    return this.entries[this.entries.length - 1]?.zxid ?? 0n
  }

  get length(): number {
    return this.entries.length
  }

  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.ephemerals.get(sessionId) ?? EMPTY
  }

  /** The tree as it was after `zxid` (TRUNC): rebuilt from the entries up to it. */
  truncatedTo(zxid: bigint): SimTree {
    return new SimTree(this.entries.filter((entry) => entry.zxid <= zxid))
  }

  /** Applies the next txn; returns its result code (an error txn's code, or an error Apache would log and skip). */
  apply(entry: TreeEntry): number {
    this.entries.push(entry)
    const { header, body } = entry.txn
    switch (body.type) {
      case OpCode.createSession:
        this.sessions.set(header.clientId, body.txn.timeOut)
        return ErrorCode.OK
      case OpCode.closeSession: {
        // Apache deletes the txn's paths and then whatever ephemerals of the session it still knows of.
        // (A listed path that is already gone means prep and tree disagree: reported as NONODE.)
        let result: number = ErrorCode.OK
        for (const path of body.txn.paths2Delete) if (this.deleteNode(path) !== ErrorCode.OK) result = ErrorCode.NONODE
        for (const path of [...this.ephemeralsOf(header.clientId)]) this.deleteNode(path)
        this.ephemerals.delete(header.clientId)
        this.sessions.delete(header.clientId)
        return result
      }
      case OpCode.create:
      case OpCode.create2: {
        const { path, data, ephemeral, parentCVersion } = body.txn
        const parentPath = parentOf(path)
        const parent = this.nodes.get(parentPath)
        if (parent === undefined) return ErrorCode.NONODE
        if (this.nodes.has(path)) return ErrorCode.NODEEXISTS
        const owner = ephemeral ? header.clientId : 0n
        this.nodes.set(parentPath, { ...parent, cversion: parentCVersion === -1 ? parent.cversion + 1 : parentCVersion })
        this.nodes.set(path, { data: text(data), version: 0, cversion: 0, czxid: entry.zxid, mzxid: entry.zxid, ephemeralOwner: owner })
        if (owner !== 0n) {
          let owned = this.ephemerals.get(owner)
          if (owned === undefined) this.ephemerals.set(owner, (owned = new Set()))
          owned.add(path)
        }
        return ErrorCode.OK
      }
      case OpCode.setData: {
        const node = this.nodes.get(body.txn.path)
        if (node === undefined) return ErrorCode.NONODE
        this.nodes.set(body.txn.path, { ...node, data: text(body.txn.data), version: body.txn.version, mzxid: entry.zxid })
        return ErrorCode.OK
      }
      case OpCode.delete:
        return this.deleteNode(body.txn.path)
      case OpCode.error:
        return body.txn.err
      default:
        throw new Error(`the simulated tree does not apply txn type ${body.type}`)
    }
  }

  private deleteNode(path: string): number {
    const node = this.nodes.get(path)
    if (node === undefined) return ErrorCode.NONODE
    // Apache's DataTree.deleteNode changes the parent's pzxid only, not its cversion.
    this.nodes.delete(path)
    if (node.ephemeralOwner !== 0n) this.ephemerals.get(node.ephemeralOwner)?.delete(path)
    return ErrorCode.OK
  }
}

const EMPTY: ReadonlySet<string> = new Set()

function text(data: Buffer | null): string {
  return data === null ? '' : data.toString('utf8')
}
