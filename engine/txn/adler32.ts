/**
 * Adler-32 (RFC 1950), the checksum Apache ZooKeeper uses for txn-log entries and snapshot seals
 * (`java.util.zip.Adler32`). It runs on every logged byte, so the inner loop avoids modulo and bounds checks:
 * sums are reduced once per block, sized so that `b` stays below 2^31 and V8 keeps both in int32 registers.
 */

const MODULUS = 65521
/** Largest n with 255·n·(n+1)/2 + (n+1)·(MODULUS−1) < 2^31: the block length between reductions. */
const BLOCK_BYTES = 3800

/** The Adler-32 of an empty input; also the seed to start a running checksum. */
export const ADLER32_INITIAL = 1

/**
 * Adler-32 of `bytes[start, end)`, continuing from `seed` (a previous result) so a stream can be summed in pieces.
 * Returns an unsigned 32-bit value, as Java's `Adler32.getValue()`.
 */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length, seed = ADLER32_INITIAL): number {
  let a = seed & 0xffff
  let b = (seed >>> 16) & 0xffff
  let i = start
  while (i < end) {
    const blockEnd = Math.min(end, i + BLOCK_BYTES)
    const unrolledEnd = blockEnd - ((blockEnd - i) & 7)
    while (i < unrolledEnd) {
      a += bytes[i]! | 0
      b += a
      a += bytes[i + 1]! | 0
      b += a
      a += bytes[i + 2]! | 0
      b += a
      a += bytes[i + 3]! | 0
      b += a
      a += bytes[i + 4]! | 0
      b += a
      a += bytes[i + 5]! | 0
      b += a
      a += bytes[i + 6]! | 0
      b += a
      a += bytes[i + 7]! | 0
      b += a
      i += 8
    }
    while (i < blockEnd) {
      a += bytes[i++]! | 0
      b += a
    }
    a %= MODULUS
    b %= MODULUS
  }
  return ((b << 16) | a) >>> 0
}
