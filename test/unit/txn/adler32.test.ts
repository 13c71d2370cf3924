import { describe, expect, it } from 'vitest'
import { ADLER32_INITIAL, adler32 } from '../../../engine/txn/adler32'

// Vectors from Python's zlib.adler32 (the same algorithm as java.util.zip.Adler32).
describe('adler32', () => {
  it('matches known vectors', () => {
    expect(adler32(Buffer.alloc(0))).toBe(ADLER32_INITIAL)
    expect(adler32(Buffer.from('a'))).toBe(0x00620062)
    expect(adler32(Buffer.from('abc'))).toBe(0x024d0127)
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398)
    expect(adler32(Buffer.from('message digest'))).toBe(0x29750586)
  })

  it('reduces correctly on long runs of large bytes (many blocks, sums near the modulus)', () => {
    const pattern = Buffer.alloc(256 * 40)
    for (let i = 0; i < pattern.length; i++) pattern[i] = i % 256
    expect(adler32(pattern)).toBe(0xf475ed1e)
    expect(adler32(Buffer.alloc(100_000, 0xff))).toBe(0x149a302c)
  })

  it('continues from a seed, so a stream can be summed in pieces', () => {
    const bytes = Buffer.alloc(12_000, 0xff)
    expect(adler32(bytes, 7000, 12_000, adler32(bytes, 0, 7000))).toBe(adler32(bytes))
    expect(adler32(Buffer.alloc(5000, 0xff), 0, 5000, adler32(Buffer.alloc(7000, 0xff)))).toBe(0x09b1b3d3)
    for (const split of [0, 1, 7, 8, 9, 3799, 3800, 3801, 11_999]) {
      expect(adler32(bytes, split, bytes.length, adler32(bytes, 0, split)), `split ${split}`).toBe(adler32(bytes))
    }
  })

  it('sums a sub-range of a larger buffer', () => {
    const bytes = Buffer.from('xxWikipediayy')
    expect(adler32(bytes, 2, 11)).toBe(0x11e60398)
  })
})
