import { describe, expect, it } from 'vitest'
import { JuteWriter } from '../../../engine/jute'
import { OpCode } from '../../../engine/proto/opcodes'
import { DataTree } from '../../../engine/tree/data-tree'
import { adler32 } from '../../../engine/txn/adler32'
import { SnapshotInvalidError } from '../../../engine/txn/errors'
import { type RawTreeBody, rawTreeBodyCodec } from '../../../engine/txn/raw-tree-body'
import { type SnapshotBodyCodec, decodeSnapshot, encodeSnapshot, encodeSnapshotInSteps } from '../../../engine/txn/snapshot'
import { dataTreeCodec } from '../../../engine/txn/tree-codec'
import { createBody, txnAt } from './txn-samples'

/** A stand-in tree body: just the "/" end marker after an empty ACL cache and no nodes. */
const emptyBody: RawTreeBody = { acls: new Map(), nodes: [] }

function sessions(): Map<bigint, number> {
  return new Map([
    [0x100000001n, 30000],
    [0x100000002n, 4000],
  ])
}

describe('snapshot stream', () => {
  it('lays out header, sessions, body, seal and the empty digest section as Apache does', () => {
    const bytes = encodeSnapshot({ tree: emptyBody, sessions: sessions() }, rawTreeBodyCodec)
    const hex = bytes.toString('hex')
    expect(hex.slice(0, 32)).toBe('5a4b534e' + '00000002' + 'ffffffffffffffff')
    expect(hex.slice(32, 40)).toBe('00000002')
    expect(hex.slice(40, 64)).toBe('0000000100000001' + '00007530')
    const bodyEnd = 16 + 4 + 2 * 12 + 4 + 5 // ACL count 0, then ustring "/"
    expect(bytes.readInt32BE(44)).toBe(0) // ACL cache size
    expect(bytes.subarray(48, bodyEnd).toString('hex')).toBe('000000012f')
    expect(bytes.readBigInt64BE(bodyEnd)).toBe(BigInt(adler32(bytes, 0, bodyEnd)))
    expect(bytes.subarray(bodyEnd + 8, bodyEnd + 13).toString('hex')).toBe('000000012f')
    const digestEnd = bodyEnd + 13 + 20
    expect(bytes.subarray(bodyEnd + 13, digestEnd).toString('hex')).toBe('0000000000000000' + '00000002' + '0000000000000000')
    expect(bytes.readBigInt64BE(digestEnd)).toBe(BigInt(adler32(bytes, 0, digestEnd)))
    expect(bytes.length).toBe(digestEnd + 13)
  })

  it('round-trips, with and without the digest section', () => {
    for (const digest of [undefined, null, { zxid: 0x42n, digestVersion: 2, digest: -5n }]) {
      const bytes = encodeSnapshot({ tree: emptyBody, sessions: sessions(), digest }, rawTreeBodyCodec)
      const decoded = decodeSnapshot(bytes, rawTreeBodyCodec)
      expect(decoded.sessions).toEqual(sessions())
      expect(decoded.tree).toEqual(emptyBody)
      expect(decoded.digest).toEqual(digest === undefined ? { zxid: 0n, digestVersion: 2, digest: 0n } : digest)
    }
  })

  it('rejects a wrong magic, a bad seal, a truncated stream and a partial digest section', () => {
    const good = encodeSnapshot({ tree: emptyBody, sessions: sessions() }, rawTreeBodyCodec)
    const badMagic = Buffer.from(good)
    badMagic.write('ZKLG', 0, 'latin1')
    expect(() => decodeSnapshot(badMagic, rawTreeBodyCodec)).toThrow(/mismatching magic/)
    const flipped = Buffer.from(good)
    flipped[30]! ^= 1
    expect(() => decodeSnapshot(flipped, rawTreeBodyCodec)).toThrow(/CRC corruption/)
    for (const cut of [0, 10, 40, 60, good.length - 30, good.length - 1]) {
      expect(() => decodeSnapshot(good.subarray(0, cut), rawTreeBodyCodec), `cut ${cut}`).toThrow(SnapshotInvalidError)
    }
  })

  it('accepts a snapshot that ends right after the first seal (pre-3.6, or digest disabled)', () => {
    const bytes = encodeSnapshot({ tree: emptyBody, sessions: new Map(), digest: null }, rawTreeBodyCodec)
    expect(decodeSnapshot(bytes, rawTreeBodyCodec).digest).toBeNull()
  })

  it('writes the same bytes in steps as in one go, summing the checksum step by step', async () => {
    const tree = new DataTree()
    for (let i = 1; i <= 3000; i++) {
      const txn = txnAt(BigInt(i), createBody(`/n${i}`, Buffer.from(`data-${i}`), i))
      tree.processTxn(txn.header, txn.body)
    }
    tree.processTxn(txnAt(3001n, { type: OpCode.setACL, txn: { path: '/n5', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: 1 } }).header, {
      type: OpCode.setACL,
      txn: { path: '/n5', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: 1 },
    })
    const codec = dataTreeCodec()
    const whole = encodeSnapshot({ tree, sessions: sessions() }, codec)
    let steps = 0
    const stepped = await encodeSnapshotInSteps({ tree, sessions: sessions() }, codec, async () => void steps++)
    expect(steps).toBeGreaterThan(1)
    expect(stepped.equals(whole)).toBe(true)
    const back = decodeSnapshot(whole, codec)
    expect(back.tree.getNode('/n3000')?.data?.toString()).toBe('data-3000')
    expect(back.tree.aclOf(back.tree.getNode('/n5')!)).toEqual([{ perms: 1, id: { scheme: 'world', id: 'anyone' } }])
  })

  it('reports a body the tree codec cannot read as an invalid snapshot', () => {
    const failing: SnapshotBodyCodec<null> = {
      serializeTree: (_tree, w: JuteWriter) => w.ustring('/'),
      deserializeTree: () => {
        throw new Error('boom')
      },
    }
    const bytes = encodeSnapshot({ tree: null, sessions: new Map() }, failing)
    expect(() => decodeSnapshot(bytes, failing, 'snap.x')).toThrow(/snap.x: undecodable: boom/)
  })
})
