// Dynamic reconfiguration (reference §6.11), differential: the same scenario on a 3+1 Apache ZooKeeper 3.8 ensemble
// and a 3+1 ZooDesk ensemble, both with reconfigEnabled=true and a super digest (the /zookeeper/config ACL is
// read-only for everyone else). Every observation (reconfig replies, error codes, getConfig data and stat on every
// member, conf's membership, roles, data written after each step, a member restarted after reconfigs) must be the same.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZooKeeperClient } from '../../../engine/client/client'
import { KeeperException } from '../../../engine/client/errors'
import type { Stat } from '../../../engine/proto'
import { type EnsembleMember, type TestEnsemble, compatTopology, startEnsemble } from '../harness/ensemble'
import { fourLetter, freePort, startApache, startZooDesk } from '../harness/servers'
import type { ServerKind, TestServer } from '../harness/servers'
import { until } from '../../support/until'

/** base64(sha1("super:secret")). */
const SUPER_DIGEST = 'super:lK75jTNcA+U9vtVEw5vB51mj/w4='
const TIMEOUT_MS = 240_000

type Observation = Record<string, unknown>

async function connect(member: EnsembleMember | string, superUser = true): Promise<ZooKeeperClient> {
  const client = await ZooKeeperClient.connect(typeof member === 'string' ? member : member.connectString, { sessionTimeoutMs: 10_000 })
  if (superUser) await client.addAuth('digest', 'super:secret')
  return client
}

/** A Stat without its wall-clock fields (each server stamps mtime itself). */
function statShape(stat: Stat): Record<string, unknown> {
  return { czxid: stat.czxid, mzxid: stat.mzxid, pzxid: stat.pzxid, version: stat.version, cversion: stat.cversion, aversion: stat.aversion, dataLength: stat.dataLength }
}

/** Ports differ between the two ensembles: name them by role (q1 = quorum port of sid 1, …). */
function portNames(ensemble: TestEnsemble): (text: string) => string {
  const names = new Map<string, string>()
  for (const m of ensemble.members) {
    names.set(String(m.quorumPort), `q${m.id}`)
    names.set(String(m.electionPort), `e${m.id}`)
    names.set(String(m.port), `c${m.id}`)
  }
  return (text) => text.replace(/\b\d{4,5}\b/g, (port) => names.get(port) ?? port)
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    if (error instanceof KeeperException) return error.codeName
    throw error
  }
}

function serverLine(member: EnsembleMember, role: 'participant' | 'observer'): string {
  return `server.${member.id}=127.0.0.1:${member.quorumPort}:${member.electionPort}:${role};127.0.0.1:${member.port}`
}


/** Each member's view: getConfig (data + stat shape) and conf's membership, once every member has `version`. */
async function views(ensemble: TestEnsemble, version: string, names: (text: string) => string): Promise<Observation> {
  const out: Observation = {}
  for (const m of ensemble.members) {
    const client = await connect(m, false)
    try {
      const config = await until(
        `member ${m.id} at ${version}`,
        async () => {
          await client.sync('/zookeeper/config')
          return client.getConfig()
        },
        (result) => result.data?.toString().endsWith(`version=${version}`) === true,
      )
      const conf = await fourLetter(m.host, m.port, 'conf')
      out[`member${m.id}`] = {
        config: names(config.data!.toString()),
        stat: statShape(config.stat),
        conf: names(conf.slice(conf.indexOf('membership:'))),
        peerType: /peerType=(\d)/.exec(conf)?.[1],
      }
    } finally {
      await client.close()
    }
  }
  return out
}

/** A write through the leader after a step, then read on every member (sync first): the data must be everywhere. */
async function writeAndReadEverywhere(ensemble: TestEnsemble, leader: EnsembleMember, path: string): Promise<string[]> {
  const client = await connect(leader)
  try {
    await client.create(path, Buffer.from(path))
  } finally {
    await client.close()
  }
  const seen: string[] = []
  for (const m of ensemble.members) {
    const reader = await connect(m, false)
    try {
      await reader.sync(path)
      seen.push(`${m.id}:${(await reader.getData(path)).data?.toString()}`)
    } finally {
      await reader.close()
    }
  }
  return seen
}

async function modesOf(ensemble: TestEnsemble, expected: Record<number, string>): Promise<Record<number, string>> {
  const modes = await until(
    `modes ${JSON.stringify(expected)}`,
    async () => Object.fromEntries(await ensemble.modes()),
    (m) => Object.entries(expected).every(([id, mode]) => m[Number(id)] === mode),
  )
  return modes
}

/**
 * Each member's config files: which exist (zoo.cfg, its .bak, one zoo.cfg.dynamic.<version> per activation), the
 * newest dynamic file's text, and the static file's keys (Apache writes them in hash order) with the
 * dynamicConfigFile it points at.
 */
function configFiles(ensemble: TestEnsemble, names: (text: string) => string): Observation {
  const out: Observation = {}
  for (const m of ensemble.members) {
    const files = readdirSync(m.dir).filter((name) => name.startsWith('zoo.cfg')).sort()
    const dynamic = files.filter((name) => /\.dynamic\.[0-9a-f]+$/.test(name))
    const newest = dynamic.sort((a, b) => (BigInt(`0x${a.split('.').pop()!}`) < BigInt(`0x${b.split('.').pop()!}`) ? -1 : 1)).at(-1)
    const staticText = readFileSync(m.configFile, 'utf8')
    const keys = staticText
      .split('\n')
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => line.slice(0, line.indexOf('=')).trim())
      .sort()
    out[`member${m.id}`] = {
      files,
      newest: newest === undefined ? null : names(readFileSync(join(m.dir, newest), 'utf8')),
      staticKeys: keys,
      pointsAt: /^dynamicConfigFile=(.*)$/m.exec(staticText)?.[1]?.replace(m.dir, '<dir>') ?? null,
    }
  }
  return out
}

/** The role whose member the checks go through: ZOODESK_COMPAT_TOPOLOGY, the leader when standalone. */
function topologyRole(): 'leader' | 'follower' | 'observer' {
  const topology = compatTopology()
  return topology === 'standalone' ? 'leader' : topology
}

/** Joiners started by the scenarios (stopped after all). */
const joiners: { server: TestServer; ports: number[] }[] = []

/** Server 5 of the same kind, its zoo.cfg listing the ensemble as it was started and itself as a participant. */
async function startJoiner(ensemble: TestEnsemble): Promise<{ server: TestServer; ports: number[] }> {
  const ports = [await freePort(), await freePort(), await freePort()]
  const config: Record<string, string | number> = { initLimit: 10, syncLimit: 5, reconfigEnabled: 'true' }
  for (const m of ensemble.members) config[`server.${m.id}`] = `127.0.0.1:${m.quorumPort}:${m.electionPort}${m.peerType === 'observer' ? ':observer' : ''}`
  config['server.5'] = `127.0.0.1:${ports[1]}:${ports[2]}`
  const start = ensemble.kind === 'apache' ? startApache : startZooDesk
  const server = await start({
    name: `reconfig-${ensemble.kind}-joiner`,
    tickTime: 500,
    config,
    myId: 5,
    port: ports[0]!,
    systemProperties: { 'zookeeper.DigestAuthenticationProvider.superDigest': SUPER_DIGEST },
    startTimeoutMs: 90_000,
    readyWhenListening: ports[2]!,
  })
  return { server, ports }
}

/** The scenario; returns everything observed, with ports named. */
async function scenario(ensemble: TestEnsemble): Promise<Observation> {
  const names = portNames(ensemble)
  const [m1, m2, m3, m4] = ensemble.members.slice().sort((a, b) => a.id - b.id) as [EnsembleMember, EnsembleMember, EnsembleMember, EnsembleMember]
  const observed: Observation = {}
  const admin = await connect(m3)
  const hex = (version: bigint): string => version.toString(16)
  try {
    const initial = await admin.getConfig()
    const v0 = /version=(\w+)$/.exec(initial.data!.toString())![1]!
    observed['initial'] = await views(ensemble, v0, names)

    // Errors, each in Apache's precedence order, sent through the member of this run's topology (the leader when
    // standalone): a follower or an observer forwards the reconfig to the leader, whose prep answers.
    const via = await ensemble.member(topologyRole())
    const anonymous = await connect(via, false)
    observed['noauth'] = await errorOf(anonymous.reconfig({ leaving: '1' }))
    await anonymous.close()
    const checker = await connect(via)
    try {
      observed['badversion'] = await errorOf(checker.reconfig({ leaving: '1', fromConfig: 0x12345n }))
      observed['badJoiner'] = await errorOf(checker.reconfig({ joining: 'server.9=nonsense' }))
      observed['joinerWithoutClientPort'] = await errorOf(checker.reconfig({ joining: `server.9=127.0.0.1:1:2:participant` }))
      observed['notANumber'] = await errorOf(checker.reconfig({ leaving: 'abc' }))
      observed['oneVoter'] = await errorOf(checker.reconfig({ newMembers: serverLine(m1, 'participant') }))
      observed['noSyncedQuorum'] = await errorOf(
        checker.reconfig({ newMembers: [serverLine(m1, 'participant'), 'server.7=127.0.0.1:1:2:participant;3', 'server.8=127.0.0.1:4:5:participant;6'].join(',') }),
      )
      observed['unknownKey'] = await errorOf(checker.reconfig({ newMembers: `${serverLine(m1, 'participant')},${serverLine(m2, 'participant')},tickTime=3` }))
      observed['afterErrors'] = names((await checker.getConfig()).data!.toString())
    } finally {
      await checker.close()
    }

    // 1. Remove follower 1.
    const removed = await admin.reconfig({ leaving: '1' })
    const v1 = hex(removed.stat.mzxid)
    observed['remove'] = { data: names(removed.data!.toString()), stat: statShape(removed.stat) }
    observed['removeViews'] = await views(ensemble, v1, names)
    observed['removeModes'] = await modesOf(ensemble, { 2: 'follower', 3: 'leader', 4: 'observer' })
    observed['removeData'] = await writeAndReadEverywhere(ensemble, m3, '/after-remove')

    // 2. Add it back, with the version check.
    const added = await admin.reconfig({ joining: serverLine(m1, 'participant'), fromConfig: removed.stat.mzxid })
    const v2 = hex(added.stat.mzxid)
    observed['add'] = { data: names(added.data!.toString()), stat: statShape(added.stat) }
    observed['addViews'] = await views(ensemble, v2, names)
    observed['addModes'] = await modesOf(ensemble, { 1: 'follower', 2: 'follower', 3: 'leader', 4: 'observer' })
    observed['addData'] = await writeAndReadEverywhere(ensemble, m3, '/after-add')

    // 3. The observer becomes a participant, and back.
    const promoted = await admin.reconfig({ joining: serverLine(m4, 'participant') })
    observed['promote'] = { data: names(promoted.data!.toString()), stat: statShape(promoted.stat) }
    observed['promoteViews'] = await views(ensemble, hex(promoted.stat.mzxid), names)
    observed['promoteModes'] = await modesOf(ensemble, { 1: 'follower', 2: 'follower', 3: 'leader', 4: 'follower' })
    observed['promoteData'] = await writeAndReadEverywhere(ensemble, m3, '/after-promote')
    const demoted = await admin.reconfig({ joining: serverLine(m4, 'observer') })
    observed['demote'] = { data: names(demoted.data!.toString()), stat: statShape(demoted.stat) }
    observed['demoteViews'] = await views(ensemble, hex(demoted.stat.mzxid), names)
    observed['demoteModes'] = await modesOf(ensemble, { 1: 'follower', 2: 'follower', 3: 'leader', 4: 'observer' })
    observed['demoteData'] = await writeAndReadEverywhere(ensemble, m3, '/after-demote')

    // 4. Nothing to change: a new version all the same.
    const same = await admin.reconfig({})
    observed['noChange'] = { data: names(same.data!.toString()), stat: statShape(same.stat) }
    const vLast = hex(same.stat.mzxid)
    observed['noChangeViews'] = await views(ensemble, vLast, names)

    // 5. A follower restarted after the reconfigs comes back with the new membership.
    await m2.restart()
    observed['restartModes'] = await modesOf(ensemble, { 1: 'follower', 2: 'follower', 3: 'leader', 4: 'observer' })
    observed['restartViews'] = await views(ensemble, vLast, names)
    observed['restartData'] = await writeAndReadEverywhere(ensemble, m3, '/after-restart')
    observed['files'] = configFiles(ensemble, names)

    // 6. A joiner: server 5, started with the ensemble's lines and its own, syncs as a non-voting follower; -add makes
    // it a voter. It then holds the data and serves the configuration like everyone.
    const joiner = await startJoiner(ensemble)
    joiners.push(joiner)
    const joinerNames = (text: string): string => names(text).replace(new RegExp(`\\b(${joiner.ports.join('|')})\\b`, 'g'), (port) => `j${joiner.ports.indexOf(Number(port))}`)
    observed['joinerModes'] = await modesOf(ensemble, { 1: 'follower', 2: 'follower', 3: 'leader', 4: 'observer' })
    observed['joinerMode'] = await until('joiner following', () => fourLetter(joiner.server.host, joiner.server.port, 'srvr'), (srvr) => /Mode: follower/.test(srvr)).then(() => 'follower')
    const joined = await admin.reconfig({ joining: `server.5=127.0.0.1:${joiner.ports[1]}:${joiner.ports[2]}:participant;127.0.0.1:${joiner.ports[0]}` })
    observed['join'] = { data: joinerNames(joined.data!.toString()), stat: statShape(joined.stat) }
    const vJoin = hex(joined.stat.mzxid)
    const joinViews = await views(ensemble, vJoin, joinerNames)
    observed['joinViews'] = joinViews
    observed['joinData'] = await writeAndReadEverywhere(ensemble, m3, '/after-join')
    const joinerClient = await connect(joiner.server.connectString, false)
    try {
      await joinerClient.sync('/after-join')
      const config = await joinerClient.getConfig()
      observed['joinerView'] = { config: joinerNames(config.data!.toString()), stat: statShape(config.stat), data: (await joinerClient.getData('/after-join')).data?.toString() }
    } finally {
      await joinerClient.close()
    }
    const joinerConf = await fourLetter(joiner.server.host, joiner.server.port, 'conf')
    observed['joinerConf'] = joinerNames(joinerConf.slice(joinerConf.indexOf('membership:')))
    observed['joinerPeerType'] = /peerType=(\d)/.exec(joinerConf)?.[1]

    // 7. Two reconfigs pipelined on one connection (to the member of this run's topology): the second finds the
    // first in progress.
    const pipeliner = await connect(await ensemble.member(topologyRole()))
    try {
      const [first, second] = await Promise.all([errorOf(pipeliner.reconfig({})), errorOf(pipeliner.reconfig({}))])
      observed['pipelined'] = [first, second]
    } finally {
      await pipeliner.close()
    }

    // 8. The whole ensemble (joiner included) crashes and restarts: each member comes back from its own files with
    // the last activated configuration (no version bump: it is not the static one any more), and the data.
    const before = (await admin.getConfig()).data!.toString()
    const vBefore = /version=(\w+)$/.exec(before)![1]!
    // Every member has activated it first (a learner killed before its COMMITANDACTIVATE would restart with the
    // previous configuration, legitimately, and the roles would then depend on timing).
    observed['beforeFullRestart'] = await views(ensemble, vBefore, joinerNames)
    const joinerAtVersion = await connect(joiner.server.connectString, false)
    try {
      await until('joiner at the last version', () => joinerAtVersion.getConfig(), (r) => r.data?.toString().endsWith(`version=${vBefore}`) === true)
    } finally {
      await joinerAtVersion.close()
    }
    await Promise.all([...ensemble.members.map((m) => m.kill9()), joiner.server.kill9()])
    await Promise.all([...ensemble.members.map((m) => m.restart()), joiner.server.restart()])
    // Which voter (1, 2, 3 or 5) wins depends on start-up timing, for Apache too: one leads, the others follow.
    const restartedModes = await until(
      'one leader among the voters after the full restart',
      async () => {
        const modes = Object.fromEntries(await ensemble.modes())
        modes[5] = /Mode: (\w+)/.exec(await fourLetter(joiner.server.host, joiner.server.port, 'srvr'))?.[1] ?? 'not serving'
        return modes
      },
      (modes) => modes[4] === 'observer' && [1, 2, 3, 5].filter((id) => modes[id] === 'leader').length === 1 && [1, 2, 3, 5].filter((id) => modes[id] === 'follower').length === 3,
    )
    observed['fullRestartRoles'] = Object.values(restartedModes).sort()
    observed['fullRestartViews'] = await views(ensemble, vBefore, joinerNames)
    observed['fullRestartData'] = await writeAndReadEverywhere(ensemble, m3, '/after-full-restart')
  } finally {
    await admin.close()
  }
  return observed
}

describe('dynamic reconfiguration, Apache vs ZooDesk (3 voters + 1 observer)', () => {
  const ensembles = new Map<ServerKind, TestEnsemble>()
  const results = new Map<ServerKind, Observation>()

  beforeAll(async () => {
    for (const kind of ['apache', 'zoodesk'] as const) {
      ensembles.set(
        kind,
        await startEnsemble(kind, {
          name: `reconfig-${kind}`,
          tickTime: 500,
          config: { reconfigEnabled: 'true' },
          systemProperties: { 'zookeeper.DigestAuthenticationProvider.superDigest': SUPER_DIGEST },
        }),
      )
    }
  }, TIMEOUT_MS)

  afterAll(async () => {
    await Promise.all([...ensembles.values()].map((e) => e.stop()))
    await Promise.all(joiners.map((j) => j.server.stop()))
  })

  it('Apache', async () => {
    results.set('apache', await scenario(ensembles.get('apache')!))
  }, TIMEOUT_MS)

  it('ZooDesk', async () => {
    results.set('zoodesk', await scenario(ensembles.get('zoodesk')!))
  }, TIMEOUT_MS)

  it('observes the same', () => {
    const apache = results.get('apache')
    const zoodesk = results.get('zoodesk')
    expect(apache).toBeDefined()
    if (process.env['ZOODESK_RECONFIG_DUMP'] !== undefined) {
      console.log(JSON.stringify({ apache, zoodesk }, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 1))
    }
    expect(zoodesk).toEqual(apache)
  })
})
