// JSON shapes shared by every client adapter: observations cross a process boundary
// (kazoo prints JSON lines), so everything a scenario records must be plain JSON.

export type Json = null | boolean | number | string | Json[] | JsonObject
export interface JsonObject {
  [key: string]: Json
}

/**
 * A 64-bit long from the wire (zxid, session id, time). JSON numbers past 2^53 would lose
 * their low bits (session ids do: 0x1000003bd1a000e), so such values travel as decimal strings.
 */
export type Long = number | string

export function longFromBigInt(value: bigint): Long {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString()
}
