import { OwnerKind, ownerKind, ttlOwner } from '../tree/ephemeral-type'

/** A parent whose owner is a live session (a "normal" ephemeral in Apache's terms) cannot have children. */
export function isSessionEphemeral(owner: bigint, extendedTypesEnabled: boolean): boolean {
  return ownerKind(owner, extendedTypesEnabled) === OwnerKind.session
}

export function isTtlNode(owner: bigint, extendedTypesEnabled: boolean): boolean {
  return ownerKind(owner, extendedTypesEnabled) === OwnerKind.ttl
}

const MAX_TTL_MS = 0xff_ffff_ffffn

/** `EphemeralType.TTL.toEphemeralOwner`: undefined when the ttl is outside (0, 2^40 − 1]. */
export function validTtlOwner(ttlMs: bigint): bigint | undefined {
  if (ttlMs <= 0n || ttlMs > MAX_TTL_MS) return undefined
  return ttlOwner(ttlMs)
}
