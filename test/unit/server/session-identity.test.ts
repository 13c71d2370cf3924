import { describe, expect, it } from 'vitest'
import { JavaRandom } from '../../../engine/server/java-random'
import { hexLong, initialSessionId, nextSessionId, passwordMatches, sessionPassword } from '../../../engine/server/session-identity'

describe('JavaRandom', () => {
  it('reproduces java.util.Random (values from OpenJDK 17)', () => {
    // new Random(42).nextInt() ×3, and new Random(0).nextInt()
    const random = new JavaRandom(42n)
    expect([random.nextInt(), random.nextInt(), random.nextInt()]).toEqual([-1170105035, 234785527, -1360544799])
    expect(new JavaRandom(0n).nextInt()).toBe(-1155484576)
  })

  it('spends each int least-significant byte first in nextBytes', () => {
    const bytes = new JavaRandom(42n).nextBytes(Buffer.alloc(6))
    const first = -1170105035
    expect([...bytes.subarray(0, 4)]).toEqual([first & 0xff, (first >> 8) & 0xff, (first >> 16) & 0xff, (first >> 24) & 0xff])
  })
})

describe('session identity', () => {
  it('derives the same password Apache 3.8 handed out for a session', () => {
    // Captured from Debian's Apache ZooKeeper 3.8.0: session 0x100000879590000.
    expect(sessionPassword(0x100000879590000n).toString('hex')).toBe('2d2ecdf5b648ea635345dd8bef5ea5d1')
    expect(passwordMatches(0x100000879590000n, Buffer.from('2d2ecdf5b648ea635345dd8bef5ea5d1', 'hex'))).toBe(true)
    expect(passwordMatches(0x100000879590000n, Buffer.alloc(16))).toBe(false)
    expect(passwordMatches(0n, sessionPassword(0n))).toBe(false)
    expect(passwordMatches(5n, null)).toBe(false)
  })

  it('lays out ids as server id, 40 bits of clock, 16-bit counter', () => {
    const id = initialSessionId(1, 0x879590000 / 0x10000)
    expect(hexLong(id)).toBe('100000879590000')
    expect(hexLong(initialSessionId(5, 0x12_3456_789a))).toBe('5123456789a0000')
    // Only the low 40 bits of the clock survive the shifts.
    expect(initialSessionId(0, 0x1_0000_0000_00)).toBe(0n)
    expect(hexLong(nextSessionId(0x5123456789a0000n))).toBe('5123456789a0001')
  })

  it('never hands out the container marker', () => {
    expect(initialSessionId(0x80, 0)).toBe(-0x8000000000000000n + 1n)
    expect(nextSessionId(0x7fffffffffffffffn)).toBe(-0x8000000000000000n + 1n)
  })

  it('prints ids as Long.toHexString', () => {
    expect(hexLong(-1n)).toBe('ffffffffffffffff')
    expect(hexLong(0n)).toBe('0')
  })
})
