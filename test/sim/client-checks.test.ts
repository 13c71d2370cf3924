import { describe, expect, it } from 'vitest'
import { ErrorCode, OpCode, type TxnBody } from '../../engine/proto'
import { type ClientCheckInput, checkClientHistory } from './client-checks'
import type { ClientOperation } from './client-history'
import type { ClientOp, ClientReply } from './client-protocol'
import type { TreeEntry } from './sim-tree'

const S1 = 0x100000000000001n
const S2 = 0x200000000000002n
const zxidOf = (n: number): bigint => (1n << 32n) | BigInt(n)

/** A committed history: txn n (1-based) has zxid 0x1_0000000n and commits at time 10·n. */
function committed(...txns: [clientId: bigint, cxid: number, body: TxnBody][]): Pick<ClientCheckInput, 'canon' | 'canonCommittedMs' | 'indexOfCommitted'> {
  const canon: TreeEntry[] = txns.map(([clientId, cxid, body], i) => {
    const zxid = zxidOf(i + 1)
    return { zxid, id: i + 1, txn: { header: { clientId, cxid, zxid, time: i + 1, type: body.type }, body } }
  })
  const indexOfCommitted = (zxid: bigint): number | undefined => {
    const index = canon.findIndex((entry) => entry.zxid === zxid)
    return index === -1 ? undefined : index
  }
  return { canon, canonCommittedMs: canon.map((_, i) => 10 * (i + 1)), indexOfCommitted }
}

const setData = (path: string, data: string, newVersion: number): TxnBody => ({ type: OpCode.setData, txn: { path, data: Buffer.from(data), version: newVersion } })
const create = (path: string, data: string, ephemeral = false): TxnBody => ({ type: OpCode.create, txn: { path, data: Buffer.from(data), acl: [], ephemeral, parentCVersion: -1 } })
const closeSession = (...paths2Delete: string[]): TxnBody => ({ type: OpCode.closeSession, txn: { paths2Delete } })

function op(session: bigint, cxid: number, request: ClientOp, callMs: number, returnMs: number | null, reply: Omit<ClientReply, 'cxid'> | null, extra: Partial<ClientOperation> = {}): ClientOperation {
  return {
    process: Number(session >> 56n),
    client: Number(session >> 56n),
    session,
    op: request,
    cxid,
    synced: false,
    callMs,
    returnMs,
    reply: reply === null ? null : { cxid, ...reply },
    syncByNewestLeader: false,
    member: 1,
    ...extra,
  }
}
const read = (session: bigint, cxid: number, path: string, callMs: number, returnMs: number, data: string | null, version = 0, synced = false, byNewest = true) =>
  op(session, cxid, { type: 'getData', path }, callMs, returnMs, data === null ? { zxid: 0n, err: ErrorCode.NONODE } : { zxid: 0n, err: ErrorCode.OK, data, version }, {
    synced,
    syncByNewestLeader: synced && byNewest,
  })

function check(input: Partial<ClientCheckInput> & Pick<ClientCheckInput, 'canon' | 'canonCommittedMs' | 'indexOfCommitted'>): string[] {
  return checkClientHistory({ operations: [], closeSessionPreparedMs: new Map(), ...input }).violations
}

// /k created by S1 (txn 1, committed at 10), then set to "b" by S2 (txn 2, committed at 20).
const base = committed([S1, 1, create('/k', 'a')], [S2, 1, setData('/k', 'b', 1)])
const writes = [
  op(S1, 1, { type: 'create', path: '/k', data: 'a', ephemeral: false, sequential: false }, 5, 12, { zxid: zxidOf(1), err: ErrorCode.OK, path: '/k' }),
  op(S2, 1, { type: 'setData', path: '/k', data: 'b', version: -1 }, 15, 22, { zxid: zxidOf(2), err: ErrorCode.OK, version: 1 }),
]

describe('client history checks', () => {
  it('accept a correct history, stale plain reads included', () => {
    const operations = [...writes, read(S1, 2, '/k', 30, 31, 'b', 1, true), read(S2, 2, '/k', 32, 33, 'b', 1), read(S1, 3, '/k', 40, 41, 'b', 1)]
    expect(check({ ...base, operations })).toEqual([])
    // A plain read may be stale (its member lags) as long as the session had not seen newer.
    expect(check({ ...base, operations: [writes[0]!, writes[1]!, read(S1, 2, '/k', 30, 31, 'a', 0)] })).toEqual([])
  })

  it('reject a stale read after a completed sync (answered by the newest leader)', () => {
    const violations = check({ ...base, operations: [...writes, read(S1, 2, '/k', 30, 31, 'a', 0, true)] })
    expect(violations.join('\n')).toMatch(/client history: not linearizable \(znode model\), key "\/k"/)
  })

  it('tolerate it when a deposed leader answered the sync, unless asked to be strict', () => {
    const stale = read(S1, 2, '/k', 30, 31, 'a', 0, true, false)
    const result = checkClientHistory({ ...base, operations: [...writes, stale], closeSessionPreparedMs: new Map() })
    expect(result.violations).toEqual([])
    expect(result.stats.syncedReadsByDeposedLeader).toBe(1)
    const strict = checkClientHistory({ ...base, operations: [...writes, stale], closeSessionPreparedMs: new Map(), strictSync: true })
    expect(strict.violations.join('\n')).toMatch(/not linearizable/)
  })

  it('reject a session reading older than it already saw, or older than it wrote', () => {
    const backwards = check({ ...base, operations: [...writes, read(S1, 2, '/k', 30, 31, 'b', 1), read(S1, 3, '/k', 40, 41, 'a', 0)] })
    expect(backwards.join('\n')).toMatch(/session 0x100000000000001: getData \/k .* read "a" v0, a state the committed history never has from #1 on/)
    const ownWrite = check({ ...base, operations: [...writes, read(S2, 2, '/k', 30, 31, 'a', 0)] })
    expect(ownWrite.join('\n')).toMatch(/session 0x200000000000002: getData \/k .* read "a" v0/)
  })

  it('reject an acknowledged write that is not in the committed history, or is another request', () => {
    const lost = op(S1, 2, { type: 'setData', path: '/k', data: 'c', version: -1 }, 30, 35, { zxid: zxidOf(7), err: ErrorCode.OK, version: 2 })
    expect(check({ ...base, operations: [...writes, lost] }).join('\n')).toMatch(/acknowledged with zxid 0x100000007, which is not in the committed history \(a lost write\)/)
    const other = op(S1, 2, { type: 'setData', path: '/k', data: 'b', version: -1 }, 15, 22, { zxid: zxidOf(2), err: ErrorCode.OK, version: 1 })
    expect(check({ ...base, operations: [writes[0]!, other] }).join('\n')).toMatch(/the txn committed there is session 0x200000000000002's request 1/)
  })

  it("reject a session's write committed before something it had already seen (FIFO)", () => {
    const history = committed([S1, 1, create('/k', 'a')], [S2, 1, create('/j', 'x')], [S2, 2, setData('/k', 'b', 1)])
    const operations = [
      op(S2, 2, { type: 'setData', path: '/k', data: 'b', version: -1 }, 25, 31, { zxid: zxidOf(3), err: ErrorCode.OK, version: 1 }),
      op(S2, 1, { type: 'create', path: '/j', data: 'x', ephemeral: false, sequential: false }, 32, 35, { zxid: zxidOf(2), err: ErrorCode.OK, path: '/j' }),
    ]
    expect(check({ ...history, operations }).join('\n')).toMatch(/committed at #1, before #2, which the session had already seen \(FIFO order broken\)/)
  })

  it('reject answers an operation cannot give', () => {
    const odd = op(S1, 2, { type: 'setData', path: '/k', data: 'c', version: -1 }, 30, 35, { zxid: zxidOf(2), err: ErrorCode.NOTEMPTY })
    expect(check({ ...base, operations: [...writes, odd] }).join('\n')).toMatch(/got error -111 for setData \/k "c"/)
  })

  it("place a session's ephemeral deletes between the closeSession's prep and its commit", () => {
    const history = committed([S1, 1, create('/lock0', 'mine', true)], [S1, 0, closeSession('/lock0')])
    const locked = op(S1, 1, { type: 'create', path: '/lock0', data: 'mine', ephemeral: true, sequential: false }, 5, 12, { zxid: zxidOf(1), err: ErrorCode.OK, path: '/lock0' })
    const prepared = new Map([[2, 15]])
    const gone = read(S2, 1, '/lock0', 25, 26, null, 0, true)
    expect(check({ ...history, operations: [locked, gone], closeSessionPreparedMs: prepared })).toEqual([])
    // Read during the close: either answer is fine. After the commit (20), the node must be gone.
    expect(check({ ...history, operations: [locked, read(S2, 1, '/lock0', 16, 17, 'mine', 0, true)], closeSessionPreparedMs: prepared })).toEqual([])
    expect(check({ ...history, operations: [locked, read(S2, 1, '/lock0', 25, 26, 'mine', 0, true)], closeSessionPreparedMs: prepared }).join('\n')).toMatch(/key "\/lock0"/)
  })

  it('count unknown outcomes and leave unknown reads out', () => {
    const timedOut = op(S1, 2, { type: 'setData', path: '/k', data: 'z', version: -1 }, 30, null, null)
    const lostRead = op(S2, 2, { type: 'getData', path: '/k' }, 30, null, null, { synced: true })
    const result = checkClientHistory({ ...base, operations: [...writes, timedOut, lostRead], closeSessionPreparedMs: new Map() })
    expect(result.violations).toEqual([])
    expect(result.stats).toMatchObject({ operations: 4, unknownOutcomes: 2, linearizabilityChecked: 3 })
  })
})
