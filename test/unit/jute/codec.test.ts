import { describe, expect, it } from 'vitest'
import { JuteDecodeError, JuteReader, JuteWriter, bool, buffer, decode, encode, int, list, long, longNumber, record, ustring, vector } from '../../../engine/jute'
import { ConnectRequest, ReplyHeader, RequestHeader, Stat, GetDataRequest, WatcherEvent } from '../../../engine/proto'

const hex = (b: Buffer) => b.toString('hex')

describe('jute primitives', () => {
  it('encodes big-endian ints, longs and booleans', () => {
    const w = new JuteWriter(2)
    w.int(-2)
    w.long(-1n)
    w.long(0x0102030405060708n)
    w.bool(true)
    w.bool(false)
    expect(hex(w.toBuffer())).toBe('fffffffe' + 'ffffffffffffffff' + '0102030405060708' + '01' + '00')
  })

  it('keeps null and empty buffers and strings distinct', () => {
    const codec = record('T', { a: buffer, b: buffer, c: ustring, d: ustring })
    const bytes = encode(codec, { a: null, b: Buffer.alloc(0), c: null, d: '' })
    expect(hex(bytes)).toBe('ffffffff' + '00000000' + 'ffffffff' + '00000000')
    expect(decode(codec, bytes)).toEqual({ a: null, b: Buffer.alloc(0), c: null, d: '' })
  })

  it('round-trips longs as numbers for wall-clock times', () => {
    const now = 1764082800123
    const bytes = encode(longNumber, now)
    expect(bytes.readBigInt64BE(0)).toBe(BigInt(now))
    expect(decode(longNumber, bytes)).toBe(now)
    expect(decode(longNumber, encode(long, -5n))).toBe(-5)
  })

  it('encodes vectors with a count and null as -1', () => {
    const strings = vector(ustring)
    expect(hex(encode(strings, ['a', 'bc']))).toBe('00000002' + '00000001' + '61' + '00000002' + '6263')
    expect(hex(encode(strings, null))).toBe('ffffffff')
    expect(decode(list(int), encode(vector(int), null))).toEqual([])
  })

  it('writes UTF-8 byte lengths, not character counts', () => {
    const bytes = encode(ustring, '节点')
    expect(bytes.readInt32BE(0)).toBe(6)
    expect(decode(ustring, bytes)).toBe('节点')
  })
})

describe('jute decoding of hostile input', () => {
  it('rejects a length beyond the field limit before allocating', () => {
    const bytes = Buffer.from('7fffffff', 'hex')
    expect(() => new JuteReader(bytes, 0, bytes.length, 1024).buffer()).toThrow(JuteDecodeError)
  })

  it('rejects negative lengths other than -1', () => {
    expect(() => decode(buffer, Buffer.from('fffffffe', 'hex'))).toThrow(JuteDecodeError)
  })

  it('rejects truncated records', () => {
    const full = encode(RequestHeader, { xid: 1, type: 4 })
    expect(() => decode(RequestHeader, full.subarray(0, 6))).toThrow(JuteDecodeError)
  })

  it('rejects a vector count larger than the bytes left', () => {
    expect(() => decode(vector(bool), Buffer.from('000f424000', 'hex'))).toThrow(JuteDecodeError)
  })
})

describe('protocol records match the reference byte examples', () => {
  it('getData("/a", watch) request body', () => {
    const header = encode(RequestHeader, { xid: 1, type: 4 })
    const body = encode(GetDataRequest, { path: '/a', watch: true })
    expect(hex(Buffer.concat([header, body]))).toBe('00000001' + '00000004' + '00000002' + '2f61' + '01')
  })

  it('NodeDataChanged notification', () => {
    const bytes = Buffer.concat([
      encode(ReplyHeader, { xid: -1, zxid: -1n, err: 0 }),
      encode(WatcherEvent, { type: 3, state: 3, path: '/a' }),
    ])
    expect(hex(bytes)).toBe('ffffffff' + 'ffffffffffffffff' + '00000000' + '00000003' + '00000003' + '00000002' + '2f61')
  })

  it('a new-session ConnectRequest is 44 bytes before the read-only flag', () => {
    const bytes = encode(ConnectRequest, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16) })
    expect(bytes.length).toBe(44)
    expect(hex(bytes.subarray(12, 16))).toBe('00007530')
  })

  it('a Stat is 68 bytes', () => {
    const stat = { czxid: 1n, mzxid: 2n, ctime: 3, mtime: 4, version: 5, cversion: -1, aversion: 7, ephemeralOwner: -0x8000000000000000n, dataLength: 9, numChildren: 10, pzxid: 11n }
    const bytes = encode(Stat, stat)
    expect(bytes.length).toBe(68)
    expect(decode(Stat, bytes)).toEqual(stat)
  })
})
