import { type JuteWriter, encode } from '../jute'
import { ACLList, OPEN_ACL_UNSAFE, OpCode } from '../proto'
import type { RequestSource } from './driver'

/** The operations `zoodesk bench` measures (names as on its command line). */
export const BENCH_OPS = ['create', 'set', 'get', 'exists', 'children', 'delete', 'mix'] as const
export type BenchOp = (typeof BENCH_OPS)[number]

const OP_LABELS: Readonly<Record<BenchOp, string>> = {
  create: 'create',
  set: 'setData',
  get: 'getData',
  exists: 'exists',
  children: 'getChildren',
  delete: 'delete',
  mix: '90% get / 10% set',
}

/** The name a ZooKeeper person knows (`getChildren (1000)` says how many children the node has). */
export function opLabel(op: BenchOp, childrenCount: number): string {
  return op === 'children' ? `${OP_LABELS.children} (${childrenCount})` : OP_LABELS[op]
}

/**
 * One session's share of a phase, as plain data so it can cross to a worker thread. Request i addresses node
 * `parentPath/(first + i)` (modulo `nodeCount` for reads and updates of existing nodes), or `paths[i]` when given,
 * or `parentPath` itself for `children`.
 */
export interface TaskSpec {
  op: BenchOp
  parentPath: string
  first: number
  count: number
  /** How many nodes exist under parentPath (reads and updates wrap around); 0 means no wrap. */
  nodeCount: number
  payloadBytes: number
  paths?: string[]
}

/** Encoded once: the OPEN_ACL_UNSAFE vector followed by flags 0 (persistent), the tail of every create. */
const CREATE_TAIL = Buffer.concat([encode(ACLList, [...OPEN_ACL_UNSAFE]), Buffer.from([0, 0, 0, 0])])

class TaskSource implements RequestSource {
  readonly count: number
  private readonly payload: Buffer

  constructor(private readonly spec: TaskSpec) {
    this.count = spec.count
    this.payload = Buffer.alloc(spec.payloadBytes, 0x78)
  }

  private path(index: number): string {
    const { spec } = this
    if (spec.paths !== undefined) return spec.paths[index] ?? spec.parentPath
    const node = spec.nodeCount > 0 ? (spec.first + index) % spec.nodeCount : spec.first + index
    return `${spec.parentPath}/${node}`
  }

  write(w: JuteWriter, index: number, xid: number): void {
    w.int(xid)
    switch (this.spec.op) {
      case 'create':
        w.int(OpCode.create)
        w.ustring(this.path(index))
        w.buffer(this.payload)
        w.raw(CREATE_TAIL)
        return
      case 'delete':
        w.int(OpCode.delete)
        w.ustring(this.path(index))
        w.int(-1)
        return
      case 'set':
        return this.writeSet(w, index)
      case 'get':
        return this.writeRead(w, OpCode.getData, this.path(index))
      case 'exists':
        return this.writeRead(w, OpCode.exists, this.path(index))
      case 'children':
        return this.writeRead(w, OpCode.getChildren, this.spec.parentPath)
      case 'mix':
        // Every tenth request is a write: 90% getData, 10% setData, evenly spread.
        if (index % 10 === 9) return this.writeSet(w, index)
        return this.writeRead(w, OpCode.getData, this.path(index))
    }
  }

  private writeSet(w: JuteWriter, index: number): void {
    w.int(OpCode.setData)
    w.ustring(this.path(index))
    w.buffer(this.payload)
    w.int(-1)
  }

  private writeRead(w: JuteWriter, opCode: number, path: string): void {
    w.int(opCode)
    w.ustring(path)
    w.bool(false)
  }
}

export function requestSource(spec: TaskSpec): RequestSource {
  return new TaskSource(spec)
}

/** Splits `count` requests over `sessions` as evenly as possible: [first, count] per session. */
export function shareOut(count: number, sessions: number): Array<{ first: number; count: number }> {
  const base = Math.floor(count / sessions)
  const extra = count % sessions
  const shares: Array<{ first: number; count: number }> = []
  let first = 0
  for (let session = 0; session < sessions; session++) {
    const share = base + (session < extra ? 1 : 0)
    shares.push({ first, count: share })
    first += share
  }
  return shares
}
