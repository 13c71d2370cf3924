import { OpCode } from '../../engine/proto'
import type { QuorumPeerOptions } from '../../engine/quorum/peer/quorum-peer'
import { MajorityQuorum } from '../../engine/quorum/quorum-verifier'
import type { ForwardedRequest } from '../../engine/quorum/wire/learner-payloads'
import { decodeProposalData, type Proposal } from '../../engine/quorum/wire/proposal-data'
import { isEpochStart } from '../../engine/quorum/zxid'
import { Checker } from './checker'
import { type ClientCheckStats, checkClientHistory } from './client-checks'
import { ClientHistory } from './client-history'
import { ClientConnection, type ClientEnd, type ClientOp, type ConnectAsk } from './client-protocol'
import { EventQueue } from './event-queue'
import { Prng } from './prng'
import { SimClient, type ClientWorld } from './sim-client'
import { HEALTHY_DISK } from './sim-disk'
import { SimMember, type World } from './sim-member'
import { SimNetwork } from './sim-network'
import type { Sabotage } from './sim-server'
import type { TreeEntry } from './sim-tree'

/** The shape of one run; everything not given is drawn from the seed. */
export interface SimulationOptions {
  voters?: number
  observers?: number
  /** How long faults are injected. */
  chaosMs?: number
  /** After healing: how long the ensemble has to recover, elect, sync and commit (the liveness bound). */
  recoveryMs?: number
  /** Fault events per simulated second during the chaos phase. */
  faultsPerSecond?: number
  clients?: number
  /** A deliberate bug in the hosts, to prove the checks catch it. */
  sabotage?: Sabotage
  /** Hold synced reads answered by a deposed leader to linearizability too (see ClientCheckInput.strictSync). */
  strictSync?: boolean
}

export interface SimulationResult {
  seed: number
  violations: string[]
  description: string
  stats: {
    simulatedMs: number
    events: number
    messages: number
    committed: number
    acknowledgedWrites: number
    establishedLeaders: number
    recoveryMs: number | null
    clients: ClientCheckStats & { sessions: number; timeouts: number }
  }
  /** The faults, the last trace lines of every member and the last client operations (for a failing seed). */
  trace(): string
}

const TICK_TIME_MS = 200
const QUIESCE_MS = 2_000
/** Clients keep working this long after the ensemble recovered, then stop. */
const WORKLOAD_AFTER_RECOVERY_MS = 3_000
/** After the clients stop, every session must expire: the longest timeout (20 ticks), a tick of bucket, slack. */
const SESSION_DRAIN_MS = 20 * TICK_TIME_MS + 3 * TICK_TIME_MS
/** A run that needs more events than this is stuck in a loop. */
const EVENT_BUDGET = 2_000_000
const KEYS_MAX = 6
const LOCKS = ['/lock0', '/lock1']

/** Runs one seeded scenario: random membership, client workload and faults, then heal and demand recovery. */
export function runSimulation(seed: number, options: SimulationOptions = {}): SimulationResult {
  const random = new Prng(seed)
  const faultRandom = random.fork(1)
  const voters = options.voters ?? random.pick([1, 2, 3, 3, 3, 4, 5, 5, 7])
  const observers = options.observers ?? random.pick([0, 0, 0, 1, 2])
  const chaosMs = options.chaosMs ?? random.int(4_000, 10_000)
  const recoveryMs = options.recoveryMs ?? 20_000
  const faultsPerSecond = options.faultsPerSecond ?? 0.3 + random.float() * 1.2
  const ids = Array.from({ length: voters + observers }, (_, i) => i + 1)
  const voterIds = ids.slice(0, voters)
  const observerIds = ids.slice(voters)
  const quorum = new MajorityQuorum(voterIds, observerIds)
  const membershipText = ids
    .map((id) => `server.${id}=10.0.0.${id}:2888:3888:${quorum.isVoter(id) ? 'participant' : 'observer'};0.0.0.0:2181\n`)
    .join('')

  const queue = new EventQueue()
  const checker = new Checker(() => queue.nowMs)
  const members = new Map<number, SimMember>()
  const member = (id: number): SimMember => members.get(id)!
  const entryCache = new Map<bigint, { data: Buffer; entry: TreeEntry }>()
  const closeSessionPreparedMs = new Map<number, number>()
  const delayRandom = random.fork(4)
  let nextTxnId = 0
  let nextSessionSeq = 0

  const network: SimNetwork = new SimNetwork(queue, random.fork(2), {
    isUp: (id) => member(id).up,
    incarnation: (id) => member(id).incarnation,
    isListening: (id) => member(id).peer?.leader?.phase !== undefined && member(id).peer?.leader?.phase !== 'shutdown',
    notification: (to, from, notification) => member(to).input({ kind: 'notification', from, notification }),
    leaderConnected: (learner, attempt, connection) => member(learner).leaderConnected(attempt, connection),
    leaderConnectFailed: (learner, attempt) => member(learner).input({ kind: 'leaderConnectFailed', attempt }),
    leaderDisconnected: (learner, attempt) => member(learner).input({ kind: 'leaderDisconnected', attempt }),
    fromLeader: (learner, attempt, packet, snapshot) => member(learner).input({ kind: 'fromLeader', attempt, packet, snapshot }),
    learnerConnected: (leader, connection) => member(leader).input({ kind: 'learnerConnected', connection }),
    learnerDisconnected: (leader, connection) => member(leader).input({ kind: 'learnerDisconnected', connection }),
    fromLearner: (leader, connection, packet) => member(leader).input({ kind: 'fromLearner', connection, packet }),
  })
  network.faults = {
    delayMs: [0.1 + random.float(), 1 + random.float() * 6],
    electionLoss: random.chance(0.5) ? random.float() * 0.2 : 0,
    electionDuplicate: random.chance(0.5) ? random.float() * 0.1 : 0,
  }
  const clientDelayMs = (): number => {
    const [minMs, maxMs] = network.faults.delayMs
    return minMs + delayRandom.float() * (maxMs - minMs)
  }

  let healed = false
  const world: World = {
    sabotage: options.sabotage ?? null,
    queue,
    network,
    checker,
    tickTimeMs: TICK_TIME_MS,
    peerOptions: (id): QuorumPeerOptions => ({
      myId: id,
      quorum,
      timing: { tickTimeMs: TICK_TIME_MS, initLimitTicks: 10, syncLimitTicks: 5, connectToLeaderLimitTicks: 10 },
      election: { maxNotificationIntervalMs: 3_200 },
      membershipText,
    }),
    decodeEntry: (proposal: Proposal): TreeEntry => {
      // Every member receives its own copy of the bytes: decode each distinct txn once, and compare the bytes
      // (a copy that differs from what was decoded for that zxid is decoded on its own).
      const cached = entryCache.get(proposal.zxid)
      if (cached !== undefined && (cached.data === proposal.data || cached.data.equals(proposal.data))) return cached.entry
      const { txn } = decodeProposalData(proposal.data)
      if (txn.header.zxid !== proposal.zxid) throw new Error('simulated txn did not survive its codecs')
      const entry: TreeEntry = { zxid: proposal.zxid, id: txn.header.time, txn }
      entryCache.set(proposal.zxid, { data: proposal.data, entry })
      return entry
    },
    learnerRequest: (leader, connection, learner, request: ForwardedRequest) => {
      const incarnation = leader.incarnation
      queue.after(0.05, () =>
        leader.whenRunning(() => {
          const role = leader.peer?.leader
          if (leader.incarnation !== incarnation || role == null || !role.established || leader.leaderHost === null) return
          if (request.type === OpCode.sync) {
            // Every txn the leader logged before the sync must be applied by the learner when SYNC arrives. After a
            // SNAP its last logged zxid is the snapshot's, an epoch start that no txn carries (Apache names the
            // snapshot after the leader's lastProcessedZxid): then its last txn is the last one in its tree.
            const logged = leader.peer!.db.lastLoggedZxid
            const required = isEpochStart(logged) ? leader.tree.lastZxid : logged
            members.get(learner)?.expectSync(connection, required, leader.isNewestLeader)
            leader.input({ kind: 'sync', connection })
          } else {
            leader.leaderHost.prepare(request, leader.localNowMs())
          }
        }),
      )
    },
    memberHalted: (halted, reason) => {
      halted.crash(`halted: ${reason}`)
      const restartAt = healed ? 50 : faultRandom.int(200, 2_000)
      queue.after(restartAt, () => halted.start())
    },
    nextTxnId: () => ++nextTxnId,
    closeSessionPrepared: (txnId) => closeSessionPreparedMs.set(txnId, queue.nowMs),
    clientDelayMs,
    newSessionId: (memberId) => (BigInt(memberId) << 56n) | BigInt(++nextSessionSeq),
  }

  for (const id of ids) members.set(id, new SimMember(id, world, random.fork(100 + id)))

  // ---- clients ------------------------------------------------------------------------------------------------

  const workloadRandom = random.fork(3)
  const history = new ClientHistory()
  let nextConnection = 0
  const clientWorld: ClientWorld = {
    queue,
    history,
    memberIds: ids,
    keys: Array.from({ length: workloadRandom.int(2, KEYS_MAX) }, (_, i) => `/k${i}`),
    locks: LOCKS,
    connect: (memberId: number, end: ClientEnd, ask: ConnectAsk) => {
      const target = member(memberId)
      const connection = new ClientConnection(++nextConnection, memberId, target.incarnation, end)
      toMember(connection, () => target.server.connect(connection, ask))
      return connection
    },
    send: (connection: ClientConnection, cxid: number, op: ClientOp) => toMember(connection, () => member(connection.memberId).server.request(connection, cxid, op)),
    hangUp: (connection: ClientConnection) => toMember(connection, () => member(connection.memberId).server.disconnect(connection), false),
  }
  /** Client → member, FIFO; a member process that is gone answers with a reset. */
  function toMember(connection: ClientConnection, action: () => void, resetIfGone = true): void {
    const atMs = Math.max(queue.nowMs + clientDelayMs(), connection.lastToMemberMs)
    connection.lastToMemberMs = atMs
    queue.at(atMs, () => {
      const target = member(connection.memberId)
      if (target.up && target.incarnation === connection.memberIncarnation) return target.whenRunning(action)
      if (!resetIfGone || !connection.open) return
      connection.open = false
      queue.after(clientDelayMs(), () => connection.end.closed('refused'))
    })
  }
  const clientCount = options.clients ?? workloadRandom.int(2, 6)
  const thinkMinMs = workloadRandom.int(5, 30)
  const clients = Array.from(
    { length: clientCount },
    (_, index) =>
      new SimClient(index + 1, clientWorld, workloadRandom.fork(10 + index), {
        readShare: workloadRandom.pick([0.2, 0.4, 0.4, 0.9]),
        thinkMs: [thinkMinMs, thinkMinMs + workloadRandom.int(10, 80)],
        sessionTimeoutMs: workloadRandom.int(1_200, 4_000),
      }),
  )
  let workloadStoppedMs: number | null = null
  /** Where the run ends: the recovery bound, or once the stopped clients' sessions had time to expire. */
  let endMs = Number.POSITIVE_INFINITY

  // ---- faults -------------------------------------------------------------------------------------------------

  const faultLog: string[] = []
  function fault(description: string, action: () => void): void {
    faultLog.push(`${queue.nowMs.toFixed(1).padStart(9)} ${description}`)
    action()
  }
  function healLater(minMs: number, maxMs: number, action: () => void): void {
    queue.after(faultRandom.int(minMs, maxMs), () => {
      if (!healed) action()
    })
  }
  function injectFault(): void {
    const m = member(faultRandom.pick(ids))
    switch (faultRandom.int(0, 15)) {
      case 0:
      case 1:
        fault(`crash ${m.id}`, () => m.crash('crash'))
        healLater(100, 3_000, () => fault(`restart ${m.id}`, () => m.start()))
        return
      case 2: {
        const side = faultRandom.subset(ids)
        if (side.length === 0 || side.length === ids.length) return
        const other = ids.filter((id) => !side.includes(id))
        const oneWay = faultRandom.chance(0.3)
        fault(`partition [${side}] ${oneWay ? '->|' : '|'} [${other}]`, () => {
          for (const a of side) for (const b of other) {
            network.block(a, b)
            if (!oneWay) network.block(b, a)
          }
        })
        healLater(300, 4_000, () =>
          fault(`heal [${side}] / [${other}]`, () => {
            for (const a of side) for (const b of other) {
              network.heal(a, b)
              network.heal(b, a)
            }
          }),
        )
        return
      }
      case 3: {
        fault(`isolate ${m.id}`, () => {
          for (const other of ids) if (other !== m.id) {
            network.block(m.id, other)
            network.block(other, m.id)
          }
        })
        healLater(300, 3_000, () =>
          fault(`reconnect ${m.id}`, () => {
            for (const other of ids) if (other !== m.id) {
              network.heal(m.id, other)
              network.heal(other, m.id)
            }
          }),
        )
        return
      }
      case 4:
        fault(`pause ${m.id}`, () => m.pause(queue.nowMs + faultRandom.int(50, 2_500)))
        return
      case 5:
        fault(`slow disk ${m.id}`, () => (m.disk.faults = { slowProbability: 0.2 + faultRandom.float() * 0.6, slowMs: [20, 1_500], failProbability: 0 }))
        healLater(500, 4_000, () => fault(`disk ok ${m.id}`, () => (m.disk.faults = HEALTHY_DISK)))
        return
      case 6:
        fault(`failing disk ${m.id}`, () => (m.disk.faults = { slowProbability: 0, slowMs: [0, 0], failProbability: 0.2 }))
        healLater(100, 1_000, () => fault(`disk ok ${m.id}`, () => (m.disk.faults = HEALTHY_DISK)))
        return
      case 7:
        fault(`crash+restart ${m.id}`, () => m.crash('kill -9'))
        queue.after(faultRandom.int(1, 50), () => m.start())
        return
      case 9: {
        // Power loss: a majority (sometimes everyone) dies at once, losing whatever was not fsynced.
        const victims = faultRandom.chance(0.3) ? ids : faultRandom.shuffle(ids).slice(0, Math.floor(ids.length / 2) + 1)
        fault(`power loss [${victims}]`, () => {
          for (const id of victims) member(id).crash('power loss')
        })
        for (const id of victims) healLater(50, 2_000, () => fault(`restart ${id}`, () => member(id).start()))
        return
      }
      case 10: {
        // The leader is cut off while a majority of the others lose power with slow disks: whatever they ACKed
        // without having it on disk is gone, and the leader that has it is not there to bring it back.
        const leader = [...members.values()].find((candidate) => candidate.isEstablishedLeader)
        if (leader === undefined) return
        const others = ids.filter((id) => id !== leader.id)
        const victims = faultRandom.shuffle(others).slice(0, Math.floor(ids.length / 2) + 1)
        for (const id of victims) member(id).disk.faults = { slowProbability: 0.8, slowMs: [20, 400], failProbability: 0 }
        queue.after(faultRandom.int(50, 600), () => {
          if (healed) return
          fault(`isolate leader ${leader.id}, power loss [${victims}]`, () => {
            for (const other of others) {
              network.block(leader.id, other)
              network.block(other, leader.id)
            }
            for (const id of victims) member(id).crash('power loss')
          })
          for (const id of victims) {
            healLater(20, 500, () => {
              member(id).disk.faults = HEALTHY_DISK
              fault(`restart ${id}`, () => member(id).start())
            })
          }
          healLater(1_000, 5_000, () =>
            fault(`reconnect ${leader.id}`, () => {
              for (const other of others) {
                network.heal(leader.id, other)
                network.heal(other, leader.id)
              }
            }),
          )
        })
        return
      }
      case 8: {
        const leader = [...members.values()].find((candidate) => candidate.isEstablishedLeader)
        if (leader === undefined) return
        fault(`crash leader ${leader.id}`, () => leader.crash('crash leader'))
        healLater(100, 3_000, () => fault(`restart ${leader.id}`, () => leader.start()))
        return
      }
      case 11: {
        // The clock leaps ahead: every timer of the member fires early (sessions expire, peers look dead).
        const jumpMs = faultRandom.int(200, 4_000)
        fault(`clock of ${m.id} leaps ${jumpMs} ms ahead`, () => {
          m.clock.leap(jumpMs)
          m.clockChanged(`leapt ${jumpMs} ms`)
        })
        return
      }
      case 12: {
        // A clock stepped back, held monotonic: it stands still, and every timer of the member fires late.
        const standMs = faultRandom.int(200, 3_000)
        fault(`clock of ${m.id} stands still for ${standMs} ms`, () => {
          m.clock.standStill(standMs)
          m.clockChanged(`stands still ${standMs} ms`)
        })
        return
      }
      case 14:
      case 15: {
        // A slow link from the leader: that learner lags behind (its plain reads get stale) but keeps serving.
        const leader = [...members.values()].find((candidate) => candidate.isEstablishedLeader)
        if (leader === undefined || leader.id === m.id) return
        const extraMs = faultRandom.int(50, 900)
        fault(`slow link ${leader.id} -> ${m.id} (+${extraMs} ms)`, () => network.slowLink(leader.id, m.id, extraMs))
        healLater(500, 4_000, () => fault(`link ${leader.id} -> ${m.id} ok`, () => network.slowLink(leader.id, m.id, 0)))
        return
      }
      case 13: {
        const rate = faultRandom.chance(0.5) ? 0.5 + faultRandom.float() * 0.4 : 1.2 + faultRandom.float() * 0.8
        fault(`clock of ${m.id} runs at ${rate.toFixed(2)}x`, () => {
          m.clock.setRate(rate)
          m.clockChanged(`rate ${rate.toFixed(2)}`)
        })
        healLater(500, 4_000, () =>
          fault(`clock of ${m.id} back to 1x`, () => {
            m.clock.resync()
            m.clockChanged('resync')
          }),
        )
        return
      }
    }
  }
  function scheduleFaults(): void {
    let atMs = 500
    for (;;) {
      atMs += (1_000 / faultsPerSecond) * (0.2 + 1.6 * faultRandom.float())
      if (atMs >= chaosMs) return
      queue.at(atMs, injectFault)
    }
  }

  // ---- the run ------------------------------------------------------------------------------------------------

  for (const id of ids) queue.at(random.int(0, 300), () => member(id).start())
  for (const client of clients) queue.at(50, () => client.start())
  scheduleFaults()
  let events = 0
  const run = (untilMs: number): boolean => {
    try {
      events += queue.runUntil(untilMs, EVENT_BUDGET - events)
      return true
    } catch (error) {
      checker.violations.push(`t=${queue.nowMs.toFixed(1)}ms exception: ${(error as Error).stack ?? String(error)}`)
      return false
    }
  }
  let completed = run(chaosMs)

  healed = true
  fault('heal everything', () => {
    network.healAll()
    network.faults = { ...network.faults, electionLoss: Math.min(network.faults.electionLoss, 0.05) }
    for (const m of members.values()) {
      m.disk.faults = HEALTHY_DISK
      if (m.clock.drifting) {
        m.clock.resync()
        m.clockChanged('resync')
      }
      if (!m.up) m.start()
    }
  })
  const committedAtHeal = checker.canon.length
  let recoveredAtMs: number | null = null
  const watchRecovery = (): void => {
    const all = [...members.values()]
    const leader = all.find((m) => m.isEstablishedLeader)
    if (leader !== undefined && all.every((m) => m.up && m.servingEpoch === leader.servingEpoch) && checker.canon.length > committedAtHeal) {
      recoveredAtMs = queue.nowMs - chaosMs
      queue.after(WORKLOAD_AFTER_RECOVERY_MS, stopWorkload)
      return
    }
    queue.after(50, watchRecovery)
  }
  watchRecovery()
  const recoveryEndMs = chaosMs + recoveryMs
  queue.at(recoveryEndMs - QUIESCE_MS, stopWorkload)
  /**
   * The clients stop 3 s after the ensemble recovered (at the latest, just before the recovery bound), and the run
   * ends once their sessions had time to expire: a run that recovered early ends early, instead of simulating
   * nothing but pings until the recovery bound.
   */
  function stopWorkload(): void {
    if (workloadStoppedMs !== null) return
    workloadStoppedMs = queue.nowMs
    for (const client of clients) client.stop()
    endMs = workloadStoppedMs + SESSION_DRAIN_MS
    queue.at(endMs, () => queue.halt())
  }
  if (completed) completed = run(recoveryEndMs + SESSION_DRAIN_MS)

  let clientStats: ClientCheckStats | null = null
  if (completed) {
    const all = [...members.values()]
    checker.checkConverged(
      all.map((m) => ({ id: m.id, up: m.up, tree: m.tree.entries, servingEpoch: m.servingEpoch, establishedLeader: m.isEstablishedLeader })),
      committedAtHeal,
    )
    try {
      const clientCheck = checkClientHistory({
        operations: history.operations,
        canon: checker.canon,
        canonCommittedMs: checker.canonCommittedMs,
        indexOfCommitted: (zxid) => checker.indexOfCommitted(zxid),
        closeSessionPreparedMs,
        strictSync: options.strictSync === true,
      })
      clientStats = clientCheck.stats
      checker.violations.push(...clientCheck.violations)
    } catch (error) {
      checker.violations.push(`client history check threw: ${(error as Error).stack ?? String(error)}`)
    }
    if (workloadStoppedMs !== null && endMs - workloadStoppedMs >= SESSION_DRAIN_MS) {
      for (const m of all) {
        const sessions = [...m.tree.sessions.keys()].map((id) => `0x${id.toString(16)}`)
        const ephemerals = [...m.tree.nodes].filter(([, node]) => node.ephemeralOwner !== 0n).map(([path]) => path)
        if (sessions.length > 0 || ephemerals.length > 0) {
          checker.violations.push(`liveness: member ${m.id} still holds sessions [${sessions}] and ephemerals [${ephemerals}] ${endMs - workloadStoppedMs} ms after every client stopped`)
          break
        }
      }
    }
  }

  const description =
    `${voters} voters + ${observers} observers, ${clientCount} clients on ${clientWorld.keys.length} keys, chaos ${chaosMs} ms (${faultsPerSecond.toFixed(2)} faults/s), ` +
    `delay ${network.faults.delayMs.map((d) => d.toFixed(1)).join('-')} ms, election loss ${network.faults.electionLoss.toFixed(2)}`
  return {
    seed,
    violations: checker.violations,
    description,
    stats: {
      simulatedMs: endMs,
      events,
      messages: network.messagesSent,
      committed: checker.canon.length,
      acknowledgedWrites: checker.acknowledgedWrites,
      establishedLeaders: checker.establishedLeaders,
      recoveryMs: recoveredAtMs,
      clients: {
        ...(clientStats ?? { operations: history.operations.length, linearizabilityChecked: 0, syncedReads: 0, syncedReadsByDeposedLeader: 0, unknownOutcomes: 0, searchSteps: 0 }),
        sessions: clients.reduce((sum, client) => sum + client.stats.sessions, 0),
        timeouts: clients.reduce((sum, client) => sum + client.stats.timeouts, 0),
      },
    },
    trace: () =>
      [
        `faults:\n${faultLog.join('\n')}`,
        ...[...members.values()].map((m) => `member ${m.id} (${m.up ? 'up' : 'down'}, ${m.tree.length} txns):\n${m.traceLines().join('\n')}`),
        `last client operations:\n${history.operations
          .slice(-60)
          .map((op) => `${op.callMs.toFixed(1).padStart(9)} client ${op.client} session 0x${op.session.toString(16)} on ${op.member}: ${JSON.stringify(op.op)}${op.synced ? ' (synced)' : ''} -> ${op.returnMs === null ? '?' : `${op.returnMs.toFixed(1)} ${JSON.stringify(op.reply, (_, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`}`)
          .join('\n')}`,
      ].join('\n\n'),
  }
}
