// Local sessions (localSessionsEnabled=true, upgrading left at its default, off), run the same way on an Apache and a
// ZooDesk ensemble: sessions made without a createSession txn, EPHEMERALONLOCALSESSION on a follower and on the
// leader, a local session that cannot move to another member, closes without a txn and expires on its member.
import { JuteWriter } from '../../../../engine/jute'
import { CreateRequest, MultiHeader, OPEN_ACL_UNSAFE, OpCode, PathWatchRequest } from '../../../../engine/proto'
import { fourLetterWord } from '../../client/support/four-letter-word'
import type { TestEnsemble, TestMember } from '../../client/support/server-factory'
import { RawReadOnlyClient, type RawConnectAnswer, type RawReply } from './raw-client'

const OPEN = [...OPEN_ACL_UNSAFE]

function createBody(path: string, flags: number): Buffer {
  const w = new JuteWriter(128)
  CreateRequest.write(w, { path, data: Buffer.from('x'), acl: OPEN, flags })
  return w.toBuffer()
}

function multiCreateBody(path: string, flags: number): Buffer {
  const w = new JuteWriter(128)
  MultiHeader.write(w, { type: OpCode.create, done: false, err: -1 })
  CreateRequest.write(w, { path: `${path}-p`, data: null, acl: OPEN, flags: 0 })
  MultiHeader.write(w, { type: OpCode.create, done: false, err: -1 })
  CreateRequest.write(w, { path, data: null, acl: OPEN, flags })
  MultiHeader.write(w, { type: -1, done: true, err: -1 })
  return w.toBuffer()
}

function getDataBody(path: string): Buffer {
  const w = new JuteWriter(64)
  PathWatchRequest.write(w, { path, watch: false })
  return w.toBuffer()
}

/** The per-op error codes of a MultiResponse (each op: MultiHeader, then its record or ErrorResponse). */
function multiErrors(body: Buffer): number[] {
  const errors: number[] = []
  let offset = 0
  for (;;) {
    const type = body.readInt32BE(offset)
    const done = body[offset + 4] !== 0
    const err = body.readInt32BE(offset + 5)
    offset += 9
    if (done) return errors
    errors.push(err)
    if (type !== OpCode.error) throw new Error(`multi op ${type} succeeded; this scenario expects every op to fail`)
    offset += 4 // ErrorResponse
  }
}

async function lastZxid(member: TestMember): Promise<bigint> {
  const text = await fourLetterWord(member.host, member.clientPort, 'srvr')
  const match = /Zxid: 0x([0-9a-f]+)/.exec(text)
  if (match === null) throw new Error(`no Zxid in srvr of member ${member.id}: ${text}`)
  return BigInt(`0x${match[1]}`)
}

async function mntrValue(member: TestMember, key: string): Promise<string | undefined> {
  const text = await fourLetterWord(member.host, member.clientPort, 'mntr')
  return text.split('\n').find((line) => line.startsWith(`${key}\t`))?.split('\t')[1]
}

function connectShape(answer: RawConnectAnswer | 'closed' | 'no answer', member: TestMember): unknown {
  if (typeof answer === 'string') return answer
  return { length: answer.length, timeOut: answer.timeOut, madeByThisMember: answer.sessionId !== 0n && Number(answer.sessionId >> 56n) === member.id }
}

function replyShape(reply: RawReply | 'closed' | 'no answer', zxidBefore: bigint): unknown {
  if (typeof reply === 'string') return reply
  return { err: reply.err, zxidsUsed: Number(reply.zxid - zxidBefore) }
}

async function session(member: TestMember, timeOutMs = 6000): Promise<{ client: RawReadOnlyClient; sessionId: bigint; passwd: Buffer; answer: unknown }> {
  const client = await RawReadOnlyClient.open(member.host, member.clientPort)
  const answer = await client.connect({ readOnly: false, timeOutMs })
  if (typeof answer === 'string') throw new Error(`handshake with member ${member.id}: ${answer}`)
  return { client, sessionId: answer.sessionId, passwd: Buffer.from(answer.passwd), answer: connectShape(answer, member) }
}

async function reconnect(member: TestMember, sessionId: bigint, passwd: Buffer): Promise<{ client: RawReadOnlyClient; shape: unknown }> {
  const client = await RawReadOnlyClient.open(member.host, member.clientPort)
  const answer = await client.connect({ readOnly: false, sessionId, passwd, timeOutMs: 6000 })
  return { client, shape: connectShape(answer, member) }
}

export type LocalSessionObservations = Record<string, unknown>

/** Runs on a fresh 3-member ensemble started with localSessionsEnabled=true (and tickTime 500). */
export async function observeLocalSessions(ensemble: TestEnsemble): Promise<LocalSessionObservations> {
  const modes = await Promise.all(ensemble.members.map(async (m) => /Mode: (\w+)/.exec(await fourLetterWord(m.host, m.clientPort, 'srvr'))?.[1]))
  const leader = ensemble.members[modes.indexOf('leader')]!
  const followers = ensemble.members.filter((_, i) => modes[i] === 'follower')
  const follower = followers[0]!
  const other = followers[1]!
  const out: LocalSessionObservations = {}
  const opened: RawReadOnlyClient[] = []

  // The zxid a next write starts from: the leader's (srvr), but never below a reply already seen — a leader applies a
  // commit after sending it to the followers, so its srvr can lag a follower's answer for a moment.
  let seen = 0n
  const baseline = async (): Promise<bigint> => {
    const zxid = await lastZxid(leader)
    return zxid > seen ? zxid : seen
  }
  const shape = (reply: RawReply | 'closed' | 'no answer', zxidBefore: bigint): unknown => {
    if (typeof reply !== 'string' && reply.zxid > seen) seen = reply.zxid
    return replyShape(reply, zxidBefore)
  }

  try {
    // A new session on a follower: answered at once, no txn anywhere (the next write takes the very next zxid).
    const before = await baseline()
    const a = await session(follower)
    opened.push(a.client)
    out['handshakeOnFollower'] = a.answer
    out['persistentCreateFromLocalSession'] = shape(await a.client.request(OpCode.create, createBody('/ls', 0)), before)
    out['followerLocalSessions'] = await mntrValue(follower, 'zk_local_sessions')
    out['leaderGlobalSessions'] = await mntrValue(leader, 'zk_global_sessions')
    out['followerGlobalSessions'] = await mntrValue(follower, 'zk_global_sessions')

    // An ephemeral needs a global session, and upgrades are off: EPHEMERALONLOCALSESSION, on a follower and on the leader.
    let zxid = await baseline()
    out['ephemeralOnFollower'] = shape(await a.client.request(OpCode.create, createBody('/ls/e1', 1)), zxid)
    zxid = await baseline()
    const multi = await a.client.request(OpCode.multi, multiCreateBody('/ls/e2', 1))
    if (typeof multi !== 'string' && multi.zxid > seen) seen = multi.zxid
    out['multiWithEphemeralOnFollower'] = typeof multi === 'string' ? multi : { err: multi.err, ops: multiErrors(multi.body), zxidsUsed: Number(multi.zxid - zxid) }
    const l = await session(leader)
    opened.push(l.client)
    out['handshakeOnLeader'] = l.answer
    zxid = await baseline()
    out['ephemeralOnLeader'] = shape(await l.client.request(OpCode.create, createBody('/ls/e3', 1)), zxid)
    zxid = await baseline()
    out['sequentialEphemeralOnLeader'] = shape(await l.client.request(OpCode.create2, createBody('/ls/e4', 3)), zxid)
    out['readFromLeaderLocalSession'] = shape(await l.client.request(OpCode.getData, getDataBody('/ls')), await baseline())

    // A local session lives on its member only: another member does not know it, its own member takes it back.
    const moved = await reconnect(other, a.sessionId, a.passwd)
    opened.push(moved.client)
    out['reconnectOnOtherMember'] = moved.shape
    const movedToLeader = await reconnect(leader, a.sessionId, a.passwd)
    opened.push(movedToLeader.client)
    out['reconnectOnLeader'] = movedToLeader.shape
    a.client.destroy()
    const back = await reconnect(follower, a.sessionId, a.passwd)
    opened.push(back.client)
    out['reconnectOnSameMember'] = back.shape

    // Closing a local session makes no txn; afterwards the session is gone.
    zxid = await baseline()
    out['closeLocalSession'] = shape(await back.client.request(OpCode.closeSession), zxid)
    out['closeThenConnectionClosed'] = await back.client.waitClosed(3000)
    const afterClose = await reconnect(follower, a.sessionId, a.passwd)
    opened.push(afterClose.client)
    out['reconnectAfterClose'] = afterClose.shape

    // A local session expires on its member: a silent client is disconnected, its session is gone.
    const quiet = await session(follower, 1000)
    opened.push(quiet.client)
    out['quietSessionDisconnected'] = await quiet.client.waitClosed(4000)
    const afterExpiry = await reconnect(follower, quiet.sessionId, quiet.passwd)
    opened.push(afterExpiry.client)
    out['reconnectAfterExpiry'] = afterExpiry.shape
    out['followerLocalSessionsAtEnd'] = await mntrValue(follower, 'zk_local_sessions')
    out['leaderLocalSessionsAtEnd'] = await mntrValue(leader, 'zk_local_sessions')
    out['leaderGlobalSessionsAtEnd'] = await mntrValue(leader, 'zk_global_sessions')
  } finally {
    for (const client of opened) client.destroy()
  }
  return out
}
