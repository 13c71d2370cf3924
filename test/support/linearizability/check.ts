import { searchPartition } from './search'
import type { CheckOptions, CheckResult, Model, Operation } from './types'

const DEFAULT_MAX_STEPS = 20_000_000

/**
 * Is `history` linearizable with respect to `model`? Each partition key is checked on its own (in key order, so
 * the verdict and its explanation are a pure function of the history). Unknown-outcome operations that cannot
 * change the state are dropped first. On failure the explanation names the key, the operation that cannot be
 * linearized, the deepest valid order found before it and the operations open at that point.
 */
export function checkLinearizable<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], options: CheckOptions = {}): CheckResult<I, O> {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
  const partitions = partition(model, history)
  let steps = 0
  let operations = 0
  for (const [key, ops] of partitions) {
    operations += ops.length
    const outcome = searchPartition(model, ops, maxSteps - steps)
    steps += outcome.steps
    if (outcome.kind === 'exhausted') {
      return { verdict: 'unknown', key, steps, explanation: `gave up on key ${JSON.stringify(key)} (${ops.length} operations) after ${steps} search steps` }
    }
    if (outcome.kind === 'illegal') {
      return { verdict: 'illegal', key, steps, ...explain(model, key, ops, outcome.deepest, outcome.stuck) }
    }
  }
  return { verdict: 'ok', operations, partitions: partitions.size, steps }
}

function partition<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[]): Map<string, Operation<I, O>[]> {
  const byKey = new Map<string, Operation<I, O>[]>()
  for (const op of history) {
    if ((op.returnMs === null) !== (op.output === undefined)) {
      throw new Error(`an operation has an unknown outcome exactly when it has no return time: ${describe(model, op)}`)
    }
    if (op.returnMs !== null && op.returnMs < op.callMs) throw new Error(`an operation returns before its call: ${describe(model, op)}`)
    if (op.returnMs === null && model.readOnly?.(op.input) === true) continue
    const key = model.partitionKey?.(op.input) ?? ''
    let ops = byKey.get(key)
    if (ops === undefined) byKey.set(key, (ops = []))
    ops.push(op)
  }
  return new Map([...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/**
 * What a developer needs to see, Knossos-style: the deepest point the search reached (the state after the longest
 * order it found, and the last operations of that order), the operation whose return it could never get past, and
 * the operations still open at that moment (none of their orders explains that return).
 */
function explain<S, I, O>(
  model: Model<S, I, O>,
  key: string,
  ops: readonly Operation<I, O>[],
  deepest: readonly number[],
  stuckIndex: number,
): { operations: Operation<I, O>[]; explanation: string } {
  const stuck = ops[stuckIndex]!
  const linearized = new Set(deepest)
  const horizonMs = stuck.returnMs ?? Number.POSITIVE_INFINITY
  const open = ops.filter((op, index) => !linearized.has(index) && index !== stuckIndex && op.callMs <= horizonMs)
  const recent = deepest.slice(-RECENT_SHOWN).map((index) => ops[index]!)
  let state = model.init()
  for (const index of deepest) state = model.step(state, ops[index]!.input, ops[index]!.output) ?? state
  const shownOpen = open.slice(0, OPEN_SHOWN)
  const explanation = [
    `not linearizable (${model.name} model), key ${JSON.stringify(key)} (${ops.length} operations):`,
    `  the longest valid order found has ${deepest.length} operations${recent.length > 0 ? ', ending with' : ''}`,
    ...recent.map((op) => `    ${describe(model, op)}`),
    `  state then: ${model.describeState?.(state) ?? JSON.stringify(state)}`,
    `  this operation cannot be placed before it returns:`,
    `    ${describe(model, stuck)}`,
    open.length === 0 ? '  and no other operation was open' : `  not even after any of the ${open.length} operations open at that point${open.length > OPEN_SHOWN ? ` (first ${OPEN_SHOWN})` : ''}:`,
    ...shownOpen.map((op) => `    ${describe(model, op)}`),
  ].join('\n')
  const operations = [...new Set([...recent, ...shownOpen, stuck])].sort((a, b) => a.callMs - b.callMs)
  return { operations, explanation }
}

const RECENT_SHOWN = 4
const OPEN_SHOWN = 8

export function describe<S, I, O>(model: Model<S, I, O>, op: Operation<I, O>): string {
  const what = model.describeOperation?.(op.input, op.output) ?? `${JSON.stringify(op.input)} -> ${op.output === undefined ? '?' : JSON.stringify(op.output)}`
  const returned = op.returnMs === null ? 'unknown outcome' : formatMs(op.returnMs)
  return `client ${op.client} [${formatMs(op.callMs)} .. ${returned}] ${what}`
}

function formatMs(ms: number): string {
  return Number.isInteger(ms) ? `${ms}` : ms.toFixed(2)
}
