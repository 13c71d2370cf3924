import type { Model } from './types'

/**
 * ZooKeeper znodes as linearizable registers, one per path (the partition key):
 *
 * - `read`: getData → `ok` with the data and `version` (stat.version), or `noNode`;
 * - `write`: setData with an expected version (-1: any) → `ok` with the new version, `noNode`, `badVersion`;
 * - `create`: create (a regular or ephemeral node, no sequence flag) → `ok` (version 0) or `nodeExists`;
 * - `delete`: delete with an expected version (-1: any) → `ok`, `noNode`, `badVersion` (a session expiry deleting an
 *   ephemeral is a `delete` with version -1 that answered `ok`);
 * - `createSequential`: create with the sequence flag under `path` (the parent) → `ok` with the sequence number,
 *   which is the parent's cversion: the model assumes the parent's children are only ever created this way (never
 *   deleted, no other children), so sequence numbers must come out 0, 1, 2… in linearization order.
 *
 * Errors that mean "not applied" for certain (SESSIONEXPIRED, NOAUTH…) should be left out of the history, and so
 * should reads whose outcome is unknown (the checker drops those itself).
 */
export type ZnodeInput =
  | { kind: 'read'; path: string }
  | { kind: 'write'; path: string; value: string; version: number }
  | { kind: 'create'; path: string; value: string }
  | { kind: 'delete'; path: string; version: number }
  | { kind: 'createSequential'; path: string }

export type ZnodeCode = 'ok' | 'noNode' | 'nodeExists' | 'badVersion'

export interface ZnodeOutput {
  code: ZnodeCode
  /** read: the data. */
  value?: string
  /** read: stat.version; write: the new version. Left out, it is not checked. */
  version?: number
  /** createSequential: the number appended to the name. */
  sequence?: number
}

export interface ZnodeState {
  readonly exists: boolean
  readonly value: string
  readonly version: number
  /** createSequential under this path so far. */
  readonly sequence: number
}

const ABSENT: ZnodeState = Object.freeze({ exists: false, value: '', version: 0, sequence: 0 })

function withNode(state: ZnodeState, exists: boolean, value: string, version: number): ZnodeState {
  return { exists, value, version, sequence: state.sequence }
}

function versionMatches(state: ZnodeState, expected: number): boolean {
  return expected === -1 || expected === state.version
}

/** What a mutation does when it succeeds (`undefined` when it cannot succeed in `state`). */
function apply(state: ZnodeState, input: ZnodeInput): ZnodeState | undefined {
  switch (input.kind) {
    case 'read':
      return undefined
    case 'write':
      return state.exists && versionMatches(state, input.version) ? withNode(state, true, input.value, state.version + 1) : undefined
    case 'create':
      return state.exists ? undefined : withNode(state, true, input.value, 0)
    case 'delete':
      return state.exists && versionMatches(state, input.version) ? withNode(state, false, '', 0) : undefined
    case 'createSequential':
      return { ...state, sequence: state.sequence + 1 }
  }
}

/** The error a failing mutation answers in `state`. */
function failure(state: ZnodeState, input: ZnodeInput): ZnodeCode {
  if (input.kind === 'create') return 'nodeExists'
  return state.exists ? 'badVersion' : 'noNode'
}

function step(state: ZnodeState, input: ZnodeInput, output: ZnodeOutput | undefined): ZnodeState | undefined {
  if (input.kind === 'read') {
    if (output === undefined) return state
    if (!state.exists) return output.code === 'noNode' ? state : undefined
    const same = output.code === 'ok' && output.value === state.value && (output.version === undefined || output.version === state.version)
    return same ? state : undefined
  }
  const after = apply(state, input)
  if (output === undefined) return after ?? state
  if (output.code !== 'ok') return after === undefined && output.code === failure(state, input) ? state : undefined
  if (after === undefined) return undefined
  if (input.kind === 'write' && output.version !== undefined && output.version !== after.version) return undefined
  if (input.kind === 'createSequential' && output.sequence !== state.sequence) return undefined
  return after
}

function hashString(text: string, seed: number): number {
  let h = seed
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function describeOperation(input: ZnodeInput, output: ZnodeOutput | undefined): string {
  const answer =
    output === undefined
      ? '?'
      : output.code !== 'ok'
        ? output.code
        : input.kind === 'read'
          ? `${JSON.stringify(output.value)} v${output.version ?? '?'}`
          : input.kind === 'write'
            ? `ok v${output.version ?? '?'}`
            : input.kind === 'createSequential'
              ? `ok #${output.sequence}`
              : 'ok'
  switch (input.kind) {
    case 'read':
      return `read ${input.path} -> ${answer}`
    case 'write':
      return `write ${input.path} ${JSON.stringify(input.value)}${input.version === -1 ? '' : ` if v${input.version}`} -> ${answer}`
    case 'create':
      return `create ${input.path} ${JSON.stringify(input.value)} -> ${answer}`
    case 'delete':
      return `delete ${input.path}${input.version === -1 ? '' : ` if v${input.version}`} -> ${answer}`
    case 'createSequential':
      return `create ${input.path}/n- (sequential) -> ${answer}`
  }
}

export const znodeModel: Model<ZnodeState, ZnodeInput, ZnodeOutput> = {
  name: 'znode',
  init: () => ABSENT,
  step,
  equal: (a, b) => a.exists === b.exists && a.version === b.version && a.sequence === b.sequence && a.value === b.value,
  hash: (s) => hashString(s.value, Math.imul(s.version + 1, 0x27d4eb2d) ^ (s.exists ? 0x5bd1e995 : 0) ^ Math.imul(s.sequence, 0x165667b1)),
  partitionKey: (input) => input.path,
  readOnly: (input) => input.kind === 'read',
  describeOperation,
  describeState: (s) => `${s.exists ? `${JSON.stringify(s.value)} v${s.version}` : 'absent'}${s.sequence > 0 ? `, next sequence ${s.sequence}` : ''}`,
}
