// The read-only scenario run the same way on an Apache and a ZooDesk ensemble: what a member cut off from its quorum
// answers (four-letter words, handshakes, every kind of request), and what happens when the quorum comes back. It
// returns observations with the values that legitimately differ (versions, timings, counters) masked, so the two
// runs can be compared with toEqual.
import { encode } from '../../../../engine/jute'
import {
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  GetEphemeralsRequest,
  MultiHeader,
  OPEN_ACL_UNSAFE,
  OpCode,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SetACLRequest,
  SetDataRequest,
  SetWatches,
  SetWatches2,
  WatchesRequest,
  AddWatchRequest,
} from '../../../../engine/proto'
import { JuteWriter } from '../../../../engine/jute'
import { CreateMode, ZooKeeperClient } from '../../../../engine/client'
import { fourLetterWord } from '../../client/support/four-letter-word'
import type { TestEnsemble } from '../../client/support/server-factory'
import { sessionPassword } from '../../../../engine/server/session-identity'
import { RawReadOnlyClient, type RawConnectAnswer, type RawReply } from './raw-client'

export const SURVIVOR = 0

export interface ReadOnlyObservations {
  /** isro answers of the survivor, each distinct answer once, from the partition until read-only. */
  isroWhileCutOff: string[]
  /** ms from the survivor's first "not serving" answer to its first `ro` (Apache: at least 2000). */
  graceMs: number
  srvr: string[]
  stat: string[]
  /** conf lines, paths, sizes and ports masked. */
  conf: string[]
  mntr: Record<string, string>
  isroWord: string
  /** Handshakes in read-only mode. */
  handshakes: Record<string, unknown>
  /** Every request kind from a read-only session: error code (and reply shape). */
  requests: Record<string, unknown>
  /** The reply zxid of a refused write equals the member's last zxid (srvr's Zxid line). */
  refusedZxidIsLastZxid: boolean
  /** What a read-only session's connection sees when the election ends, and isro afterwards. */
  afterQuorum: Record<string, unknown>
  /** Before the partition: the ephemeral that upgraded a local session (zxids it took, the session moving). */
  upgrade: Record<string, unknown>
  /** A lone `check` request (differs between Apache releases, see below). */
  check: Record<string, unknown>
}

const OPEN = [...OPEN_ACL_UNSAFE]

function body<T>(codec: { write(w: JuteWriter, value: T): void }, value: T): Buffer {
  const w = new JuteWriter(256)
  codec.write(w, value)
  return w.toBuffer()
}

function multi(ops: Array<{ type: number; write: (w: JuteWriter) => void }>): Buffer {
  const w = new JuteWriter(256)
  for (const op of ops) {
    MultiHeader.write(w, { type: op.type, done: false, err: -1 })
    op.write(w)
  }
  MultiHeader.write(w, { type: -1, done: true, err: -1 })
  return w.toBuffer()
}

/** A reply as an observation: the error code and how many body bytes came with it. */
function shape(reply: RawReply | 'closed' | 'no answer'): unknown {
  if (typeof reply === 'string') return reply
  return { err: reply.err, bodyBytes: reply.body.length }
}

function handshakeShape(answer: RawConnectAnswer | 'closed' | 'no answer', myId: number): unknown {
  if (typeof answer === 'string') return answer
  if (answer.asReplyHeader !== undefined) return { replyHeaderInstead: { xid: answer.asReplyHeader.xid, err: answer.asReplyHeader.err } }
  return {
    length: answer.length,
    timeOut: answer.timeOut,
    sessionOfThisMember: answer.sessionId !== 0n && Number(answer.sessionId >> 56n) === myId,
    readOnly: answer.readOnly,
  }
}

/** srvr/stat with run-dependent figures masked; the line structure, mode and node count stay. */
function maskServerText(text: string): string[] {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/^Zookeeper version: .*/, 'Zookeeper version: V')
        .replace(/^Latency min\/avg\/max: .*/, 'Latency min/avg/max: L')
        .replace(/^(Received|Sent|Outstanding|Connections): \d+$/, '$1: N')
        .replace(/^Zxid: 0x[0-9a-f]+$/, 'Zxid: Z')
        .replace(/^ \/127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+\)$/, ' CLIENT'),
    )
}

async function srvrZxid(host: string, port: number): Promise<bigint> {
  const match = /Zxid: 0x([0-9a-f]+)/.exec(await fourLetterWord(host, port, 'srvr'))
  if (match === null) throw new Error(`no Zxid from ${host}:${port}`)
  return BigInt(`0x${match[1]}`)
}

async function isro(host: string, port: number): Promise<string> {
  return fourLetterWord(host, port, 'isro')
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms (last ${JSON.stringify(value)})`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Runs the scenario on a fresh 3-member ensemble started with readonlymode.enabled and localSessionsEnabled. Members
 * 1 and 2 are killed, member 0 goes read-only and is examined, then 1 and 2 come back.
 */
export async function observeReadOnly(ensemble: TestEnsemble): Promise<ReadOnlyObservations> {
  const survivor = ensemble.members[SURVIVOR]!
  const { host, clientPort: port } = survivor
  const root = '/ro'

  // Data every member holds before the partition, and one global session (an ephemeral upgrades its local session).
  const writer = await ZooKeeperClient.connect(ensemble.connectString(), { sessionTimeoutMs: 6000 })
  await writer.create(root, 'v')
  await writer.create(`${root}/child`, 'c')
  await writer.create(`${root}/victim`)
  const holder = await ZooKeeperClient.connect(`${host}:${port}`, { sessionTimeoutMs: 30_000 })
  const zxidBefore = await srvrZxid(host, port)
  await holder.create(`${root}/eph`, null, { mode: CreateMode.EPHEMERAL })
  const upgrade: Record<string, unknown> = { zxidsUsed: Number((await srvrZxid(host, port)) - zxidBefore) }
  const globalSession = { sessionId: holder.sessionId, passwd: Buffer.from(holder.sessionPassword) }
  // Upgraded, the session is global: another member takes it.
  const elsewhere = ensemble.members[1]!
  const moved = await RawReadOnlyClient.open(elsewhere.host, elsewhere.clientPort)
  upgrade['reconnectOnOtherMember'] = handshakeShape(await moved.connect({ readOnly: false, ...globalSession, timeOutMs: 30_000 }), survivor.id)
  moved.destroy()
  await writer.sync(root)
  await writer.close()

  // Cut the survivor off: it goes LOOKING and, after the grace period, read-only.
  const seen: string[] = []
  let firstNullMs = 0
  let firstRoMs = 0
  await Promise.all([ensemble.stopMember(1), ensemble.stopMember(2)])
  holder.dropConnection()
  await until(
    async () => {
      const answer = await isro(host, port)
      if (answer !== '' && seen[seen.length - 1] !== answer) seen.push(answer)
      if (answer === 'null' && firstNullMs === 0) firstNullMs = Date.now()
      if (answer === 'ro' && firstRoMs === 0) firstRoMs = Date.now()
      return answer
    },
    (answer) => answer === 'ro',
    30_000,
    'read-only mode',
  )
  void holder.close(100).catch(() => undefined)

  const handshakes: Record<string, unknown> = {}
  const myId = survivor.id
  const fresh = async (readOnly: boolean | undefined): Promise<{ client: RawReadOnlyClient; answer: RawConnectAnswer | 'closed' | 'no answer' }> => {
    const client = await RawReadOnlyClient.open(host, port)
    return { client, answer: await client.connect({ readOnly, timeOutMs: 6000 }) }
  }
  const notReadOnly = await fresh(false)
  handshakes['notReadOnlyClient'] = handshakeShape(notReadOnly.answer, myId)
  const old = await fresh(undefined)
  handshakes['oldClient'] = handshakeShape(old.answer, myId)
  const globalReconnect = await RawReadOnlyClient.open(host, port)
  handshakes['globalSessionReconnect'] = handshakeShape(
    await globalReconnect.connect({ readOnly: true, sessionId: globalSession.sessionId, passwd: globalSession.passwd, timeOutMs: 30_000 }),
    myId,
  )
  globalReconnect.destroy()
  const main = await fresh(true)
  handshakes['readOnlyClient'] = handshakeShape(main.answer, myId)
  if (typeof main.answer === 'string') throw new Error(`read-only handshake failed: ${main.answer}`)
  const session = { sessionId: main.answer.sessionId, passwd: Buffer.from(main.answer.passwd) }
  const rc = main.client

  const srvrText = await fourLetterWord(host, port, 'srvr')
  const zxidLine = /Zxid: 0x([0-9a-f]+)/.exec(srvrText)
  const lastZxid = zxidLine ? BigInt(`0x${zxidLine[1]}`) : -1n

  const requests: Record<string, unknown> = {}
  const path = (name: string): string => `${root}/${name}`
  const create = (name: string, flags = 0): Buffer => body(CreateRequest, { path: path(name), data: Buffer.from('x'), acl: OPEN, flags })
  let refusedZxid = -2n
  const writes: Array<[string, number, Buffer]> = [
    ['create', OpCode.create, create('a')],
    ['createEphemeral', OpCode.create, create('e', 1)],
    ['create2', OpCode.create2, create('b')],
    ['createContainer', OpCode.createContainer, create('c', 4)],
    ['createTTL', OpCode.createTTL, body(CreateTTLRequest, { path: path('t'), data: null, acl: OPEN, flags: 5, ttl: 60_000n })],
    ['delete', OpCode.delete, body(DeleteRequest, { path: path('victim'), version: -1 })],
    ['deleteContainer', OpCode.deleteContainer, body(PathRequest, { path: path('victim') })],
    ['setData', OpCode.setData, body(SetDataRequest, { path: root, data: Buffer.from('w'), version: -1 })],
    ['setACL', OpCode.setACL, body(SetACLRequest, { path: root, acl: OPEN, version: -1 })],
    ['multi', OpCode.multi, multi([{ type: OpCode.create, write: (w) => CreateRequest.write(w, { path: path('m'), data: null, acl: OPEN, flags: 0 }) }])],
    ['multiCheckOnly', OpCode.multi, multi([{ type: OpCode.check, write: (w) => CheckVersionRequest.write(w, { path: root, version: -1 }) }])],
    ['reconfig', OpCode.reconfig, body(ReconfigRequest, { joiningServers: null, leavingServers: '3', newMembers: null, curConfigId: -1n })],
    ['sync', OpCode.sync, body(PathRequest, { path: root })],
  ]
  for (const [name, type, payload] of writes) {
    const reply = await rc.request(type, payload)
    requests[name] = shape(reply)
    if (typeof reply !== 'string' && name === 'setData') refusedZxid = reply.zxid
  }
  const reads: Array<[string, number, Buffer]> = [
    ['getData', OpCode.getData, body(PathWatchRequest, { path: root, watch: true })],
    ['exists', OpCode.exists, body(PathWatchRequest, { path: path('child'), watch: true })],
    ['existsMissing', OpCode.exists, body(PathWatchRequest, { path: path('none'), watch: false })],
    ['getChildren', OpCode.getChildren, body(PathWatchRequest, { path: root, watch: true })],
    ['getChildren2', OpCode.getChildren2, body(PathWatchRequest, { path: root, watch: false })],
    ['getACL', OpCode.getACL, body(PathRequest, { path: root })],
    ['getAllChildrenNumber', OpCode.getAllChildrenNumber, body(PathRequest, { path: root })],
    ['getEphemerals', OpCode.getEphemerals, body(GetEphemeralsRequest, { prefixPath: '/' })],
    [
      'multiRead',
      OpCode.multiRead,
      multi([
        { type: OpCode.getData, write: (w) => PathWatchRequest.write(w, { path: root, watch: false }) },
        { type: OpCode.getChildren, write: (w) => PathWatchRequest.write(w, { path: path('none'), watch: false }) },
      ]),
    ],
    ['whoAmI', OpCode.whoAmI, Buffer.alloc(0)],
    ['setWatches', OpCode.setWatches, body(SetWatches, { relativeZxid: lastZxid, dataWatches: [root], existWatches: [], childWatches: [] })],
    [
      'setWatches2',
      OpCode.setWatches2,
      body(SetWatches2, { relativeZxid: lastZxid, dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [path('child')], persistentRecursiveWatches: [] }),
    ],
    ['addWatch', OpCode.addWatch, body(AddWatchRequest, { path: path('child'), mode: 1 })],
    ['checkWatches', OpCode.checkWatches, body(WatchesRequest, { path: root, type: 1 })],
    ['removeWatches', OpCode.removeWatches, body(WatchesRequest, { path: path('none'), type: 3 })],
  ]
  for (const [name, type, payload] of reads) requests[name] = shape(await rc.request(type, payload))
  requests['ping'] = shape(await rc.request(OpCode.ping, Buffer.alloc(0), -2))

  // A read-only session may drop its connection and come back to the same member; closing it is allowed (it is local).
  const second = await fresh(true)
  if (typeof second.answer === 'string') throw new Error(`second read-only handshake failed: ${second.answer}`)
  const secondSession = { sessionId: second.answer.sessionId, passwd: Buffer.from(second.answer.passwd) }
  second.client.destroy()
  const back = await RawReadOnlyClient.open(host, port)
  handshakes['readOnlySessionReconnect'] = handshakeShape(await back.connect({ readOnly: true, ...secondSession, timeOutMs: 6000 }), myId)
  requests['closeSession'] = shape(await back.request(OpCode.closeSession))
  requests['closeSessionThenClosed'] = await back.waitClosed(3000)
  const afterClose = await RawReadOnlyClient.open(host, port)
  handshakes['closedSessionReconnect'] = handshakeShape(await afterClose.connect({ readOnly: true, ...secondSession, timeOutMs: 6000 }), myId)
  afterClose.destroy()

  const observations: ReadOnlyObservations = {
    // A follower may answer `rw` for a moment before it notices its leader is gone.
    isroWhileCutOff: seen[0] === 'rw' ? seen.slice(1) : seen,
    graceMs: firstNullMs === 0 ? -1 : firstRoMs - firstNullMs,
    srvr: maskServerText(srvrText),
    stat: maskServerText(await fourLetterWord(host, port, 'stat')),
    mntr: Object.fromEntries(
      (await fourLetterWord(host, port, 'mntr'))
        .split('\n')
        .filter((line) => line.includes('\t'))
        .map((line) => line.split('\t') as [string, string]),
    ),
    isroWord: await isro(host, port),
    conf: (await fourLetterWord(host, port, 'conf'))
      .split('\n')
      .map((line) => line.replace(/^(clientPort|dataDir|dataDirSize|dataLogDir|dataLogSize|electionPort|quorumPort)=.*/, '$1=X')),
    handshakes,
    requests,
    refusedZxidIsLastZxid: refusedZxid === lastZxid,
    afterQuorum: {},
    check: {},
    upgrade,
  }

  // A lone check (opcode 13): Apache 3.8.0 lets it through to the read-only filter (NOTREADONLY, connection kept);
  // 3.8.4+ refuses it as an invalid request (ZOOKEEPER-2623: UNIMPLEMENTED, connection closed), as ZooDesk does.
  const checker = await fresh(true)
  observations.check['reply'] = shape(await checker.client.request(OpCode.check, body(CheckVersionRequest, { path: root, version: -1 })))
  observations.check['closed'] = await checker.client.waitClosed(1000)

  // The quorum comes back: the read-only session's connection is closed, the member serves read-write again.
  await Promise.all([ensemble.startMember(1, false), ensemble.startMember(2, false)])
  observations.afterQuorum['readOnlyConnectionClosed'] = await rc.waitClosed(30_000)
  await until(() => isro(host, port), (answer) => answer === 'rw', 30_000, 'read-write again')
  const afterRw = await fresh(true)
  observations.afterQuorum['readOnlyClientOnReadWriteMember'] = handshakeShape(afterRw.answer, myId)
  const readOnlySessionAfter = await RawReadOnlyClient.open(host, port)
  observations.afterQuorum['readOnlySessionOnReadWriteMember'] = handshakeShape(
    await readOnlySessionAfter.connect({ readOnly: true, ...session, timeOutMs: 6000 }),
    myId,
  )
  for (const client of [notReadOnly.client, old.client, rc, checker.client, afterRw.client, readOnlySessionAfter]) client.destroy()
  return observations
}

/**
 * Read-only mode without local sessions (a fresh 3-member ensemble with readonlymode.enabled only): a new session
 * would need a createSession txn, so the ConnectResponse never comes; a session the member does not know as global
 * is let in (nothing local is tracked to say no), and its changes, closeSession included, are refused.
 */
export async function observeReadOnlyWithoutLocalSessions(ensemble: TestEnsemble): Promise<Record<string, unknown>> {
  const survivor = ensemble.members[SURVIVOR]!
  const { host, clientPort: port } = survivor
  await Promise.all([ensemble.stopMember(1), ensemble.stopMember(2)])
  await until(() => isro(host, port), (answer) => answer === 'ro', 30_000, 'read-only mode')
  const out: Record<string, unknown> = {}
  const opened: RawReadOnlyClient[] = []
  try {
    const fresh = await RawReadOnlyClient.open(host, port)
    opened.push(fresh)
    out['newSession'] = handshakeShape(await fresh.connect({ readOnly: true, timeOutMs: 6000 }), survivor.id)
    out['newSessionConnectionClosed'] = await fresh.waitClosed(1000)

    const sessionId = (BigInt(survivor.id) << 56n) | 0x123456n
    const unknown = await RawReadOnlyClient.open(host, port)
    opened.push(unknown)
    out['unknownSessionReconnect'] = handshakeShape(await unknown.connect({ readOnly: true, sessionId, passwd: sessionPassword(sessionId), timeOutMs: 6000 }), survivor.id)
    out['getData'] = shape(await unknown.request(OpCode.getData, body(PathWatchRequest, { path: '/zookeeper', watch: false })))
    out['setData'] = shape(await unknown.request(OpCode.setData, body(SetDataRequest, { path: '/zookeeper', data: null, version: -1 })))
    out['closeSession'] = shape(await unknown.request(OpCode.closeSession))
    out['closeSessionThenClosed'] = await unknown.waitClosed(1000)
    out['afterCloseGetData'] = shape(await unknown.request(OpCode.getData, body(PathWatchRequest, { path: '/zookeeper', watch: false }), undefined, 2000))
    out['localSessions'] = (await fourLetterWord(host, port, 'mntr')).split('\n').find((line) => line.startsWith('zk_local_sessions\t'))
  } finally {
    for (const client of opened) client.destroy()
  }
  return out
}
