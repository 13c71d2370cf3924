/**
 * Java's `java.util.Random` (a 48-bit linear congruential generator), exactly as specified in its Javadoc.
 * We need it bit for bit: Apache derives a session's password from `new Random(sessionId ^ 0xB3415C00)`, and a
 * client that reconnects to us with a password an Apache server handed out (or the other way round, in a mixed
 * ensemble) must be accepted.
 */
const MULTIPLIER = 0x5deece66dn
const ADDEND = 0xbn
const MASK_48 = (1n << 48n) - 1n

export class JavaRandom {
  private seed: bigint

  constructor(seed: bigint) {
    this.seed = (BigInt.asIntN(64, seed) ^ MULTIPLIER) & MASK_48
  }

  /** `Random.next(bits)`: the top `bits` of the new 48-bit state, as a signed 32-bit int. */
  next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK_48
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)))
  }

  nextInt(): number {
    return this.next(32)
  }

  /** `Random.nextBytes`: each int is spent least-significant byte first, four bytes per int. */
  nextBytes(into: Buffer): Buffer {
    let i = 0
    while (i < into.length) {
      let random = this.nextInt()
      for (let n = Math.min(into.length - i, 4); n > 0; n--) {
        into[i++] = random & 0xff
        random >>= 8
      }
    }
    return into
  }
}
