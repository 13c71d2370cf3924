// Ensemble members as the four-letter words and the AdminServer show them, side by side with Apache ZooKeeper 3.8.0:
// a 3-voter + 1-observer ensemble of each kind, the same client activity on both, and for the leader, a follower and
// the observer the quorum-mode outputs compared exactly where they follow from the ensemble's state (modes, zxids,
// peer states, learner counts, membership, ports, session lists) and by type where they are clocks or sizes.
// The differential scenarios (test/compat/scenarios, run per role by the compat-<role> projects) cover the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateRequest, SetDataRequest } from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { startEnsemble } from '../../compat/harness/ensemble'
import type { EnsembleMember, EnsembleRole, TestEnsemble } from '../../compat/harness/ensemble'
import { normalize } from '../../compat/harness/normalize'
import { rawSession } from '../../compat/harness/raw'
import type { RawConnection } from '../../compat/harness/raw'
import { fourLetter } from '../../compat/harness/servers'

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const ROLES: readonly EnsembleRole[] = ['leader', 'follower', 'observer']

/** Each member's ports as names (`client.2`, `quorum.4`…), so outputs of two ensembles compare. */
function portNames(ensemble: TestEnsemble): (text: string) => string {
  const names = new Map<number, string>()
  for (const m of ensemble.members) {
    names.set(m.port, `client.${m.id}`)
    if (m.adminPort !== undefined) names.set(m.adminPort, `admin.${m.id}`)
    names.set(m.quorumPort, `quorum.${m.id}`)
    names.set(m.electionPort, `election.${m.id}`)
  }
  return (text) => text.replace(/\b\d{4,5}\b/g, (port) => names.get(Number(port)) ?? port)
}

/** A value's type as Apache prints it, for figures that are clocks, sizes or latencies. */
function valueType(value: string): string {
  if (/^-?\d+$/.test(value)) return '<int>'
  if (/^-?\d+\.\d+(E-?\d+)?$/.test(value)) return '<double>'
  return '<text>'
}

/** mntr values that follow from the ensemble's state and the client activity below; the others become their type. */
const MNTR_EXACT = new Set([
  'zk_server_state',
  'zk_peer_state',
  'zk_observer_master_id',
  'zk_quorum_size',
  'zk_learners',
  'zk_synced_followers',
  'zk_synced_non_voting_followers',
  'zk_synced_observers',
  'zk_pending_syncs',
  'zk_looking_count',
  'zk_proposal_count',
  'zk_commit_count',
  'zk_learner_proposal_received_count',
  'zk_learner_commit_received_count',
  'zk_znode_count',
  'zk_ephemerals_count',
  'zk_global_sessions',
  'zk_num_alive_connections',
])

/**
 * The /zookeeper namespace's write figures and the data size include /zookeeper/config, which ZooDesk members do not
 * fill with the membership yet (stats.test.ts's "the initial tree" shows it): left out here, where the quorum
 * figures are the subject.
 */
const MNTR_SKIPPED = /^zk_(avg|min|max|cnt|sum)_zookeeper_write_per_namespace$|^zk_approximate_data_size$/

function mntrLines(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !MNTR_SKIPPED.test(line.split('\t')[0] ?? ''))
    .map((line) => {
      const [key = '', value = ''] = line.split('\t')
      if (key === 'zk_version') return key
      return `${key}\t${MNTR_EXACT.has(key) ? value : valueType(value)}`
    })
}

/** JSON with sorted keys, leaves typed except `keep` (Jackson's bean property order is not stable across JVMs). */
function shape(value: unknown, keep: ReadonlySet<string>, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => shape(item, keep, key))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) out[k] = shape((value as Record<string, unknown>)[k], keep, k)
    return out
  }
  if (keep.has(key) || keep.has('*')) return value
  return value === null ? null : `<${typeof value}>`
}

function deepMap(value: unknown, leaf: (value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => deepMap(item, leaf))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepMap(v, leaf)]))
  }
  return leaf(value)
}

async function admin(member: EnsembleMember, command: string): Promise<unknown> {
  const response = await fetch(`http://${member.host}:${member.adminPort ?? 0}/commands/${command}`, { signal: AbortSignal.timeout(5000) })
  return JSON.parse((await response.text()).replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"')) as unknown
}

describe('ensemble members: four-letter words and AdminServer output, as Apache 3.8.0 members', () => {
  let apache: TestEnsemble
  let zoodesk: TestEnsemble
  /** srvr of every role right after the ensemble formed, before any client. */
  const fresh = new Map<TestEnsemble, Map<EnsembleRole, string>>()
  const sessions: RawConnection[] = []

  beforeAll(async () => {
    const started = await Promise.allSettled([
      startEnsemble('apache', { name: 'parity', admin: true, tickTime: 500 }),
      startEnsemble('zoodesk', { name: 'parity', admin: true, tickTime: 500 }),
    ])
    for (const s of started) if (s.status === 'fulfilled') (s.value.kind === 'apache' ? (apache = s.value) : (zoodesk = s.value))
    for (const s of started) if (s.status === 'rejected') throw s.reason
    for (const ensemble of [apache, zoodesk]) {
      const byRole = new Map<EnsembleRole, string>()
      for (const role of ROLES) {
        const member = await ensemble.member(role)
        byRole.set(role, await fourLetter(member.host, member.port, 'srvr'))
      }
      fresh.set(ensemble, byRole)
      // The same activity on both: a session through the follower with an ephemeral, a write through the leader.
      const follower = await ensemble.member('follower')
      const leader = await ensemble.member('leader')
      const { conn: a } = await rawSession(follower.connectString, { timeOut: 10_000 })
      await a.call(1, CreateRequest, { path: '/parity', data: Buffer.from('x'), acl: OPEN, flags: 0 })
      await a.call(1, CreateRequest, { path: '/parity/e', data: null, acl: OPEN, flags: 1 })
      const { conn: b } = await rawSession(leader.connectString, { timeOut: 20_000 })
      await b.call(5, SetDataRequest, { path: '/parity', data: Buffer.from('yy'), version: -1 })
      sessions.push(a, b)
    }
    // Every member has applied the five txns (two sessions, two creates, one setData).
    for (const ensemble of [apache, zoodesk]) {
      for (const m of ensemble.members) {
        const deadline = Date.now() + 10_000
        while (!/^Zxid: 0x100000005$/m.test(await fourLetter(m.host, m.port, 'srvr')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      }
    }
  }, 180_000)

  afterAll(async () => {
    for (const s of sessions) s.destroy()
    await Promise.all([apache?.stop(), zoodesk?.stop()])
  })

  /** Runs `observe` on the member of each role of both ensembles and expects ZooDesk's to equal Apache's. */
  async function sameForEachRole(observe: (member: EnsembleMember, ensemble: TestEnsemble, role: EnsembleRole) => Promise<unknown>): Promise<void> {
    for (const role of ROLES) {
      const observed = await Promise.all([apache, zoodesk].map(async (e) => observe(await e.member(role), e, role)))
      expect(observed[1], `${role}: ZooDesk differs from Apache`).toEqual(observed[0])
    }
  }

  it('srvr of a fresh ensemble: mode, zxid (0x100000000 on the leader), node count, proposal sizes', async () => {
    for (const role of ROLES) {
      // A learner synced by DIFF before the leader was established keeps 0x0; one synced later gets a SNAP at the
      // epoch's first zxid (on both kinds, depending on when it connected).
      const lines = (e: TestEnsemble): string[] =>
        (fresh.get(e)?.get(role) ?? '')
          .split('\n')
          .filter((line) => /^(Zxid|Mode|Node count|Proposal sizes|Outstanding|Connections):/.test(line))
          .map((line) => (role !== 'leader' ? line.replace(/^Zxid: 0x(0|100000000)$/, 'Zxid: 0x0 or 0x100000000') : line))
      expect(lines(zoodesk), `${role}: ZooDesk differs from Apache`).toEqual(lines(apache))
    }
    expect(fresh.get(apache)?.get('leader')).toMatch(/^Zxid: 0x100000000$/m)
  })

  it('srvr and stat after client activity: the leader adds its proposal sizes line', async () => {
    await sameForEachRole(async (m, _e, role) => {
      const lines = (await fourLetter(m.host, m.port, 'srvr')).split('\n')
      const stat = (await fourLetter(m.host, m.port, 'stat')).split('\n')
      const proposal = lines.find((line) => line.startsWith('Proposal sizes'))
      return {
        mode: lines.find((line) => line.startsWith('Mode:')),
        zxid: lines.find((line) => line.startsWith('Zxid:')),
        // Sizes too: our proposals carry the TxnDigest as Apache's do, so last/min/max match byte for byte.
        proposalLine: proposal,
        statEndsLikeSrvr: stat.slice(-(role === 'leader' ? 4 : 3)).join('\n') === lines.slice(-(role === 'leader' ? 4 : 3)).join('\n'),
      }
    })
  })

  it('mntr: peer state, observer master, quorum gauges in Apache\'s map order, learner summaries, with their values', async () => {
    await sameForEachRole(async (m) => mntrLines(await fourLetter(m.host, m.port, 'mntr')))
  })

  it('conf: initLimit, syncLimit, electionAlg, own ports, peerType, membership and version', async () => {
    await sameForEachRole(async (m, e) => {
      const names = portNames(e)
      const text = await fourLetter(m.host, m.port, 'conf')
      return names(text.slice(text.indexOf('serverId=')))
    })
  })

  it('dump: the leader lists session expiry sets, learners their global sessions with timeouts', async () => {
    await sameForEachRole(async (m, _e, role) => {
      const text = await fourLetter(m.host, m.port, 'dump')
      let sessionsPart = text.slice(0, text.indexOf('ephemeral nodes dump:'))
      // How the leader's sessions fall into expiry buckets depends on when each was touched.
      if (role === 'leader') sessionsPart = sessionsPart.split('\n').slice(0, 2).join('\n').replace(/Session Sets \(\d+\)/, 'Session Sets (<buckets>)')
      return normalize([sessionsPart.replace(/(0x[0-9a-f]{9,16})/g, 'sid=$1')])
    })
  })

  it('isro answers rw on every role', async () => {
    await sameForEachRole(async (m) => ({ isro: await fourLetter(m.host, m.port, 'isro') }))
  })

  it('AdminServer leader, voting_view, observers, zabstate, initial_configuration, dump, srvr', async () => {
    await sameForEachRole(async (m, e, role) => {
      const names = portNames(e)
      const named = (value: unknown): unknown => deepMap(value, (leaf) => (typeof leaf === 'string' ? names(leaf) : typeof leaf === 'number' ? names(String(leaf)) : leaf))
      const srvr = (await admin(m, 'srvr')) as Record<string, unknown>
      const dump = (await admin(m, 'dump')) as { expiry_time_to_session_ids?: Record<string, unknown> }
      return {
        leader: named(await admin(m, 'leader')),
        votingView: named(await admin(m, 'voting_view')),
        observers: shape(await admin(m, 'observers'), new Set(['synced_observers', 'sid', 'command', 'error'])),
        zabstate: named(shape(await admin(m, 'zabstate'), new Set(['*']))),
        initialConfiguration: await admin(m, 'initial_configuration'),
        srvrKeys: Object.keys(srvr),
        proposalStats: shape(srvr['proposal_stats'] ?? null, new Set()),
        // How many buckets the leader's sessions fall in depends on where the tick boundaries lie: only whether there
        // are any is compared.
        dumpExpiryBuckets: role === 'leader' ? Object.keys(dump.expiry_time_to_session_ids ?? {}).length > 0 : dump.expiry_time_to_session_ids,
      }
    })
  })
})
