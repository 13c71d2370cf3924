import type { EnsembleMemberView, QuorumSummary, ReconfigPreviewView } from '../../contract/model'

/**
 * The text of /zookeeper/config (Apache's QuorumVerifier.toString: `server.N=host:quorumPort:electionPort[:role][;client]`
 * lines and `version=<hex>`), the quorum it makes, and what an incremental reconfig (joining / leaving) would make
 * of it. Pure: the service reads the node and sends the request.
 */

export interface EnsembleConfig {
  version: string | null
  members: EnsembleMemberView[]
}

const SERVER_LINE = /^server\.(\d+)=(.*)$/
/** host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]; the host may be [ipv6]. */
const SERVER_SPEC = /^(\[[^\]]+\]|[^:;\s]+):(\d{1,5}):(\d{1,5})(?::(participant|observer))?(?:;((?:(?:\[[^\]]+\]|[^:;\s]+):)?\d{1,5}))?$/

export function parseMemberSpec(id: number, spec: string): EnsembleMemberView | null {
  const match = SERVER_SPEC.exec(spec.trim())
  if (match === null) return null
  const [, host = '', quorumPort = '', electionPort = '', role, client] = match
  return {
    id,
    host,
    quorumPort: Number(quorumPort),
    electionPort: Number(electionPort),
    role: role === 'observer' ? 'observer' : 'participant',
    clientAddress: client ?? null,
    spec: spec.trim(),
  }
}

export function parseEnsembleConfig(text: string): EnsembleConfig {
  let version: string | null = null
  const members: EnsembleMemberView[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('version=')) {
      version = line.slice('version='.length)
      continue
    }
    const match = SERVER_LINE.exec(line)
    if (match === null) continue
    const member = parseMemberSpec(Number(match[1]), match[2] ?? '')
    if (member !== null) members.push(member)
  }
  members.sort((a, b) => a.id - b.id)
  return { version, members }
}

/** A commit needs a strict majority of the voters; observers never count. */
export function quorumOf(members: readonly Pick<EnsembleMemberView, 'role'>[]): QuorumSummary {
  const voters = members.filter((member) => member.role === 'participant').length
  const majority = voters === 0 ? 0 : Math.floor(voters / 2) + 1
  return { voters, observers: members.length - voters, majority, tolerated: voters - majority }
}

/** `server.4=spec`, `4=spec` → id and spec; null when it is neither. */
function splitJoiner(entry: string): { id: number; spec: string } | null {
  const match = /^(?:server\.)?(\d+)=(.+)$/.exec(entry.trim())
  if (match === null) return null
  return { id: Number(match[1]), spec: match[2] ?? '' }
}

/**
 * What an incremental reconfig would make: every member marked kept / joining / leaving / changed (a joining id
 * already in the config replaces its spec, as Apache does), the quorum before and after, and the problems that
 * would make the server refuse it. `joining` and `leaving` come back in the wire form of ReconfigRequest.
 */
export function previewReconfig(current: EnsembleConfig, joining: readonly string[], leaving: readonly (number | string)[]): ReconfigPreviewView {
  const problems: ReconfigPreviewView['problems'] = []
  const byId = new Map(current.members.map((member) => [member.id, member]))
  const joiners = new Map<number, EnsembleMemberView>()
  const joiningWire: string[] = []
  for (const entry of joining.map((one) => one.trim()).filter((one) => one.length > 0)) {
    const split = splitJoiner(entry)
    const member = split === null ? null : parseMemberSpec(split.id, split.spec)
    if (split === null || member === null) {
      problems.push({ code: 'badJoining', subject: entry })
      continue
    }
    if (joiners.has(member.id)) problems.push({ code: 'duplicateJoining', subject: String(member.id) })
    joiners.set(member.id, member)
    joiningWire.push(`server.${member.id}=${member.spec}`)
  }
  const leavers = new Set<number>()
  for (const entry of leaving.map((one) => String(one).trim()).filter((one) => one.length > 0)) {
    const id = /^\d+$/.test(entry) ? Number(entry) : Number.NaN
    if (!byId.has(id)) problems.push({ code: 'unknownLeaving', subject: entry })
    else if (joiners.has(id)) problems.push({ code: 'joinAndLeave', subject: entry })
    else leavers.add(id)
  }
  if (joiners.size === 0 && leavers.size === 0 && problems.length === 0) problems.push({ code: 'empty', subject: '' })

  const members: ReconfigPreviewView['members'] = []
  for (const member of current.members) {
    const joiner = joiners.get(member.id)
    if (joiner !== undefined) members.push({ ...joiner, change: joiner.spec === member.spec ? 'kept' : 'changed' })
    else members.push({ ...member, change: leavers.has(member.id) ? 'leaving' : 'kept' })
  }
  for (const joiner of joiners.values()) if (!byId.has(joiner.id)) members.push({ ...joiner, change: 'joining' })
  members.sort((a, b) => a.id - b.id)

  const after = quorumOf(members.filter((member) => member.change !== 'leaving'))
  if (after.voters === 0) problems.push({ code: 'noVoters', subject: '' })
  return {
    members,
    before: quorumOf(current.members),
    after,
    problems,
    joining: joiningWire.join(','),
    leaving: [...leavers].sort((a, b) => a - b).join(','),
  }
}
