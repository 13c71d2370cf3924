import { CONTAINER_EPHEMERAL_OWNER, TTL_OWNER_MARKER } from '../proto/enums'

/**
 * What a stored ephemeralOwner means (Apache's `EphemeralType.get`): 0 = plain node, Long.MIN_VALUE = container,
 * top byte 0xFF = TTL (only when extended types are enabled), anything else = the owning session's id.
 */
export const OwnerKind = { plain: 0, session: 1, container: 2, ttl: 3 } as const
export type OwnerKindValue = (typeof OwnerKind)[keyof typeof OwnerKind]

const TOP_BYTE_SHIFT = 56n
const TOP_BYTE_FF = -1n // the top byte of a signed long, shifted down arithmetically: 0xFF → -1
const FEATURE_BITS_MASK = 0x00ffff0000000000n
const TTL_VALUE_MASK = 0xff_ffff_ffffn

export function ownerKind(owner: bigint, extendedTypesEnabled: boolean): OwnerKindValue {
  if (owner === 0n) return OwnerKind.plain
  if (owner === CONTAINER_EPHEMERAL_OWNER) return OwnerKind.container
  // Apache throws on an unknown extended feature; such an owner cannot be created, so it is read as a session here.
  if (extendedTypesEnabled && owner >> TOP_BYTE_SHIFT === TOP_BYTE_FF && (owner & FEATURE_BITS_MASK) === 0n) {
    return OwnerKind.ttl
  }
  return OwnerKind.session
}

/** The stored owner of a TTL node: 0xFF00000000000000 | ttl (as a signed long). */
export function ttlOwner(ttlMs: bigint): bigint {
  return TTL_OWNER_MARKER | (ttlMs & TTL_VALUE_MASK)
}

/** The TTL (ms) encoded in a TTL node's owner. */
export function ttlOfOwner(owner: bigint): bigint {
  return owner & TTL_VALUE_MASK
}
