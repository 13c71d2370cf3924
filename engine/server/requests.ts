import { JuteDecodeError, JuteReader } from '../jute'
import {
  type ACL,
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  MultiHeader,
  OpCode,
  PathWatchRequest,
  SetDataRequest,
  createModeInfo,
} from '../proto'

/**
 * Request bodies as the pipeline sees them. Decoding follows Apache's jute readers: a record that runs past the end
 * of the frame is a decode error; trailing bytes are ignored.
 */

export function reader(body: Buffer): JuteReader {
  return new JuteReader(body, 0, body.length)
}

/** A create of any kind; `ttl` is -1 when the request record has no ttl (as Apache's prep assumes). */
export interface CreateSpec {
  path: string
  data: Buffer | null
  acl: ACL[]
  flags: number
  ttl: bigint
}

export function decodeCreate(body: Buffer): CreateSpec {
  const request = CreateRequest.read(reader(body))
  return { path: request.path, data: request.data, acl: request.acl, flags: request.flags, ttl: -1n }
}

export function decodeCreateTTL(body: Buffer): CreateSpec {
  return CreateTTLRequest.read(reader(body))
}

export type WriteOp =
  | { type: CreateOpType; path: string; create: CreateSpec }
  | { type: typeof OpCode.delete; path: string; version: number }
  | { type: typeof OpCode.setData; path: string; data: Buffer | null; version: number }
  | { type: typeof OpCode.check; path: string; version: number }

export type ReadOp = { type: typeof OpCode.getData | typeof OpCode.getChildren; path: string }

export type MultiOps = { kind: 'write'; ops: WriteOp[] } | { kind: 'read'; ops: ReadOp[] } | { kind: 'empty'; ops: [] }

/** The op type Apache's `Op.create` derives from the flags: TTL and container flags override the header type. */
type CreateOpType = typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer | typeof OpCode.createTTL

function createOpType(flags: number, headerType: CreateOpType): CreateOpType {
  const mode = createModeInfo(flags)
  if (mode?.ttl) return OpCode.createTTL
  if (mode?.container) return OpCode.createContainer
  return headerType
}

/**
 * `MultiOperationRecord.deserialize`. Decode errors (answered with MARSHALLINGERROR): an unknown op type, an invalid
 * create flag, a TTL flag on a plain create (its ttl would be -1), mixing reads with writes, and running out of bytes.
 */
export function decodeMulti(body: Buffer): MultiOps {
  const r = reader(body)
  const writes: WriteOp[] = []
  const reads: ReadOp[] = []
  let header = MultiHeader.read(r)
  while (!header.done) {
    switch (header.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer: {
        const request = CreateRequest.read(r)
        const mode = createModeInfo(request.flags)
        if (mode === undefined) throw new JuteDecodeError(`invalid flag ${request.flags} for create mode`)
        if (mode.ttl) throw new JuteDecodeError('ttl not valid for a create without ttl')
        writes.push({ type: createOpType(request.flags, header.type as CreateOpType), path: request.path, create: { ...request, ttl: -1n } })
        break
      }
      case OpCode.createTTL: {
        const request = CreateTTLRequest.read(r)
        const type = createOpType(request.flags, OpCode.create)
        // A non-TTL flag turns it into a plain create whose record has no ttl.
        const ttl = type === OpCode.createTTL ? request.ttl : -1n
        writes.push({ type, path: request.path, create: { ...request, ttl } })
        break
      }
      case OpCode.delete: {
        const request = DeleteRequest.read(r)
        writes.push({ type: OpCode.delete, path: request.path, version: request.version })
        break
      }
      case OpCode.setData: {
        const request = SetDataRequest.read(r)
        writes.push({ type: OpCode.setData, path: request.path, data: request.data, version: request.version })
        break
      }
      case OpCode.check: {
        const request = CheckVersionRequest.read(r)
        writes.push({ type: OpCode.check, path: request.path, version: request.version })
        break
      }
      case OpCode.getChildren:
      case OpCode.getData:
        reads.push({ type: header.type, path: PathWatchRequest.read(r).path })
        break
      default:
        throw new JuteDecodeError('Invalid type of op')
    }
    if (writes.length > 0 && reads.length > 0) throw new JuteDecodeError('Mixing different kind of ops')
    header = MultiHeader.read(r)
  }
  if (writes.length > 0) return { kind: 'write', ops: writes }
  if (reads.length > 0) return { kind: 'read', ops: reads }
  return { kind: 'empty', ops: [] }
}
