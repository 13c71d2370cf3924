import type { Model, Operation } from './types'

/**
 * Wing & Gong's linearizability search with Lowe's memoization, as Porcupine does it (`checkSingle`):
 *
 * Calls and returns form one list in time order. Walking it, the search tries to linearize a pending call (step the
 * model); if the model accepts and the pair (set of linearized operations, state) has never been seen, the
 * operation is lifted out of the list and the walk restarts from the head. Reaching a return whose call is still
 * pending means that call should have been linearized earlier: backtrack. The history is linearizable when the list
 * empties. The memo of (bitset, state) pairs is what keeps this polynomial in practice.
 *
 * Operations with an unknown outcome return at +∞: they can be linearized anywhere after their call, including
 * "after everything", which is the same as never having happened.
 */

interface Entry {
  /** Index of the operation in the partition. */
  op: number
  isCall: boolean
  timeMs: number
  /** The call's return entry and the return's call entry. */
  match: Entry | null
  prev: Entry | null
  next: Entry | null
}

export type SearchOutcome =
  | { kind: 'ok'; steps: number }
  | {
      kind: 'illegal'
      steps: number
      /** Operations linearized at the deepest point the search reached. */
      deepest: number[]
      /** The operation whose return the search could never get past at that point. */
      stuck: number
    }
  | { kind: 'exhausted'; steps: number }

export function searchPartition<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], maxSteps: number): SearchOutcome {
  const head = buildList(ops)
  const bits = new IncrementalBitset(ops.length)
  const cache = new Map<number, { words: Uint32Array; state: S }[]>()
  const stack: { call: Entry; state: S }[] = []
  let state = model.init()
  let steps = 0
  let deepest: number[] = []
  let stuck = -1
  let entry = head.next
  while (head.next !== null) {
    if (++steps > maxSteps) return { kind: 'exhausted', steps }
    if (entry === null) throw new Error('linearizability search ran off the end of its list')
    if (entry.isCall) {
      const op = ops[entry.op]!
      const next = model.step(state, op.input, op.output)
      if (next !== undefined) {
        bits.set(entry.op)
        if (remember(cache, bits, next, model)) {
          stack.push({ call: entry, state })
          state = next
          lift(entry)
          entry = head.next
          continue
        }
        bits.clear(entry.op)
      }
      entry = entry.next
      continue
    }
    // A return whose call is still pending: that call had to be linearized before this point.
    if (stuck === -1 || stack.length > deepest.length) {
      deepest = stack.map((frame) => frame.call.op)
      stuck = entry.op
    }
    const frame = stack.pop()
    if (frame === undefined) return { kind: 'illegal', steps, deepest, stuck }
    state = frame.state
    bits.clear(frame.call.op)
    unlift(frame.call)
    entry = frame.call.next
  }
  return { kind: 'ok', steps }
}

function buildList<I, O>(ops: readonly Operation<I, O>[]): Entry {
  const entries: Entry[] = []
  ops.forEach((op, index) => {
    const call: Entry = { op: index, isCall: true, timeMs: op.callMs, match: null, prev: null, next: null }
    const ret: Entry = { op: index, isCall: false, timeMs: op.returnMs ?? Number.POSITIVE_INFINITY, match: call, prev: null, next: null }
    call.match = ret
    entries.push(call, ret)
  })
  // Time order; at equal times calls first, so operations that touch count as concurrent (the lenient reading).
  entries.sort((a, b) => a.timeMs - b.timeMs || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1))
  const head: Entry = { op: -1, isCall: false, timeMs: Number.NEGATIVE_INFINITY, match: null, prev: null, next: null }
  let last = head
  for (const e of entries) {
    last.next = e
    e.prev = last
    last = e
  }
  return head
}

/** Takes a call and its return out of the list. A call always precedes its return, so `call.next` exists. */
function lift(call: Entry): void {
  call.prev!.next = call.next
  call.next!.prev = call.prev
  const ret = call.match!
  ret.prev!.next = ret.next
  if (ret.next !== null) ret.next.prev = ret.prev
}

function unlift(call: Entry): void {
  const ret = call.match!
  ret.prev!.next = ret
  if (ret.next !== null) ret.next.prev = ret
  call.prev!.next = call
  call.next!.prev = call
}

/** Adds (bits, state) to the memo; false when it was already there (that subtree was explored). */
function remember<S, I, O>(cache: Map<number, { words: Uint32Array; state: S }[]>, bits: IncrementalBitset, state: S, model: Model<S, I, O>): boolean {
  const key = (bits.hash ^ Math.imul(model.hash(state), 0x9e3779b1)) >>> 0
  let bucket = cache.get(key)
  if (bucket === undefined) {
    bucket = []
    cache.set(key, bucket)
  } else {
    for (const seen of bucket) if (bits.equals(seen.words) && model.equal(seen.state, state)) return false
  }
  bucket.push({ words: bits.copy(), state })
  return true
}

/** A bitset whose hash is kept up to date on every change (Zobrist: xor of a random word per member). */
class IncrementalBitset {
  readonly words: Uint32Array
  hash = 0
  private readonly keys: Uint32Array

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1)
    this.keys = new Uint32Array(size)
    let seed = 0x2545f491
    for (let i = 0; i < size; i++) {
      // splitmix32: fixed keys, so a check is a pure function of its history.
      seed = (seed + 0x9e3779b9) | 0
      let z = seed
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      this.keys[i] = (z ^ (z >>> 16)) >>> 0
    }
  }

  set(index: number): void {
    this.words[index >>> 5]! |= 1 << (index & 31)
    this.hash = (this.hash ^ this.keys[index]!) >>> 0
  }

  clear(index: number): void {
    this.words[index >>> 5]! &= ~(1 << (index & 31))
    this.hash = (this.hash ^ this.keys[index]!) >>> 0
  }

  equals(other: Uint32Array): boolean {
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== other[i]) return false
    return true
  }

  copy(): Uint32Array {
    return this.words.slice()
  }
}
