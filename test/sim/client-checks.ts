import { ErrorCode, OpCode } from '../../engine/proto'
import { type Operation, type ZnodeInput, type ZnodeOutput, checkLinearizable, znodeModel } from '../support/linearizability'
import type { ClientOperation } from './client-history'
import { SEQUENCE_PARENT, SimTree, type TreeEntry } from './sim-tree'

/** The end of a run, as the client-history checks need it. */
export interface ClientCheckInput {
  operations: readonly ClientOperation[]
  /** The committed history, in order, and when each entry became committed. */
  canon: readonly TreeEntry[]
  canonCommittedMs: readonly number[]
  indexOfCommitted(zxid: bigint): number | undefined
  /** When each closeSession txn (by txn id) was prepared on its leader. */
  closeSessionPreparedMs: ReadonlyMap<number, number>
  /**
   * Also hold synced reads answered by a deposed leader to linearizability. ZooKeeper does not promise it (a
   * leader that has not noticed it lost its quorum answers syncs from its own state), so only for experiments.
   */
  strictSync?: boolean
}

export interface ClientCheckStats {
  operations: number
  /** Operations the linearizability check saw (writes, synced reads, session-expiry deletes). */
  linearizabilityChecked: number
  syncedReads: number
  /** Synced reads answered by a deposed leader: checked for per-session order only. */
  syncedReadsByDeposedLeader: number
  unknownOutcomes: number
  searchSteps: number
}

const hex = (value: bigint): string => `0x${value.toString(16)}`

/**
 * What ZooKeeper promises its clients, checked on the recorded history:
 *
 * 1. Writes are linearizable (setData with and without version, create, delete, sequential create, and the deletes
 *    of a session's ephemerals when its closeSession commits), and so are reads made right after a completed sync
 *    answered by the newest established leader (test/support/linearizability, znode model).
 * 2. Per session, sequential consistency (which also holds for plain reads, served by whatever member the client
 *    is connected to): every acknowledged write is in the committed history, as that session's request, after
 *    everything the session had seen; every read returns a state of the committed history no older than what the
 *    session wrote or read before.
 * 3. Answers are ones the operation can give (no error a correct ensemble would not produce).
 */
export function checkClientHistory(input: ClientCheckInput): { violations: string[]; stats: ClientCheckStats } {
  const violations: string[] = []
  const stats: ClientCheckStats = {
    operations: input.operations.length,
    linearizabilityChecked: 0,
    syncedReads: 0,
    syncedReadsByDeposedLeader: 0,
    unknownOutcomes: 0,
    searchSteps: 0,
  }
  const history = linearizabilityHistory(input, stats, violations)
  stats.linearizabilityChecked = history.length
  const result = checkLinearizable(znodeModel, history, { maxSteps: 5_000_000 })
  stats.searchSteps = result.steps
  if (result.verdict === 'illegal') violations.push(`client history: ${result.explanation}`)
  else if (result.verdict === 'unknown') violations.push(`client history: linearizability check inconclusive: ${result.explanation}`)
  checkSessionOrder(input, violations)
  return { violations, stats }
}

// ---- 1. linearizability -----------------------------------------------------------------------------------------

function linearizabilityHistory(input: ClientCheckInput, stats: ClientCheckStats, violations: string[]): Operation<ZnodeInput, ZnodeOutput>[] {
  const history: Operation<ZnodeInput, ZnodeOutput>[] = []
  for (const record of input.operations) {
    const reply = record.returnMs === null ? null : record.reply
    if (reply === null) stats.unknownOutcomes++
    const converted = toZnode(record, reply === null ? undefined : reply.err, record.reply?.data, record.reply?.version, record.reply?.path)
    if (converted === 'unexpected') {
      violations.push(`client ${record.client} (session ${hex(record.session)}) got error ${reply?.err} for ${describe(record)}`)
      continue
    }
    if (record.synced && reply !== null) {
      stats.syncedReads++
      if (!record.syncByNewestLeader) {
        stats.syncedReadsByDeposedLeader++
        if (!input.strictSync) continue
      }
    } else if (record.op.type === 'getData') {
      continue // plain reads may be stale: checked by session order only
    }
    if (converted === null) continue
    history.push({ client: record.process, callMs: record.callMs, returnMs: reply === null ? null : record.returnMs, ...converted })
  }
  // A committed closeSession deletes the session's ephemerals somewhere between its prep and its commit.
  input.canon.forEach((entry, index) => {
    if (entry.txn.body.type !== OpCode.closeSession) return
    const callMs = input.closeSessionPreparedMs.get(entry.id) ?? 0
    for (const path of entry.txn.body.txn.paths2Delete) {
      history.push({ client: 0, callMs, returnMs: input.canonCommittedMs[index]!, input: { kind: 'delete', path, version: -1 }, output: { code: 'ok' } })
    }
  })
  return history
}

/**
 * The znode-model form of one client operation; null when it says nothing about the state (a definite failure
 * such as SESSIONEXPIRED, or a closeSession, whose deletes come from the committed txn); 'unexpected' for an
 * answer the operation cannot legitimately give.
 */
function toZnode(
  record: ClientOperation,
  err: number | undefined,
  data: string | undefined,
  version: number | undefined,
  createdPath: string | undefined,
): { input: ZnodeInput; output: ZnodeOutput | undefined } | null | 'unexpected' {
  const op = record.op
  const answer = (codes: Partial<Record<number, ZnodeOutput['code']>>): ZnodeOutput | null | 'unexpected' | undefined => {
    if (err === undefined) return undefined
    if (err === ErrorCode.SESSIONEXPIRED && op.type !== 'getData') return null
    const code = codes[err]
    return code === undefined ? 'unexpected' : { code }
  }
  const make = (znodeInput: ZnodeInput, output: ZnodeOutput | null | 'unexpected' | undefined) =>
    output === null || output === 'unexpected' ? output : { input: znodeInput, output }
  switch (op.type) {
    case 'getData': {
      const output = answer({ [ErrorCode.OK]: 'ok', [ErrorCode.NONODE]: 'noNode' })
      if (output !== undefined && output !== null && output !== 'unexpected' && output.code === 'ok') Object.assign(output, { value: data, version })
      return make({ kind: 'read', path: op.path }, output)
    }
    case 'setData': {
      const output = answer({ [ErrorCode.OK]: 'ok', [ErrorCode.NONODE]: 'noNode', [ErrorCode.BADVERSION]: 'badVersion' })
      if (output !== undefined && output !== null && output !== 'unexpected' && output.code === 'ok') output.version = version
      return make({ kind: 'write', path: op.path, value: op.data, version: op.version }, output)
    }
    case 'create': {
      if (op.sequential) {
        const output = answer({ [ErrorCode.OK]: 'ok' })
        if (output !== undefined && output !== null && output !== 'unexpected') output.sequence = Number(createdPath?.slice(op.path.length))
        return make({ kind: 'createSequential', path: SEQUENCE_PARENT }, output)
      }
      return make({ kind: 'create', path: op.path, value: op.data }, answer({ [ErrorCode.OK]: 'ok', [ErrorCode.NODEEXISTS]: 'nodeExists' }))
    }
    case 'delete':
      return make({ kind: 'delete', path: op.path, version: op.version }, answer({ [ErrorCode.OK]: 'ok', [ErrorCode.NONODE]: 'noNode', [ErrorCode.BADVERSION]: 'badVersion' }))
    case 'closeSession':
      return err === undefined || err === ErrorCode.OK ? null : 'unexpected'
    case 'sync':
      return null
  }
}

// ---- 2. per-session order -----------------------------------------------------------------------------------

interface NodeView {
  exists: boolean
  data: string
  version: number
}

const ABSENT: NodeView = { exists: false, data: '', version: 0 }

/** Every state each path went through in the committed history: (canon index of the change, state after it). */
class CommittedStates {
  private readonly byPath = new Map<string, { index: number; view: NodeView }[]>()

  constructor(canon: readonly TreeEntry[]) {
    const tree = new SimTree()
    canon.forEach((entry, index) => {
      const { header, body } = entry.txn
      const touched =
        body.type === OpCode.closeSession
          ? [...body.txn.paths2Delete, ...tree.ephemeralsOf(header.clientId)]
          : body.type === OpCode.create || body.type === OpCode.create2 || body.type === OpCode.setData || body.type === OpCode.delete
            ? [body.txn.path]
            : []
      tree.apply(entry)
      for (const path of touched) {
        const node = tree.nodes.get(path)
        let changes = this.byPath.get(path)
        if (changes === undefined) this.byPath.set(path, (changes = []))
        changes.push({ index, view: node === undefined ? ABSENT : { exists: true, data: node.data, version: node.version } })
      }
    })
  }

  /** The first position at or after `floor` (-1: before any txn) where `path` reads as `view`. */
  firstAtOrAfter(path: string, view: NodeView, floor: number): number | undefined {
    const changes = this.byPath.get(path) ?? []
    let low = 0
    let high = changes.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (changes[middle]!.index <= floor) low = middle + 1
      else high = middle
    }
    const current = low === 0 ? ABSENT : changes[low - 1]!.view
    if (same(current, view)) return floor
    for (let k = low; k < changes.length; k++) if (same(changes[k]!.view, view)) return changes[k]!.index
    return undefined
  }
}

function same(a: NodeView, b: NodeView): boolean {
  return a.exists === b.exists && (!a.exists || (a.data === b.data && a.version === b.version))
}

function checkSessionOrder(input: ClientCheckInput, violations: string[]): void {
  const states = new CommittedStates(input.canon)
  const floorBySession = new Map<bigint, number>()
  const reported = new Set<bigint>()
  for (const record of input.operations) {
    if (record.returnMs === null || record.reply === null || reported.has(record.session)) continue
    const floor = floorBySession.get(record.session) ?? -1
    const problem = sessionStep(input, states, record, floor, floorBySession)
    if (problem === null) continue
    reported.add(record.session)
    violations.push(`client ${record.client}, session ${hex(record.session)}: ${problem}`)
  }
}

/** Advances the session's floor past `record`; returns what went wrong, if anything. */
function sessionStep(input: ClientCheckInput, states: CommittedStates, record: ClientOperation, floor: number, floors: Map<bigint, number>): string | null {
  const reply = record.reply!
  const at = `${describe(record)} at ${record.callMs.toFixed(1)}..${record.returnMs!.toFixed(1)} ms on member ${record.member}`
  if (record.op.type === 'getData') {
    const view = reply.err === ErrorCode.OK ? { exists: true, data: reply.data ?? '', version: reply.version ?? 0 } : ABSENT
    const position = states.firstAtOrAfter(record.op.path, view, floor)
    if (position === undefined) {
      return `${at} read ${view.exists ? `"${view.data}" v${view.version}` : 'no node'}, a state the committed history never has from #${floor} on (what the session had already seen)`
    }
    floors.set(record.session, position)
    return null
  }
  if (record.op.type === 'sync') return null
  const index = input.indexOfCommitted(reply.zxid)
  if (index === undefined) return `${at} was acknowledged with zxid ${hex(reply.zxid)}, which is not in the committed history (a lost write)`
  const { header } = input.canon[index]!.txn
  if (header.clientId !== record.session || header.cxid !== record.cxid) {
    return `${at} was acknowledged with zxid ${hex(reply.zxid)}, but the txn committed there is session ${hex(header.clientId)}'s request ${header.cxid}`
  }
  if (index <= floor) return `${at} committed at #${index}, before #${floor}, which the session had already seen (FIFO order broken)`
  floors.set(record.session, index)
  return null
}

function describe(record: ClientOperation): string {
  const op = record.op
  switch (op.type) {
    case 'getData':
      return `${record.synced ? 'sync+' : ''}getData ${op.path}`
    case 'setData':
      return `setData ${op.path} "${op.data}"${op.version === -1 ? '' : ` if v${op.version}`}`
    case 'create':
      return `create ${op.path}${op.ephemeral ? ' (ephemeral)' : ''}${op.sequential ? ' (sequential)' : ''}`
    case 'delete':
      return `delete ${op.path}${op.version === -1 ? '' : ` if v${op.version}`}`
    case 'sync':
      return `sync ${op.path}`
    case 'closeSession':
      return 'closeSession'
  }
}
