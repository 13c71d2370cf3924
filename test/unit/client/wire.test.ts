import { describe, expect, it } from 'vitest'
import { JuteReader, JuteWriter } from '../../../engine/jute'
import { Chroot } from '../../../engine/client/chroot'
import { FrameDecoder, FrameLengthError } from '../../../engine/client/frame-decoder'
import { Op, firstFailure, readMultiResponse, writeMultiRequest } from '../../../engine/client/multi'
import { CreateMode, EMPTY_STAT, MultiHeader, OpCode, SetWatches, Stat } from '../../../engine/proto'

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(4)
  header.writeInt32BE(payload.length)
  return Buffer.concat([header, payload])
}

describe('FrameDecoder', () => {
  it('splits frames arriving in arbitrary pieces', () => {
    const stream = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.alloc(0)), frame(Buffer.alloc(300, 7))])
    for (const pieceBytes of [1, 2, 3, 5, 64, stream.length]) {
      const decoder = new FrameDecoder(1000)
      const frames: Buffer[] = []
      for (let i = 0; i < stream.length; i += pieceBytes) {
        decoder.push(stream.subarray(i, i + pieceBytes))
        for (let f = decoder.next(); f !== undefined; f = decoder.next()) frames.push(Buffer.from(f))
      }
      expect(frames.map((f) => f.length)).toEqual([3, 0, 300])
      expect(frames[0]!.toString()).toBe('abc')
      expect(decoder.pendingBytes).toBe(0)
    }
  })

  it('rejects a frame longer than the limit before buffering it', () => {
    const decoder = new FrameDecoder(10)
    decoder.push(frame(Buffer.alloc(11)).subarray(0, 4))
    expect(() => decoder.next()).toThrow(FrameLengthError)
  })
})

describe('multi wire format', () => {
  it('writes MultiHeader + request per op and a done header, with the chroot applied', () => {
    const w = new JuteWriter()
    writeMultiRequest(
      w,
      [Op.create('/a', 'x', { mode: CreateMode.CONTAINER }), Op.delete('/b', 3), Op.check('/c', 1)],
      new Chroot('/r'),
    )
    const r = new JuteReader(w.toBuffer())
    expect(MultiHeader.read(r)).toEqual({ type: OpCode.createContainer, done: false, err: -1 })
    expect(r.ustring()).toBe('/r/a')
    expect(r.buffer()?.toString()).toBe('x')
    expect(r.int()).toBe(1) // one ACL
    r.int()
    r.ustring()
    r.ustring()
    expect(r.int()).toBe(CreateMode.CONTAINER)
    expect(MultiHeader.read(r)).toEqual({ type: OpCode.delete, done: false, err: -1 })
    expect([r.ustring(), r.int()]).toEqual(['/r/b', 3])
    expect(MultiHeader.read(r)).toEqual({ type: OpCode.check, done: false, err: -1 })
    expect([r.ustring(), r.int()]).toEqual(['/r/c', 1])
    expect(MultiHeader.read(r)).toEqual({ type: -1, done: true, err: -1 })
    expect(r.atEnd()).toBe(true)
  })

  it('uses opcode 21 and writes the ttl for TTL creates', () => {
    const w = new JuteWriter()
    writeMultiRequest(w, [Op.create('/t', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 5000 })], new Chroot(undefined))
    const r = new JuteReader(w.toBuffer())
    expect(MultiHeader.read(r).type).toBe(OpCode.createTTL)
    r.ustring()
    expect(r.buffer()).toBeNull()
    const aclCount = r.int()
    for (let i = 0; i < aclCount; i++) (r.int(), r.ustring(), r.ustring())
    expect(r.int()).toBe(CreateMode.PERSISTENT_WITH_TTL)
    expect(r.long()).toBe(5000n)
  })

  it('reads results, strips the chroot and finds the first failure', () => {
    const w = new JuteWriter()
    MultiHeader.write(w, { type: OpCode.create, done: false, err: 0 })
    w.ustring('/r/a')
    MultiHeader.write(w, { type: OpCode.create2, done: false, err: 0 })
    w.ustring('/r/b')
    Stat.write(w, { ...EMPTY_STAT, version: 4 })
    MultiHeader.write(w, { type: OpCode.error, done: false, err: -101 })
    w.int(-101)
    MultiHeader.write(w, { type: OpCode.error, done: false, err: -2 })
    w.int(-2)
    MultiHeader.write(w, { type: -1, done: true, err: -1 })
    const results = readMultiResponse(new JuteReader(w.toBuffer()), new Chroot('/r'))
    expect(results[0]).toEqual({ kind: 'create', path: '/a', stat: null })
    expect(results[1]).toMatchObject({ kind: 'create', path: '/b', stat: { version: 4 } })
    expect(results[2]).toEqual({ kind: 'error', code: -101, codeName: 'NONODE' })
    expect(firstFailure(results)).toEqual({ index: 2, code: -101 })
  })
})

describe('setWatchesBatches', () => {
  it('uses opcode 101 without persistent watches and 105 with them, in Java list order', async () => {
    const { setWatchesBatches } = await import('../../../engine/client/set-watches')
    const { SetWatches2 } = await import('../../../engine/proto')
    const plain = setWatchesBatches({ data: ['/d'], exist: [], child: ['/c'], persistent: [], persistentRecursive: [] }, 7n)
    expect(plain.map((b) => b.opCode)).toEqual([OpCode.setWatches])
    const mixed = setWatchesBatches({ data: ['/d'], exist: ['/e'], child: [], persistent: ['/p'], persistentRecursive: ['/r'] }, 9n)
    expect(mixed.map((b) => b.opCode)).toEqual([OpCode.setWatches2])
    const w = new JuteWriter()
    mixed[0]!.write(w)
    expect(SetWatches2.read(new JuteReader(w.toBuffer()))).toEqual({
      relativeZxid: 9n,
      dataWatches: ['/d'],
      existWatches: ['/e'],
      childWatches: [],
      persistentWatches: ['/p'],
      persistentRecursiveWatches: ['/r'],
    })
    expect(setWatchesBatches({ data: [], exist: [], child: [], persistent: [], persistentRecursive: [] }, 0n)).toEqual([])
  })

  it('starts a new batch once 128 Ki path characters are reached, splitting across lists', async () => {
    const { setWatchesBatches } = await import('../../../engine/client/set-watches')
    const path = `/${'p'.repeat(1023)}` // 1024 characters
    const lists = { data: Array(100).fill(path), exist: [], child: Array(100).fill(path), persistent: [], persistentRecursive: [] }
    const batches = setWatchesBatches(lists, 0n)
    expect(batches).toHaveLength(2)
    const first = SetWatches.read(new JuteReader(written(batches[0]!.write)))
    expect([first.dataWatches.length, first.childWatches.length]).toEqual([100, 28])
    const second = SetWatches.read(new JuteReader(written(batches[1]!.write)))
    expect([second.dataWatches.length, second.childWatches.length]).toEqual([0, 72])
  })
})

function written(write: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter()
  write(w)
  return w.toBuffer()
}
