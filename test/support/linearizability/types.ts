/**
 * One operation of a recorded history: what a client asked, what it got back, and when (any clock shared by all
 * clients of the history: simulated milliseconds, or `performance.now()` in one process).
 *
 * An operation whose outcome the client never learned (a timeout, a lost connection) has `returnMs: null` and
 * `output: undefined`: it may have taken effect at any moment after its call, or never.
 */
export interface Operation<I, O> {
  /** Who issued it (one client issues one operation at a time). Only used in explanations. */
  client: number
  input: I
  output: O | undefined
  callMs: number
  returnMs: number | null
}

/** A sequential specification of the object the history talks about. */
export interface Model<S, I, O> {
  readonly name: string
  init(): S
  /**
   * The state after `input` ran in `state` and answered `output`, or `undefined` when that answer is impossible in
   * `state`. With `output` undefined (unknown outcome) the operation took effect: return the state it leads to.
   * States must be treated as immutable: return a new object for a new state.
   */
  step(state: S, input: I, output: O | undefined): S | undefined
  equal(a: S, b: S): boolean
  /** A 32-bit hash consistent with `equal`. */
  hash(state: S): number
  /**
   * Operations with different keys never interact (P-compositionality): each key is checked on its own, which keeps
   * the search small. Omit when the model has one object.
   */
  partitionKey?(input: I): string
  /** An operation that never changes the state: with an unknown outcome it constrains nothing and is dropped. */
  readOnly?(input: I): boolean
  describeOperation?(input: I, output: O | undefined): string
  describeState?(state: S): string
}

export interface CheckOptions {
  /** Search steps allowed over the whole check before giving up with `unknown` (default 20 million). */
  maxSteps?: number
}

export type CheckResult<I, O> =
  | { verdict: 'ok'; operations: number; partitions: number; steps: number }
  | {
      verdict: 'illegal'
      /** The partition key that has no linearization ('' for a model without keys). */
      key: string
      /**
       * The operations involved, by call time: the last few of the deepest valid order found, the one that could not
       * be linearized, and those open when it returned.
       */
      operations: Operation<I, O>[]
      /** Human-readable: the key, the operations involved, where the search got stuck. */
      explanation: string
      steps: number
    }
  | { verdict: 'unknown'; key: string; explanation: string; steps: number }
