import { describe, expect, it } from 'vitest'
import { Prng } from '../../sim/prng'
import { type Operation, type ZnodeInput, type ZnodeOutput, type ZnodeState, checkLinearizable, znodeModel } from './index'

type Op = Operation<ZnodeInput, ZnodeOutput>

const P = '/k'
const read = (client: number, callMs: number, returnMs: number, value: string | null, version = 0): Op => ({
  client,
  callMs,
  returnMs,
  input: { kind: 'read', path: P },
  output: value === null ? { code: 'noNode' } : { code: 'ok', value, version },
})
const write = (client: number, callMs: number, returnMs: number | null, value: string, newVersion: number | 'badVersion' | 'noNode', expected = -1): Op => ({
  client,
  callMs,
  returnMs,
  input: { kind: 'write', path: P, value, version: expected },
  output: returnMs === null ? undefined : typeof newVersion === 'number' ? { code: 'ok', version: newVersion } : { code: newVersion },
})
const create = (client: number, callMs: number, returnMs: number | null, value: string, code: 'ok' | 'nodeExists' = 'ok', path = P): Op => ({
  client,
  callMs,
  returnMs,
  input: { kind: 'create', path, value },
  output: returnMs === null ? undefined : { code },
})
const del = (client: number, callMs: number, returnMs: number | null, code: 'ok' | 'noNode' | 'badVersion' = 'ok', expected = -1): Op => ({
  client,
  callMs,
  returnMs,
  input: { kind: 'delete', path: P, version: expected },
  output: returnMs === null ? undefined : { code },
})
const sequential = (client: number, callMs: number, returnMs: number | null, sequence: number): Op => ({
  client,
  callMs,
  returnMs,
  input: { kind: 'createSequential', path: '/q' },
  output: returnMs === null ? undefined : { code: 'ok', sequence },
})

const verdict = (history: Op[]): string => checkLinearizable(znodeModel, history).verdict

describe('linearizability checker: known-good histories', () => {
  it('accepts an empty history and a sequential one', () => {
    expect(verdict([])).toBe('ok')
    expect(verdict([read(1, 0, 1, null), create(1, 2, 3, 'a'), read(1, 4, 5, 'a', 0), write(1, 6, 7, 'b', 1), read(2, 8, 9, 'b', 1), del(2, 10, 11), read(1, 12, 13, null)])).toBe('ok')
  })

  it('accepts a read concurrent with a write seeing either value', () => {
    const base = [create(1, 0, 1, 'a'), write(1, 10, 20, 'b', 1)]
    expect(verdict([...base, read(2, 12, 14, 'a', 0)])).toBe('ok')
    expect(verdict([...base, read(2, 12, 14, 'b', 1)])).toBe('ok')
    // Two concurrent reads may even disagree in "reverse" order as long as their intervals overlap the write.
    expect(verdict([...base, read(2, 11, 19, 'b', 1), read(3, 12, 18, 'a', 0)])).toBe('ok')
  })

  it('orders concurrent CAS writes by the versions they returned', () => {
    expect(verdict([create(1, 0, 1, 'a'), write(1, 10, 20, 'b', 2, 1), write(2, 10, 20, 'c', 1, 0), read(3, 21, 22, 'b', 2)])).toBe('ok')
  })

  it('accepts sequence numbers handed out in an order consistent with real time', () => {
    expect(verdict([sequential(1, 0, 10, 1), sequential(2, 1, 9, 0), sequential(3, 11, 12, 2)])).toBe('ok')
  })

  it('checks keys independently', () => {
    const other = (op: Op): Op => ({ ...op, input: { ...op.input, path: '/other' } })
    const result = checkLinearizable(znodeModel, [create(1, 0, 1, 'a'), other(create(2, 0, 1, 'x')), other(read(1, 2, 3, 'x')), read(2, 2, 3, 'a')])
    expect(result).toMatchObject({ verdict: 'ok', partitions: 2, operations: 4 })
  })
})

describe('linearizability checker: known-bad histories', () => {
  it('a stale read after a completed write', () => {
    const result = checkLinearizable(znodeModel, [create(1, 0, 1, 'a'), write(1, 2, 3, 'b', 1), read(2, 4, 5, 'a', 0)])
    expect(result.verdict).toBe('illegal')
    if (result.verdict !== 'illegal') return
    expect(result.key).toBe('/k')
    expect(result.explanation).toContain('key "/k"')
    expect(result.explanation).toContain('read /k -> "a" v0')
    expect(result.explanation).toContain('write /k "b" -> ok v1')
  })

  it('a lost acknowledged write (seen by versions, and by a later read)', () => {
    // Both writes were acknowledged, one after the other, yet both claim version 1: one of them was lost.
    expect(verdict([create(1, 0, 1, 'a'), write(1, 2, 3, 'b', 1), write(2, 4, 5, 'c', 1)])).toBe('illegal')
    // An acknowledged create that a later read does not see.
    expect(verdict([create(1, 0, 1, 'a'), read(2, 5, 6, null)])).toBe('illegal')
  })

  it('two CAS succeeding on the same version', () => {
    const history = [create(1, 0, 1, 'a'), write(2, 10, 20, 'b', 1, 0), write(3, 11, 21, 'c', 1, 0)]
    expect(verdict(history)).toBe('illegal')
    // With one of them failing it is fine.
    expect(verdict([history[0]!, history[1]!, write(3, 11, 21, 'c', 'badVersion', 0)])).toBe('ok')
  })

  it('reads going back in time', () => {
    const writes = [create(1, 0, 1, 'a'), write(1, 10, 30, 'b', 1)]
    // Both reads overlap the write, but the second starts after the first returned the new value.
    expect(verdict([...writes, read(2, 12, 15, 'b', 1), read(3, 16, 20, 'a', 0)])).toBe('illegal')
  })

  it('two creates of the same path that both succeed, and a delete that succeeds on nothing', () => {
    expect(verdict([create(1, 0, 10, 'a'), create(2, 5, 15, 'b')])).toBe('illegal')
    expect(verdict([del(1, 0, 1, 'ok')])).toBe('illegal')
  })

  it('a sequence number handed out twice or out of real-time order', () => {
    expect(verdict([sequential(1, 0, 10, 0), sequential(2, 5, 15, 0)])).toBe('illegal')
    expect(verdict([sequential(1, 0, 1, 1), sequential(2, 2, 3, 0)])).toBe('illegal')
  })

  it('explains with the key and a handful of operations, even in a long history', () => {
    const history: Op[] = [create(1, 0, 1, 'v0')]
    for (let i = 1; i <= 200; i++) {
      history.push(write(1 + (i % 3), i * 10, i * 10 + 5, `v${i}`, i))
      history.push(read(4, i * 10 + 6, i * 10 + 7, `v${i}`, i))
    }
    history.push(read(5, 1_500, 1_501, 'v100', 100)) // stale: v149 was written by then
    const result = checkLinearizable(znodeModel, history)
    expect(result.verdict).toBe('illegal')
    if (result.verdict !== 'illegal') return
    expect(result.operations.length).toBeLessThanOrEqual(13)
    expect(result.operations.map((op) => op.client)).toContain(5)
    expect(result.explanation).toContain('read /k -> "v100" v100')
  })
})

describe('linearizability checker: unknown outcomes', () => {
  it('a timed-out write may have taken effect, at any time after its call', () => {
    const writeTimedOut = write(1, 2, null, 'b', 0)
    // Without it, the read of "b" is impossible.
    expect(verdict([create(1, 0, 1, 'a'), read(2, 50, 51, 'b', 1)])).toBe('illegal')
    expect(verdict([create(1, 0, 1, 'a'), writeTimedOut, read(2, 50, 51, 'b', 1)])).toBe('ok')
    // It may also take effect late: after reads that did not see it.
    expect(verdict([create(1, 0, 1, 'a'), writeTimedOut, read(2, 10, 11, 'a', 0), read(2, 50, 51, 'b', 1)])).toBe('ok')
    // Or never.
    expect(verdict([create(1, 0, 1, 'a'), writeTimedOut, read(2, 50, 51, 'a', 0)])).toBe('ok')
    // But not before its call.
    expect(verdict([create(1, 0, 1, 'a'), read(2, 1.5, 1.8, 'b', 1), writeTimedOut])).toBe('illegal')
  })

  it('a timed-out CAS fails or succeeds depending on where it lands; a timed-out read is dropped', () => {
    const history = [create(1, 0, 1, 'a'), write(2, 2, 3, 'b', 1), write(3, 1, null, 'c', 0, 0), read(4, 10, 11, 'b', 1)]
    expect(verdict(history)).toBe('ok')
    expect(verdict([...history, read(4, 12, 13, 'c', 2)])).toBe('illegal')
    const unknownRead: Op = { client: 9, callMs: 0, returnMs: null, input: { kind: 'read', path: P }, output: undefined }
    expect(checkLinearizable(znodeModel, [unknownRead])).toMatchObject({ verdict: 'ok', operations: 0 })
  })

  it('a create and a sequential create with unknown outcomes', () => {
    expect(verdict([create(1, 0, null, 'a'), create(2, 5, 6, 'b', 'nodeExists'), read(3, 7, 8, 'a', 0)])).toBe('ok')
    expect(verdict([sequential(1, 0, null, 0), sequential(2, 5, 6, 1)])).toBe('ok')
    expect(verdict([sequential(1, 0, null, 0), sequential(2, 5, 6, 2)])).toBe('illegal')
  })

  it('rejects malformed operations', () => {
    expect(() => checkLinearizable(znodeModel, [{ ...read(1, 5, 4, 'a') }])).toThrow(/returns before its call/)
    expect(() => checkLinearizable(znodeModel, [{ ...read(1, 0, 1, 'a'), returnMs: null }])).toThrow(/unknown outcome/)
  })

  it('gives up with "unknown" when the step budget runs out', () => {
    const history = [create(1, 0, 1, 'a'), ...Array.from({ length: 30 }, (_, i) => write(i, 2, null, `w${i}`, 0)), read(99, 100, 101, 'zzz', 7)]
    expect(checkLinearizable(znodeModel, history, { maxSteps: 1_000 }).verdict).toBe('unknown')
  })
})

/**
 * A random linearizable history: every client runs one operation at a time; each takes effect at a random point of
 * its interval, in which order the outputs are computed. A few outcomes are lost (they still took effect, or not).
 */
function randomHistory(seed: number, operations: number, keys: number, clients: number): Op[] {
  const random = new Prng(seed)
  const state = new Map<string, ZnodeState>()
  const planned: { op: Op; atMs: number; applies: boolean }[] = []
  const clientFreeMs = new Array<number>(clients).fill(0)
  const lastVersion = new Map<string, number>()
  for (let i = 0; i < operations; i++) {
    const client = random.int(0, clients - 1)
    const callMs = clientFreeMs[client]! + random.float() * 3
    const returnMs = callMs + 0.5 + random.float() * 15
    clientFreeMs[client] = returnMs
    const path = `/k${random.int(0, keys - 1)}`
    const roll = random.float()
    const version = lastVersion.get(path) ?? 0
    const input: ZnodeInput =
      roll < 0.4
        ? { kind: 'read', path }
        : roll < 0.62
          ? { kind: 'write', path, value: `c${client}-${i}`, version: -1 }
          : roll < 0.8
            ? { kind: 'write', path, value: `c${client}-${i}`, version }
            : roll < 0.9
              ? { kind: 'create', path, value: `c${client}-${i}` }
              : roll < 0.95
                ? { kind: 'delete', path, version: random.chance(0.5) ? -1 : version }
                : { kind: 'createSequential', path }
    const lost = input.kind !== 'read' && random.chance(0.01)
    planned.push({ op: { client, callMs, returnMs: lost ? null : returnMs, input, output: undefined }, atMs: callMs + random.float() * (returnMs - callMs), applies: !lost || random.chance(0.5) })
  }
  for (const entry of [...planned].sort((a, b) => a.atMs - b.atMs)) {
    if (!entry.applies) continue
    const { input } = entry.op
    const before = state.get(input.path) ?? znodeModel.init()
    const output = outputOf(before, input)
    const after = znodeModel.step(before, input, output)!
    state.set(input.path, after)
    if (after.exists) lastVersion.set(input.path, after.version)
    if (entry.op.returnMs !== null) entry.op.output = output
  }
  return planned.map((entry) => entry.op).filter((op) => op.returnMs === null || op.output !== undefined)
}

function outputOf(state: ZnodeState, input: ZnodeInput): ZnodeOutput {
  switch (input.kind) {
    case 'read':
      return state.exists ? { code: 'ok', value: state.value, version: state.version } : { code: 'noNode' }
    case 'write':
      if (!state.exists) return { code: 'noNode' }
      return input.version === -1 || input.version === state.version ? { code: 'ok', version: state.version + 1 } : { code: 'badVersion' }
    case 'create':
      return state.exists ? { code: 'nodeExists' } : { code: 'ok' }
    case 'delete':
      if (!state.exists) return { code: 'noNode' }
      return input.version === -1 || input.version === state.version ? { code: 'ok' } : { code: 'badVersion' }
    case 'createSequential':
      return { code: 'ok', sequence: state.sequence }
  }
}

describe('linearizability checker: scale', () => {
  it('checks 5,000 operations on 10 keys from 20 clients quickly', () => {
    for (const seed of [1, 2, 3]) {
      const history = randomHistory(seed, 5_000, 10, 20)
      const startedMs = performance.now()
      const result = checkLinearizable(znodeModel, history)
      const elapsedMs = performance.now() - startedMs
      expect(result.verdict).toBe('ok')
      // Typically a few tens of ms; the bound only catches an exponential blow-up.
      expect(elapsedMs).toBeLessThan(5_000)
    }
  })

  it('finds and explains one stale read among 5,000 operations', () => {
    const history = randomHistory(7, 5_000, 10, 20)
    const lastWrite = history.filter((op) => op.input.kind === 'write' && op.output?.code === 'ok' && op.input.path === '/k3').at(-1)!
    // A read long after everything, of a value that was overwritten: pick the first successful write's value.
    const firstWrite = history.find((op) => op.input.kind === 'write' && op.output?.code === 'ok' && op.input.path === '/k3')!
    const value = firstWrite.input.kind === 'write' ? firstWrite.input.value : ''
    expect(lastWrite).not.toBe(firstWrite)
    history.push({ client: 99, callMs: 1e9, returnMs: 1e9 + 1, input: { kind: 'read', path: '/k3' }, output: { code: 'ok', value, version: firstWrite.output!.version! } })
    const result = checkLinearizable(znodeModel, history)
    expect(result.verdict).toBe('illegal')
    if (result.verdict !== 'illegal') return
    expect(result.key).toBe('/k3')
    expect(result.operations.length).toBeLessThanOrEqual(13)
    expect(result.explanation).toContain('client 99')
  })
})
