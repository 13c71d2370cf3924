// Engine values ↔ the contract's JSON shapes.
import { type ACL, CreateMode, EventType, type Stat } from '../../../engine/client'
import { OwnerKind, ownerKind, ttlOfOwner } from '../../../engine/tree/ephemeral-type'
import type { AclEntry, CreateModeName, EventTypeName, HexLong, NodeKind, ZnodeStat } from '../../contract/model'

export function hexLong(value: bigint): HexLong {
  return `0x${BigInt.asUintN(64, value).toString(16)}`
}

export function toZnodeStat(stat: Stat): ZnodeStat {
  return {
    czxid: hexLong(stat.czxid),
    mzxid: hexLong(stat.mzxid),
    pzxid: hexLong(stat.pzxid),
    ctime: stat.ctime,
    mtime: stat.mtime,
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: hexLong(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  }
}

/** What a node is, from its owner (extended types assumed on: a TTL owner cannot come from a session id below 255). */
export function nodeKindOf(stat: Stat): NodeKind {
  switch (ownerKind(stat.ephemeralOwner, true)) {
    case OwnerKind.plain:
      return 'persistent'
    case OwnerKind.container:
      return 'container'
    case OwnerKind.ttl:
      return 'ttl'
    default:
      return 'ephemeral'
  }
}

export function ttlMsOf(stat: Stat): number | undefined {
  return nodeKindOf(stat) === 'ttl' ? Number(ttlOfOwner(stat.ephemeralOwner)) : undefined
}

export function toAclEntries(acl: readonly ACL[]): AclEntry[] {
  return acl.map((entry) => ({ perms: entry.perms, scheme: entry.id.scheme, id: entry.id.id }))
}

export function fromAclEntries(acl: readonly AclEntry[]): ACL[] {
  return acl.map((entry) => ({ perms: entry.perms, id: { scheme: entry.scheme, id: entry.id } }))
}

export function toBase64(data: Buffer | null): string | null {
  return data === null ? null : data.toString('base64')
}

export function fromBase64(data: string | null): Buffer | null {
  return data === null ? null : Buffer.from(data, 'base64')
}

export function createModeValue(mode: CreateModeName): number {
  return CreateMode[mode]
}

const EVENT_NAMES = new Map<number, EventTypeName>(Object.entries(EventType).map(([name, value]) => [value, name as EventTypeName]))

export function eventTypeName(type: number): EventTypeName {
  return EVENT_NAMES.get(type) ?? 'None'
}
