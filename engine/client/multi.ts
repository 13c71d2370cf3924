import type { JuteReader, JuteWriter } from '../jute'
import {
  type ACL,
  CheckVersionRequest,
  Create2Response,
  CreateMode,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  MultiHeader,
  OPEN_ACL_UNSAFE,
  OpCode,
  SetDataRequest,
  SetDataResponse,
  type Stat,
  createModeInfo,
  errorName,
} from '../proto'
import type { ErrorCodeName } from '../proto'
import type { Chroot } from './chroot'
import type { CreateOptions } from './types'

/** One operation of a multi (writes) or multiRead (reads). Build them with `Op.*`. */
export interface CreateOp {
  readonly kind: 'create'
  readonly path: string
  readonly data: Buffer | null
  readonly acl: readonly ACL[]
  readonly mode: number
  readonly ttlMs: bigint | undefined
}
export interface DeleteOp {
  readonly kind: 'delete'
  readonly path: string
  readonly version: number
}
export interface SetDataOp {
  readonly kind: 'setData'
  readonly path: string
  readonly data: Buffer | null
  readonly version: number
}
export interface CheckOp {
  readonly kind: 'check'
  readonly path: string
  readonly version: number
}
export interface GetDataOp {
  readonly kind: 'getData'
  readonly path: string
}
export interface GetChildrenOp {
  readonly kind: 'getChildren'
  readonly path: string
}
export type WriteOp = CreateOp | DeleteOp | SetDataOp | CheckOp
export type ReadOp = GetDataOp | GetChildrenOp
export type AnyOp = WriteOp | ReadOp

/** Builders, like Java's `Op.create/delete/setData/check` (+ `getData/getChildren` for multiRead). */
export const Op = {
  create(path: string, data: Buffer | string | null = null, options: CreateOptions = {}): CreateOp {
    return {
      kind: 'create',
      path,
      data: toBuffer(data),
      acl: options.acl ?? OPEN_ACL_UNSAFE,
      mode: options.mode ?? CreateMode.PERSISTENT,
      ttlMs: options.ttlMs === undefined ? undefined : BigInt(options.ttlMs),
    }
  },
  delete(path: string, version = -1): DeleteOp {
    return { kind: 'delete', path, version }
  },
  setData(path: string, data: Buffer | string | null, version = -1): SetDataOp {
    return { kind: 'setData', path, data: toBuffer(data), version }
  },
  check(path: string, version: number): CheckOp {
    return { kind: 'check', path, version }
  },
  getData(path: string): GetDataOp {
    return { kind: 'getData', path }
  },
  getChildren(path: string): GetChildrenOp {
    return { kind: 'getChildren', path }
  },
} as const

export interface CreateOpResult {
  readonly kind: 'create'
  readonly path: string
  /** Present when the server answered with Create2Response (container and TTL creates). */
  readonly stat: Stat | null
}
export interface DeleteOpResult {
  readonly kind: 'delete'
}
export interface SetDataOpResult {
  readonly kind: 'setData'
  readonly stat: Stat
}
export interface CheckOpResult {
  readonly kind: 'check'
}
export interface GetDataOpResult {
  readonly kind: 'getData'
  readonly data: Buffer | null
  readonly stat: Stat
}
export interface GetChildrenOpResult {
  readonly kind: 'getChildren'
  readonly children: string[]
}
/** A failed op (or, in a failed multi, an op that was not applied: 0 before the culprit, -2 after it). */
export interface ErrorOpResult {
  readonly kind: 'error'
  readonly code: number
  readonly codeName: ErrorCodeName | `UNKNOWN(${number})`
}
export type OpResult =
  | CreateOpResult
  | DeleteOpResult
  | SetDataOpResult
  | CheckOpResult
  | GetDataOpResult
  | GetChildrenOpResult
  | ErrorOpResult

type ResultOf<O> = O extends CreateOp
  ? CreateOpResult
  : O extends DeleteOp
    ? DeleteOpResult
    : O extends SetDataOp
      ? SetDataOpResult
      : O extends CheckOp
        ? CheckOpResult
        : O extends GetDataOp
          ? GetDataOpResult
          : O extends GetChildrenOp
            ? GetChildrenOpResult
            : never

/** Per-op result types of a successful multi, position by position. */
export type MultiResults<T extends readonly WriteOp[]> = { -readonly [K in keyof T]: ResultOf<T[K]> }
/** Per-op result types of a multiRead: each op either succeeded or carries its own error. */
export type MultiReadResults<T extends readonly ReadOp[]> = { -readonly [K in keyof T]: ResultOf<T[K]> | ErrorOpResult }

export function toBuffer(data: Buffer | string | null | undefined): Buffer | null {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  return data ?? null
}

/** The opcode Java's `Op` uses for a sub-op. */
export function opCodeOf(op: AnyOp): number {
  switch (op.kind) {
    case 'create': {
      const info = createModeInfo(op.mode)
      if (info?.container) return OpCode.createContainer
      if (info?.ttl) return OpCode.createTTL
      return OpCode.create
    }
    case 'delete':
      return OpCode.delete
    case 'setData':
      return OpCode.setData
    case 'check':
      return OpCode.check
    case 'getData':
      return OpCode.getData
    case 'getChildren':
      return OpCode.getChildren
  }
}

/** MultiOperationRecord: header + request per op, then the terminating header {-1, true, -1}. */
export function writeMultiRequest(w: JuteWriter, ops: readonly AnyOp[], chroot: Chroot): void {
  for (const op of ops) {
    const type = opCodeOf(op)
    MultiHeader.write(w, { type, done: false, err: -1 })
    const path = chroot.toServer(op.path)
    switch (op.kind) {
      case 'create':
        if (type === OpCode.createTTL) {
          CreateTTLRequest.write(w, { path, data: op.data, acl: [...op.acl], flags: op.mode, ttl: op.ttlMs ?? -1n })
        } else {
          CreateRequest.write(w, { path, data: op.data, acl: [...op.acl], flags: op.mode })
        }
        break
      case 'delete':
        DeleteRequest.write(w, { path, version: op.version })
        break
      case 'setData':
        SetDataRequest.write(w, { path, data: op.data, version: op.version })
        break
      case 'check':
        CheckVersionRequest.write(w, { path, version: op.version })
        break
      case 'getData':
        GetDataRequest.write(w, { path, watch: false })
        break
      case 'getChildren':
        GetChildrenRequest.write(w, { path, watch: false })
        break
    }
  }
  MultiHeader.write(w, { type: -1, done: true, err: -1 })
}

export function errorResult(code: number): ErrorOpResult {
  return { kind: 'error', code, codeName: errorName(code) ?? `UNKNOWN(${code})` }
}

/** MultiResponse: results until the `done` header. */
export function readMultiResponse(r: JuteReader, chroot: Chroot): OpResult[] {
  const results: OpResult[] = []
  for (;;) {
    const header = MultiHeader.read(r)
    if (header.done) return results
    switch (header.type) {
      case OpCode.create:
        results.push({ kind: 'create', path: chroot.toClient(CreateResponse.read(r).path), stat: null })
        break
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const created = Create2Response.read(r)
        results.push({ kind: 'create', path: chroot.toClient(created.path), stat: created.stat })
        break
      }
      case OpCode.delete:
        results.push({ kind: 'delete' })
        break
      case OpCode.setData:
        results.push({ kind: 'setData', stat: SetDataResponse.read(r).stat })
        break
      case OpCode.check:
        results.push({ kind: 'check' })
        break
      case OpCode.getData: {
        const read = GetDataResponse.read(r)
        results.push({ kind: 'getData', data: read.data, stat: read.stat })
        break
      }
      case OpCode.getChildren:
        results.push({ kind: 'getChildren', children: GetChildrenResponse.read(r).children })
        break
      case OpCode.error:
        results.push(errorResult(ErrorResponse.read(r).err))
        break
      default:
        throw new Error(`unexpected multi result type ${header.type}`)
    }
  }
}

/** The first error that is not OK, as Java's multi looks for it. */
export function firstFailure(results: readonly OpResult[]): { index: number; code: number } | undefined {
  for (let index = 0; index < results.length; index++) {
    const result = results[index]!
    if (result.kind === 'error' && result.code !== 0) return { index, code: result.code }
  }
  return undefined
}
