import type { Effect, PersistOp } from '../../../engine/quorum/peer/effects'
import type { PeerInput } from '../../../engine/quorum/peer/inputs'
import { QuorumPeer, type QuorumPeerOptions, type RecoveredState } from '../../../engine/quorum/peer/quorum-peer'
import { MajorityQuorum } from '../../../engine/quorum/quorum-verifier'
import { type Notification, ServerState } from '../../../engine/quorum/wire/notification'
import { packetTypeName } from '../../../engine/quorum/wire/packet-type'
import type { Proposal } from '../../../engine/quorum/wire/proposal-data'
import type { QuorumPacket } from '../../../engine/quorum/wire/quorum-packet'

export const TIMING = { tickTimeMs: 2_000, initLimitTicks: 10, syncLimitTicks: 5, connectToLeaderLimitTicks: 10 }
export const MEMBERSHIP = 'server.1=a:2888:3888:participant\nserver.2=b:2888:3888:participant\nserver.3=c:2888:3888:participant\n'

export function proposal(zxid: bigint): Proposal {
  return { zxid, data: Buffer.from(`txn ${zxid.toString(16)}`) }
}

/** One QuorumPeer on a manual clock; every effect it produces is kept, in order. */
export class PeerHarness {
  readonly peer: QuorumPeer
  nowMs = 1_000
  effects: Effect[] = []

  constructor(
    myId: number,
    recovered: Partial<RecoveredState> = {},
    quorum = new MajorityQuorum([1, 2, 3]),
    options: Partial<QuorumPeerOptions> = {},
  ) {
    this.peer = new QuorumPeer(
      { myId, quorum, timing: TIMING, membershipText: MEMBERSHIP, ...options },
      { currentEpoch: 0n, acceptedEpoch: 0n, lastLoggedZxid: 0n, recentProposals: [], ...recovered },
    )
  }

  step(input: PeerInput): Effect[] {
    this.peer.step(this.nowMs, input)
    const produced = this.peer.takeEffects()
    this.effects.push(...produced)
    return produced.filter((effect) => effect.kind !== 'log')
  }

  advance(ms: number): Effect[] {
    const produced: Effect[] = []
    const until = this.nowMs + ms
    for (;;) {
      const deadline = this.peer.nextDeadlineMs()
      if (deadline === null || deadline > until) break
      this.nowMs = Math.max(this.nowMs, deadline)
      produced.push(...this.step({ kind: 'tick' }))
    }
    this.nowMs = until
    return produced
  }

  /** Makes every persist issued so far durable. */
  persistAll(): Effect[] {
    const last = this.lastTicket()
    return last === 0 ? [] : this.step({ kind: 'persisted', ticket: last })
  }

  lastTicket(): number {
    let ticket = 0
    for (const effect of this.effects) if (effect.kind === 'persist') ticket = effect.ticket
    return ticket
  }

  notify(from: number, notification: Partial<Notification>): Effect[] {
    return this.step({
      kind: 'notification',
      from,
      notification: { state: ServerState.LOOKING, leader: BigInt(from), zxid: 0n, electionEpoch: 1n, peerEpoch: 0n, version: 2, config: null, ...notification },
    })
  }
}

/** `PROPOSAL 100000002` / `persist append 100000002` … for readable expectations. */
export function describe(effects: Effect[]): string[] {
  return effects.flatMap((effect): string[] => {
    switch (effect.kind) {
      case 'sendToLearner':
        return [`→${effect.connection} ${show(effect.packet)}`]
      case 'sendToLeader':
        return [`→leader ${show(effect.packet)}`]
      case 'sendSnapshotToLearner':
        return [`→${effect.connection} <snapshot>`]
      case 'persist':
        return [`persist ${showOp(effect.op)}`]
      case 'apply':
        return [`apply ${effect.proposal.zxid.toString(16)}`]
      case 'serving':
        return [`serving ${effect.serving} epoch ${effect.epoch}`]
      case 'stateChanged':
        return [`state ${effect.state}`]
      case 'closeLearnerConnection':
        return [`close ${effect.connection}`]
      case 'closeLeaderConnection':
        return ['close leader']
      case 'connectToLeader':
        return [`connect ${effect.leader}`]
      case 'log':
      case 'sendNotification':
        return []
      default:
        return [effect.kind]
    }
  })
}

function show(packet: QuorumPacket): string {
  return `${packetTypeName(packet.type)} ${BigInt.asUintN(64, packet.zxid).toString(16)}`
}

function showOp(op: PersistOp): string {
  switch (op.op) {
    case 'append':
      return `append ${op.proposal.zxid.toString(16)}`
    case 'truncate':
    case 'snapshot':
      return `${op.op} ${op.zxid.toString(16)}`
    default:
      return `${op.op} ${op.epoch}`
  }
}
