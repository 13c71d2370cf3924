import { OpCode } from '../../engine/proto'
import type { QuorumPeerOptions } from '../../engine/quorum/peer/quorum-peer'
import { MajorityQuorum } from '../../engine/quorum/quorum-verifier'
import { decodeProposalData, proposalOf, type Proposal } from '../../engine/quorum/wire/proposal-data'
import { Checker } from './checker'
import { EventQueue } from './event-queue'
import { Prng } from './prng'
import { HEALTHY_DISK } from './sim-disk'
import { SimMember, type World } from './sim-member'
import { SimNetwork } from './sim-network'

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
  }
  /** The last trace lines of every member (for a failing seed). */
  trace(): string
}

const TICK_TIME_MS = 200
const QUIESCE_MS = 2_000
/** A run that needs more events than this is stuck in a loop. */
const EVENT_BUDGET = 2_000_000

/** Runs one seeded scenario: random membership, workload and faults, then heal and demand recovery. */
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
  const writeCache = new WeakMap<Buffer, number>()
  let nextWrite = 0

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

  let healed = false
  const world: World = {
    queue,
    network,
    checker,
    peerOptions: (id): QuorumPeerOptions => ({
      myId: id,
      quorum,
      timing: { tickTimeMs: TICK_TIME_MS, initLimitTicks: 10, syncLimitTicks: 5, connectToLeaderLimitTicks: 10 },
      election: { maxNotificationIntervalMs: 3_200 },
      membershipText,
    }),
    decodeWrite: (proposal: Proposal) => {
      const cached = writeCache.get(proposal.data)
      if (cached !== undefined) return cached
      const { txn } = decodeProposalData(proposal.data)
      if (txn.body.type !== OpCode.setData || txn.header.zxid !== proposal.zxid) throw new Error('simulated txn did not survive its codecs')
      const write = Number((txn.body.txn.data ?? Buffer.alloc(0)).toString('utf8').slice(1))
      writeCache.set(proposal.data, write)
      return write
    },
    learnerRequest: (leader, connection, learner, type, body) => {
      const incarnation = leader.incarnation
      queue.after(0.05, () => leader.whenRunning(() => {
        const role = leader.peer?.leader
        if (leader.incarnation !== incarnation || role == null || !role.established) return
        if (type === OpCode.sync) {
          // Everything the leader logged before the sync must be applied by the learner when SYNC arrives.
          const required = leader.peer!.db.lastLoggedZxid
          const learnerMember = members.get(learner)
          if (learnerMember !== undefined) learnerMember.expectSync(connection, required)
          leader.input({ kind: 'sync', connection })
        } else {
          propose(leader, body.readInt32BE(0))
        }
      }))
    },
    memberHalted: (halted, reason) => {
      halted.crash(`halted: ${reason}`)
      const restartAt = healed ? 50 : faultRandom.int(200, 2_000)
      queue.after(restartAt, () => halted.start())
    },
  }

  for (const id of ids) members.set(id, new SimMember(id, world, random.fork(100 + id)))

  /** The leader host's prep: build the txn for the next zxid and propose it. */
  function propose(leader: SimMember, write: number): void {
    const role = leader.peer?.leader
    if (role == null || !role.established) return
    const zxid = role.nextZxid()
    const data = Buffer.from(`w${write}`, 'utf8')
    const proposal = proposalOf({
      header: { clientId: BigInt(leader.id), cxid: write, zxid, time: Math.floor(queue.nowMs), type: OpCode.setData },
      body: { type: OpCode.setData, txn: { path: '/sim', data, version: write } },
    })
    leader.input({ kind: 'propose', proposal })
  }

  // ---- workload: writes (to the leader, or forwarded by learners) and syncs -------------------------------------

  const workloadRandom = random.fork(3)
  const writeIntervalMs = workloadRandom.int(15, 80)
  const endMs = chaosMs + recoveryMs
  function submit(): void {
    if (queue.nowMs >= endMs - QUIESCE_MS) return
    queue.after(writeIntervalMs * (0.5 + workloadRandom.float()), submit)
    const serving = [...members.values()].filter((m) => m.up && m.servingEpoch !== null && m.pausedUntilMs <= queue.nowMs)
    if (serving.length === 0) return
    const target = workloadRandom.pick(serving)
    if (target.role === 2 /* LEADING */) {
      const write = ++nextWrite
      queue.after(workloadRandom.float(), () => target.whenRunning(() => propose(target, write)))
      return
    }
    const sync = workloadRandom.chance(0.1)
    const write = ++nextWrite
    const body = Buffer.alloc(4)
    body.writeInt32BE(write, 0)
    target.input({
      kind: 'forwardRequest',
      request: { sessionId: BigInt(target.id) << 56n, cxid: write, type: sync ? OpCode.sync : OpCode.setData, body, authinfo: null },
    })
    if (workloadRandom.chance(0.2)) target.input({ kind: 'touchSession', sessionId: BigInt(target.id) << 56n, timeoutMs: 30_000 })
  }

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
    switch (faultRandom.int(0, 10)) {
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
  queue.at(50, submit)
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
  const completed = run(chaosMs)

  healed = true
  fault('heal everything', () => {
    network.healAll()
    network.faults = { ...network.faults, electionLoss: Math.min(network.faults.electionLoss, 0.05) }
    for (const m of members.values()) {
      m.disk.faults = HEALTHY_DISK
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
      return
    }
    queue.after(50, watchRecovery)
  }
  watchRecovery()
  if (completed && run(endMs)) {
    checker.checkConverged(
    [...members.values()].map((m) => ({ id: m.id, up: m.up, tree: m.tree, servingEpoch: m.servingEpoch, establishedLeader: m.isEstablishedLeader })),
      committedAtHeal,
    )
  }

  const description =
    `${voters} voters + ${observers} observers, chaos ${chaosMs} ms (${faultsPerSecond.toFixed(2)} faults/s), ` +
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
    },
    trace: () =>
      [
        `faults:\n${faultLog.join('\n')}`,
        ...[...members.values()].map((m) => `member ${m.id} (${m.up ? 'up' : 'down'}, ${m.tree.length} txns):\n${m.trace.join('\n')}`),
      ].join('\n\n'),
  }
}
