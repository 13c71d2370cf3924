// Who holds a session (an ephemeral node's owner): ZooKeeper's client protocol does not say, but each member's
// `cons` four-letter word lists its client connections with their session ids and addresses. Every member of the
// connection's ensemble is asked at once; the one that lists the session tells the client's ip:port.
import { parseConnectString } from '../../../engine/client'
import { type ConsConnection, NOT_SERVING_TEXT, fourLetterWord, notWhitelisted, parseCons } from '../../../engine/monitor'
import type { SessionConnection, SessionInfo, SessionLookupProblem, SessionMemberStatus } from '../../contract/model'
import type { OpenConnection } from '../connections/connections'
import { hexLong } from './convert'

/** Per member; a member that does not answer within this is reported unreachable. */
const CONS_TIMEOUT_MS = 2000

interface MemberAnswer {
  server: string
  status: SessionMemberStatus
  connections: SessionConnection[]
}

/** The members to ask: dial what sockets really reach (an SSH tunnel's local ports), name them as the profile does. */
function membersOf(connection: OpenConnection): { server: string; host: string; port: number }[] {
  const named = parseConnectString(connection.connectString).hosts
  const dialed = parseConnectString(connection.effectiveConnectString).hosts
  return dialed.map((target, index) => {
    const name = named.length === dialed.length ? (named[index] ?? target) : target
    return { server: `${name.host}:${name.port}`, host: target.host, port: target.port }
  })
}

function toSessionConnection(server: string, line: ConsConnection): SessionConnection {
  const hex = (value: bigint | null) => (value === null ? null : hexLong(value))
  return {
    server,
    clientAddress: line.clientAddress,
    queued: line.queued,
    received: line.received,
    sent: line.sent,
    lastOperation: line.lastOperation,
    establishedAt: line.establishedMs,
    timeoutMs: line.timeoutMs,
    lastCxid: hex(line.lastCxid),
    lastZxid: hex(line.lastZxid),
    lastLatencyMs: line.lastLatencyMs,
    minLatencyMs: line.minLatencyMs,
    avgLatencyMs: line.avgLatencyMs,
    maxLatencyMs: line.maxLatencyMs,
  }
}

async function askMember(member: { server: string; host: string; port: number }, sessionId: bigint, timeoutMs: number): Promise<MemberAnswer> {
  let text: string
  try {
    text = await fourLetterWord(member.host, member.port, 'cons', timeoutMs)
  } catch {
    return { server: member.server, status: 'unreachable', connections: [] }
  }
  if (notWhitelisted(text)) return { server: member.server, status: 'not-allowed', connections: [] }
  if (text.includes(NOT_SERVING_TEXT)) return { server: member.server, status: 'not-serving', connections: [] }
  const connections = parseCons(text)
    .filter((line) => line.sessionId === sessionId)
    .map((line) => toSessionConnection(member.server, line))
  return { server: member.server, status: connections.length > 0 ? 'found' : 'not-found', connections }
}

function problemOf(answers: readonly MemberAnswer[]): SessionLookupProblem {
  const statuses = answers.map((answer) => answer.status)
  if (statuses.every((status) => status === 'unreachable')) return 'unreachable'
  if (statuses.every((status) => status === 'not-allowed' || status === 'unreachable')) return 'cons-not-allowed'
  if (statuses.every((status) => status === 'not-found')) return 'not-connected'
  return 'incomplete'
}

function messageOf(problem: SessionLookupProblem, sessionId: string, answers: readonly MemberAnswer[]): string {
  const listed = (status: SessionMemberStatus) =>
    answers
      .filter((answer) => answer.status === status)
      .map((answer) => answer.server)
      .join(', ')
  switch (problem) {
    case 'unreachable':
      return `No member answered on its client port (${listed('unreachable')}), so the client address of session ${sessionId} cannot be known.`
    case 'cons-not-allowed':
      return `The servers do not allow the cons four-letter word (add cons to 4lw.commands.whitelist), so the client address of session ${sessionId} cannot be known.`
    case 'not-connected':
      return `No member lists session ${sessionId} among its connections: its client is between connections (the session lives until it expires), or it is connected to a server this connection does not name.`
    case 'incomplete': {
      const unasked = answers.filter((answer) => answer.status !== 'not-found').map((answer) => `${answer.server} (${answer.status})`)
      return `Session ${sessionId} is not on ${listed('not-found')}; ${unasked.join(', ')} could not be asked with cons.`
    }
  }
}

/** Asks every member of the connection's ensemble with `cons` which of them holds `sessionIdHex`, and from where. */
export async function lookUpSession(connection: OpenConnection, sessionIdHex: string, timeoutMs = CONS_TIMEOUT_MS): Promise<SessionInfo> {
  const sessionId = BigInt.asUintN(64, BigInt(sessionIdHex))
  const normalised = hexLong(sessionId)
  const answers = await Promise.all(membersOf(connection).map((member) => askMember(member, sessionId, timeoutMs)))
  // While a client moves to another member, the old one may list it for a moment: the newest connection wins.
  const connections = answers.flatMap((answer) => answer.connections).sort((a, b) => (b.establishedAt ?? 0) - (a.establishedAt ?? 0))
  const newest = connections[0] ?? null
  const members = answers.map(({ server, status }) => ({ server, status }))
  if (newest !== null) {
    return {
      sessionId: normalised,
      found: true,
      server: newest.server,
      clientAddress: newest.clientAddress,
      connection: newest,
      connections,
      members,
      problem: null,
      message: `Session ${normalised} is connected to ${newest.server} from ${newest.clientAddress}.`,
    }
  }
  const problem = problemOf(answers)
  return { sessionId: normalised, found: false, server: null, clientAddress: null, connection: null, connections: [], members, problem, message: messageOf(problem, normalised, answers) }
}
