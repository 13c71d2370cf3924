import { JuteReader, JuteWriter } from '../../../engine/jute'
import { SNAPSHOT_SIGNATURE } from '../../../engine/node/net'
import type { ACL } from '../../../engine/proto/data-records'
import { type RawTreeBody, rawTreeBodyCodec } from '../../../engine/txn/raw-tree-body'

/** What follows a SNAP packet, as plain records: the session table and the tree (ACL cache, nodes). */
export interface TestSnapshot {
  sessions: Map<bigint, number>
  tree: RawTreeBody
}

/** The bytes a leader writes after SNAP: sessions, tree, "/" marker, then the signature. */
export function encodeTestSnapshot(snapshot: TestSnapshot, signature: string | null = SNAPSHOT_SIGNATURE): Buffer {
  const w = new JuteWriter(1 << 16)
  w.int(snapshot.sessions.size)
  for (const [id, timeoutMs] of snapshot.sessions) {
    w.long(id)
    w.int(timeoutMs)
  }
  rawTreeBodyCodec.serializeTree(snapshot.tree, w)
  w.ustring(signature)
  return w.toBuffer()
}

/** The learner's parser: exactly one snapshot and its signature, nothing more. */
export function parseTestSnapshot(bytes: Buffer): TestSnapshot {
  const r = new JuteReader(bytes)
  const sessions = new Map<bigint, number>()
  for (let count = r.int(); count > 0; count--) sessions.set(r.long(), r.int())
  const tree = rawTreeBodyCodec.deserializeTree(r)
  const signature = r.ustring()
  if (signature !== SNAPSHOT_SIGNATURE) throw new Error(`Missing signature. Got ${signature}`)
  if (!r.atEnd()) throw new Error(`${r.remaining} bytes after the signature`)
  return { sessions, tree }
}

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const DIGEST: ACL[] = [
  { perms: 1, id: { scheme: 'digest', id: 'user:hash=' } },
  { perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } },
]

/** A tree of `nodeCount` nodes under /n, each with `dataBytes` of data (the root and /n have none). */
export function sampleSnapshot(nodeCount: number, dataBytes: number): TestSnapshot {
  const stat = (zxid: number) => ({
    czxid: BigInt(zxid),
    mzxid: BigInt(zxid),
    ctime: 1_700_000_000_000 + zxid,
    mtime: 1_700_000_000_000 + zxid,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: BigInt(zxid),
  })
  const nodes: RawTreeBody['nodes'] = [
    { path: '', data: null, aclId: -1, stat: stat(0) },
    { path: '/n', data: Buffer.alloc(0), aclId: 1, stat: stat(1) },
  ]
  for (let i = 0; i < nodeCount; i++) {
    const data = Buffer.alloc(dataBytes, i % 251)
    // Some node data looks like the end marker and the signature: the framing must not be fooled.
    if (dataBytes >= 20 && i % 7 === 0) Buffer.from([0, 0, 0, 1, 0x2f, 0, 0, 0, 10, ...Buffer.from('BenWasHere')]).copy(data)
    nodes.push({ path: `/n/c${i}`, data, aclId: i % 2 === 0 ? 1 : 2, stat: stat(i + 2) })
  }
  return {
    sessions: new Map([
      [0x1000000000001n, 30_000],
      [0x1000000000002n, 4_000],
    ]),
    tree: { acls: new Map([[1, OPEN], [2, DIGEST]]), nodes },
  }
}
