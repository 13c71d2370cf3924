import { decodeDesignatedLeader, encodeAckEpoch, encodeLearnerInfo } from '../quorum/wire/learner-payloads'
import { PacketType, packetTypeName } from '../quorum/wire/packet-type'
import { type QuorumPacket, describePacket, packet } from '../quorum/wire/quorum-packet'
import { counterOf, epochOf, makeZxid, zxidHex } from '../quorum/zxid'
import { type TapTxn, decodeTapTxn } from './tap-txn'

/**
 * One observer-tap connection to a leader, sans IO: packets and ticks in, packets to send and what was learned out.
 *
 *   tap                         leader
 *   OBSERVERINFO (sid, zxid 0) →
 *                              ← LEADERINFO (epoch)
 *   ACKEPOCH (claimed zxid, -1) →
 *                              ← DIFF | TRUNC | SNAP (+ snapshot), PROPOSAL/COMMIT pairs, INFORMs
 *                              ← NEWLEADER
 *   ACK (NEWLEADER's zxid)     →
 *                              ← UPTODATE
 *   ACK (epoch, 0)             →
 *                              ← INFORM (every committed txn), PING
 *   PING (no touches)          →
 *
 * What keeps the ensemble untouched: the tap only ever sends those packets. OBSERVERINFO with accepted epoch 0 and
 * ACKEPOCH with -1 ("already accepted", not a promise) never move the epoch a leader proposes; an observer's sid
 * never counts towards a quorum (Apache's leader counts voters only, and takes an OBSERVERINFO from any sid); the
 * ACKs of NEWLEADER and UPTODATE are the two an observer must send and both have counter 0, which leaders ignore
 * for commits; PING replies carry no session touches. No REQUEST, REVALIDATE or proposal ACK is ever sent.
 *
 * The claimed zxid decides where the stream starts: a leader that has it in its committed window answers DIFF and
 * sends every later committed txn (no snapshot of a large tree). When it cannot, TRUNC or SNAP says from which zxid
 * on the stream is complete; on a reconnect the txns between the last one delivered and that zxid are a gap.
 */
export interface TapSessionOptions {
  /** The sid announced in OBSERVERINFO: one no member uses (a tap with a member's sid would count as that member). */
  serverId: bigint
  /** The zxid the tap says it has: the leader streams every committed txn after it (DIFF) or says where it starts. */
  claimZxid: bigint
  /** The last txn delivered by an earlier connection (null on the first): later ones only, and gaps are reported. */
  deliveredZxid: bigint | null
  /** Silence from the leader before giving up, while syncing (Apache: initLimit × tickTime) and when live (syncLimit × tickTime). */
  syncTimeoutMs: number
  readTimeoutMs: number
}

export type TapPhase = 'connecting' | 'epoch' | 'sync' | 'live' | 'closed'
export type SyncMode = 'DIFF' | 'TRUNC' | 'SNAP'

/** What a SNAP carried, as the host's parser summarised it (the tree itself is not kept). */
export interface SnapshotSummary {
  sizeBytes: number
  sessionCount: number
}

/** Committed txns the tap could not stream: zxids after `afterZxid` up to `beforeZxid` (exclusive), as far as known. */
export interface TapGap {
  afterZxid: bigint
  beforeZxid: bigint
  /** Missing txns when both ends are in one epoch (zxids are consecutive there); null across epochs. */
  count: number | null
  reason: string
}

export type TapInput =
  | { kind: 'connected' }
  | { kind: 'packet'; packet: QuorumPacket; snapshot?: SnapshotSummary }
  | { kind: 'tick' }

export type TapEffect =
  | { kind: 'send'; packet: QuorumPacket }
  | { kind: 'close'; reason: string }
  | { kind: 'epoch'; epoch: bigint }
  | { kind: 'synced'; mode: SyncMode; zxid: bigint; snapshot: SnapshotSummary | null }
  | { kind: 'live'; epoch: bigint }
  | { kind: 'txn'; txn: TapTxn }
  | { kind: 'gap'; gap: TapGap }
  | { kind: 'log'; level: 'info' | 'warn'; message: string }

/** Proposals of a DIFF held until their COMMIT (a proposal without one was never committed and is not shown). */
interface HeldProposal {
  zxid: bigint
  data: Buffer | null
}

export class TapSession {
  private phaseValue: TapPhase = 'connecting'
  private effects: TapEffect[] = []
  private epoch: bigint | null = null
  private lastHeardMs: number
  private readonly held: HeldProposal[] = []
  /** The first sync packet (DIFF / TRUNC / SNAP) arrived. */
  private syncStarted = false
  /** The zxid of the last txn delivered (or the point the stream starts after); null until known. */
  private floor: bigint | null

  constructor(
    private readonly options: TapSessionOptions,
    nowMs: number,
  ) {
    this.lastHeardMs = nowMs
    this.floor = options.deliveredZxid
  }

  get phase(): TapPhase {
    return this.phaseValue
  }

  /** The last txn delivered by this session or its predecessors, or null. */
  get lastZxid(): bigint | null {
    return this.floor
  }

  takeEffects(): TapEffect[] {
    const out = this.effects
    this.effects = []
    return out
  }

  /** When to `step(…, { kind: 'tick' })` at the latest. */
  nextDeadlineMs(): number {
    if (this.phaseValue === 'closed') return Number.POSITIVE_INFINITY
    return this.lastHeardMs + (this.phaseValue === 'live' ? this.options.readTimeoutMs : this.options.syncTimeoutMs)
  }

  step(nowMs: number, input: TapInput): void {
    if (this.phaseValue === 'closed') return
    switch (input.kind) {
      case 'connected':
        return this.connected(nowMs)
      case 'tick':
        if (nowMs >= this.nextDeadlineMs()) this.close(`no packet from the leader for ${nowMs - this.lastHeardMs} ms`)
        return
      case 'packet':
        this.lastHeardMs = nowMs
        return this.received(input.packet, input.snapshot ?? null)
    }
  }

  /** The host closed the connection (or it closed): nothing more is sent. */
  closed(): void {
    this.phaseValue = 'closed'
  }

  private connected(nowMs: number): void {
    if (this.phaseValue !== 'connecting') return
    this.lastHeardMs = nowMs
    this.phaseValue = 'epoch'
    // Accepted epoch 0: never above the epoch a leader proposes, so it cannot make one step down or pick a later epoch.
    this.send(packet(PacketType.OBSERVERINFO, 0n, encodeLearnerInfo(Number(this.options.serverId), 0n)))
  }

  private received(received: QuorumPacket, snapshot: SnapshotSummary | null): void {
    switch (this.phaseValue) {
      case 'epoch':
        return this.readLeaderInfo(received)
      case 'sync':
        return this.readSync(received, snapshot)
      case 'live':
        return this.readLive(received)
      default:
        return
    }
  }

  private readLeaderInfo(received: QuorumPacket): void {
    if (received.type !== PacketType.LEADERINFO) return this.close(`expected LEADERINFO, got ${describePacket(received)}`)
    this.epoch = epochOf(received.zxid)
    this.effects.push({ kind: 'epoch', epoch: this.epoch })
    this.phaseValue = 'sync'
    this.syncStarted = false
    this.send(packet(PacketType.ACKEPOCH, this.options.claimZxid, encodeAckEpoch(-1)))
  }

  private readSync(received: QuorumPacket, snapshot: SnapshotSummary | null): void {
    if (!this.syncStarted) return this.readSyncStart(received, snapshot)
    switch (received.type) {
      case PacketType.PROPOSAL:
        this.held.push({ zxid: received.zxid, data: received.data })
        return
      case PacketType.COMMIT:
      case PacketType.COMMITANDACTIVATE:
        return this.commitHeld(received.zxid)
      case PacketType.INFORM:
        return this.deliver(received.zxid, received.data)
      case PacketType.INFORMANDACTIVATE:
        return this.deliver(received.zxid, decodeDesignatedLeader(received.data).rest)
      case PacketType.NEWLEADER:
        // Apache's observer acks NEWLEADER with its zxid once what came before is logged; we keep nothing to log.
        this.send(packet(PacketType.ACK, received.zxid))
        return
      case PacketType.UPTODATE:
        return this.upToDate()
      case PacketType.PING:
        // A learner answers pings only once serving: a reply before the NEWLEADER ACK would break the handshake.
        return
      default:
        this.log('warn', `ignoring ${describePacket(received)} while syncing`)
    }
  }

  private readSyncStart(received: QuorumPacket, snapshot: SnapshotSummary | null): void {
    let mode: SyncMode
    let startsAfter: bigint
    switch (received.type) {
      case PacketType.DIFF:
        mode = 'DIFF'
        startsAfter = this.options.claimZxid
        break
      case PacketType.TRUNC:
        mode = 'TRUNC'
        startsAfter = received.zxid
        break
      case PacketType.SNAP:
        mode = 'SNAP'
        startsAfter = received.zxid
        break
      default:
        return this.close(`expected DIFF, TRUNC or SNAP, got ${describePacket(received)}`)
    }
    this.syncStarted = true
    this.effects.push({ kind: 'synced', mode, zxid: received.zxid, snapshot })
    const delivered = this.floor
    if (delivered === null) {
      this.floor = startsAfter
      return
    }
    if (startsAfter > delivered) {
      this.gap(delivered, startsAfter + 1n, `${mode} from the leader: the stream resumes after 0x${zxidHex(startsAfter)}`)
      this.floor = startsAfter
    }
  }

  private commitHeld(zxid: bigint): void {
    while (this.held.length > 0 && this.held[0]!.zxid < zxid) {
      const dropped = this.held.shift()!
      this.log('warn', `proposal 0x${zxidHex(dropped.zxid)} was never committed; not shown`)
    }
    const first = this.held[0]
    if (first === undefined || first.zxid !== zxid) {
      this.log('warn', `COMMIT 0x${zxidHex(zxid)} without its proposal`)
      return
    }
    this.held.shift()
    this.deliver(first.zxid, first.data)
  }

  private upToDate(): void {
    if (this.held.length > 0) this.log('warn', `${this.held.length} proposals without COMMIT before UPTODATE; not shown`)
    this.held.length = 0
    const epoch = this.epoch ?? 0n
    this.send(packet(PacketType.ACK, makeZxid(epoch, 0n)))
    this.phaseValue = 'live'
    this.effects.push({ kind: 'live', epoch })
  }

  private readLive(received: QuorumPacket): void {
    switch (received.type) {
      case PacketType.INFORM:
        return this.deliver(received.zxid, received.data)
      case PacketType.INFORMANDACTIVATE:
        return this.deliver(received.zxid, decodeDesignatedLeader(received.data).rest)
      case PacketType.PING:
        // Our session table is empty: the reply carries no touches (an empty buffer, as Apache's learner sends).
        this.send({ type: PacketType.PING, zxid: received.zxid, data: Buffer.alloc(0), authinfo: received.authinfo })
        return
      case PacketType.SYNC:
        return
      default:
        this.log('warn', `ignoring ${packetTypeName(received.type)} 0x${zxidHex(received.zxid)} (observers get INFORM)`)
    }
  }

  private deliver(zxid: bigint, data: Buffer | null): void {
    const floor = this.floor
    if (floor !== null && zxid <= floor) return // already delivered by an earlier connection
    let txn: TapTxn
    try {
      if (data === null) throw new Error('no data')
      txn = decodeTapTxn(data)
    } catch (error) {
      this.log('warn', `txn 0x${zxidHex(zxid)} does not decode: ${(error as Error).message}`)
      txn = undecodable(zxid)
    }
    if (floor !== null && !follows(floor, zxid)) this.gap(floor, zxid, 'txns missing from the stream')
    this.floor = zxid
    this.effects.push({ kind: 'txn', txn })
  }

  private gap(afterZxid: bigint, beforeZxid: bigint, reason: string): void {
    const sameEpoch = epochOf(afterZxid) === epochOf(beforeZxid)
    const count = sameEpoch ? Number(counterOf(beforeZxid) - counterOf(afterZxid) - 1n) : null
    this.effects.push({ kind: 'gap', gap: { afterZxid, beforeZxid, count, reason } })
  }

  private send(value: QuorumPacket): void {
    this.effects.push({ kind: 'send', packet: value })
  }

  private close(reason: string): void {
    this.phaseValue = 'closed'
    this.effects.push({ kind: 'close', reason })
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.effects.push({ kind: 'log', level, message })
  }
}

/** The next zxid of a gap-free stream: the next counter, or the first txn of a later epoch. */
function follows(previous: bigint, zxid: bigint): boolean {
  if (zxid === previous + 1n) return true
  return epochOf(zxid) > epochOf(previous) && counterOf(zxid) === 1n
}

function undecodable(zxid: bigint): TapTxn {
  return { zxid, type: 'undecodable', sessionId: 0n, cxid: 0, timeMs: 0, paths: [], dataBytes: 0, subTypes: [], errorCode: null, sessionTimeoutMs: null }
}
