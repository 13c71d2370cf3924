/**
 * zxid arithmetic (Apache's `ZxidUtils`): the epoch in the high 32 bits, a counter in the low 32 bits.
 * Epochs and zxids are bigint everywhere, as they are Java longs on the wire.
 */

const COUNTER_MASK = 0xffff_ffffn

export function makeZxid(epoch: bigint, counter: bigint): bigint {
  return BigInt.asIntN(64, (epoch << 32n) | (counter & COUNTER_MASK))
}

export function epochOf(zxid: bigint): bigint {
  return zxid >> 32n
}

export function counterOf(zxid: bigint): bigint {
  return zxid & COUNTER_MASK
}

/** A zxid that starts an epoch (counter 0): no transaction ever carries it. */
export function isEpochStart(zxid: bigint): boolean {
  return counterOf(zxid) === 0n
}

/** The last counter value a leader may use; proposing it forces a new epoch (ZOOKEEPER-1277). */
export const COUNTER_ROLLOVER = COUNTER_MASK

/** `Long.toHexString`: two's-complement lowercase hex, no padding (how Apache prints zxids). */
export function zxidHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16)
}

/** Java's Long.MIN_VALUE: the vote an observer puts forward (it can never win). */
export const LONG_MIN = -(1n << 63n)
