import type { QuorumConfig } from '../membership'
import type { MajorityQuorum } from '../quorum-verifier'
import type { OnDurable, Outbox } from './outbox'
import type { ReplicaLog } from './replica-log'

/** Time limits in ticks, as zoo.cfg gives them. */
export interface ZabTiming {
  tickTimeMs: number
  /** initLimit: discovery and synchronisation, per step. */
  initLimitTicks: number
  /** syncLimit: how long a synced learner may stay silent or leave a proposal un-ACKed. */
  syncLimitTicks: number
  /** connectToLearnerMasterLimit (defaults to initLimit): connecting to the leader, retries included. */
  connectToLeaderLimitTicks: number
}

/** What a role (leader, follower, observer) may use of the member it runs on. */
export interface RoleContext extends Outbox {
  readonly myId: number
  readonly quorum: MajorityQuorum
  readonly timing: ZabTiming
  readonly db: ReplicaLog
  /**
   * Membership text without its version line: `server.N=...` lines, each ending in a newline, as
   * `QuorumVerifier.toString()` prints them. Notifications and NEWLEADER append `version=<hex>`.
   */
  readonly membershipText: string
  /** Version of the active configuration (0 without dynamic reconfiguration). */
  readonly configVersion: bigint
  /** The active configuration (quorum, membership text, version). */
  readonly config: QuorumConfig
  /** Dynamic reconfiguration is on: configurations are activated (otherwise every activation is a no-op). */
  readonly reconfigEnabled: boolean
  /**
   * Apache's processReconfig: activate `next` if newer; true when our role or leader changes (end the role then).
   * `designatedLeader` comes with COMMITANDACTIVATE/INFORMANDACTIVATE; null for NEWLEADER's configuration.
   */
  activateConfig(next: QuorumConfig, designatedLeader: number | null, zxid: bigint | null): boolean
  readonly acceptedEpoch: bigint
  readonly currentEpoch: bigint
  setAcceptedEpoch(epoch: bigint, onDurable: OnDurable): void
  setCurrentEpoch(epoch: bigint, onDurable: OnDurable): void
  /** The epoch became current: report it in election answers from now on (ZOOKEEPER-1732). */
  updateElectionVote(epoch: bigint): void
  setServing(serving: boolean, epoch: bigint): void
  /** A fresh id for a connection attempt to the leader (unique for the member's lifetime). */
  newConnectionAttempt(): number
  /** The role is over (error, timeout, lost quorum): the member goes back to LOOKING. */
  roleEnded(nowMs: number, reason: string): void
}
