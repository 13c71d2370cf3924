import { JavaRandom } from './java-random'

/** `ZooKeeperServer.superSecret`: mixed into the password seed. */
const SUPER_SECRET = 0xb3415c00n
/** `EphemeralType.CONTAINER_EPHEMERAL_OWNER` (Long.MIN_VALUE) is never handed out as a session id. */
const CONTAINER_OWNER = -0x8000000000000000n

export const SESSION_PASSWORD_BYTES = 16

/** The password of a session, as Apache computes it (`generatePasswd`): 16 bytes from Java's Random. */
export function sessionPassword(sessionId: bigint): Buffer {
  return new JavaRandom(sessionId ^ SUPER_SECRET).nextBytes(Buffer.alloc(SESSION_PASSWORD_BYTES))
}

export function passwordMatches(sessionId: bigint, password: Buffer | null): boolean {
  if (sessionId === 0n || password === null) return false
  return password.equals(sessionPassword(sessionId))
}

/**
 * The first session id a server hands out (`SessionTrackerImpl.initializeNextSessionId`): the server id in the top
 * byte, then the low 40 bits of the clock, then a 16-bit counter starting at 0. A standalone Apache server uses id 1
 * here (`createSessionTrackerServerId`), not 0.
 */
export function initialSessionId(serverId: number, nowMs: number): bigint {
  let next = BigInt.asIntN(64, BigInt.asUintN(64, BigInt(Math.floor(nowMs)) << 24n) >> 8n)
  next = BigInt.asIntN(64, next | (BigInt(serverId) << 56n))
  return next === CONTAINER_OWNER ? next + 1n : next
}

/** The id after `current`, skipping the reserved container marker (the counter wraps like Java's long). */
export function nextSessionId(current: bigint): bigint {
  const next = BigInt.asIntN(64, current + 1n)
  return next === CONTAINER_OWNER ? next + 1n : next
}

/** `Long.toHexString`: two's complement, lowercase, no leading zeros. */
export function hexLong(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16)
}
