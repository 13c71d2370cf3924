import type { TxnDigest, TxnHeader } from '../proto/txn-records'
import type { TreeLog } from './api'
import { type AdHash, DIGEST_VERSION, type ZxidDigest, digestToLong, lowWordOfLong } from './digest'

/** DataTree.DIGEST_LOG_LIMIT: the digest log keeps this many records. */
export const DIGEST_LOG_LIMIT = 1024
/** DataTree.DIGEST_LOG_INTERVAL: one record per 128 zxids (0x80, easy to read in hex). */
export const DIGEST_LOG_INTERVAL = 128
const DIGEST_LOG_MASK = DIGEST_LOG_INTERVAL - 1
/** DataTree's RATE_LOGGER interval: a repeated warning is summarised at most once per 15 minutes. */
const RATE_LOG_INTERVAL_MS = 15 * 60 * 1000

/**
 * What Apache's DataTree does with its digest besides keeping it: the digest after each txn (`lastProcessedZxidDigest`,
 * which snapshots end with), the log of every 128th (`hash`, AdminServer `hash`), the comparison with a snapshot's
 * stored digest while replaying past a fuzzy snapshot, and with each txn's logged digest (`compareDigest`).
 */
export class DigestHistory {
  /** The snapshot's digest while replay has not reached its zxid: no logging and no comparing until then. */
  private fromLoadedSnapshot: ZxidDigest | null = null
  private readonly records: ZxidDigest[] = []
  /** `lastProcessedZxidDigest`, kept as halves so no object is made per txn. */
  private lastZxid: bigint | null = null
  private lastHigh = 0
  private lastLow = 0
  private firstMismatch = true
  private readonly rateLog: RateLogger
  mismatchCount = 0
  onMismatch: ((zxid: bigint) => void) | null = null

  constructor(
    private readonly hash: AdHash,
    private readonly enabled: boolean,
    private readonly log: TreeLog | undefined,
  ) {
    this.rateLog = new RateLogger(log)
  }

  /** The tail of Apache's processTxn for a whole txn: the snapshot check while fuzzy, else the digest log. */
  txnApplied(zxid: bigint, timeMs: number): void {
    if (this.fromLoadedSnapshot !== null) {
      this.compareSnapshotDigest(zxid, timeMs)
      return
    }
    this.lastZxid = zxid
    this.lastHigh = this.hash.high
    this.lastLow = this.hash.low
    if ((lowWordOfLong(zxid) & DIGEST_LOG_MASK) === 0) {
      this.records.push({ zxid, digestVersion: DIGEST_VERSION, digest: this.treeDigestLong() })
      if (this.records.length > DIGEST_LOG_LIMIT) this.records.shift()
    }
  }

  /** Apache's `compareDigest`: false (and a reported mismatch) when the logged digest differs from the tree's. */
  compare(header: TxnHeader, digest: TxnDigest | null | undefined): boolean {
    if (!this.enabled || digest === null || digest === undefined) return true
    if (this.fromLoadedSnapshot !== null) return true
    if (digest.version !== DIGEST_VERSION) {
      this.rateLog.warn('Digest version not the same on zxid.', String(header.zxid), header.time)
      return true
    }
    const actual = this.treeDigestLong()
    if (digest.treeDigest === actual) {
      this.rateLog.flush()
      return true
    }
    this.report(header.zxid, header.time)
    if (this.firstMismatch) {
      this.firstMismatch = false
      const txn = `zxid 0x${header.zxid.toString(16)} type ${header.type} session 0x${header.clientId.toString(16)} cxid ${header.cxid}`
      this.log?.('error', `First digest mismatch on txn: ${txn}, expected digest is ${digest.treeDigest}, actual digest is ${actual}`)
    }
    return false
  }

  /**
   * A snapshot's stored digest (`deserializeZxidDigest` + the check FileSnap makes right after loading): kept to be
   * checked when replay reaches its zxid; ignored when empty (zxid 0) or older than the snapshot itself.
   */
  loadedSnapshot(digest: ZxidDigest | null, snapshotZxid: bigint): void {
    if (!this.enabled) return
    this.fromLoadedSnapshot = digest !== null && digest.zxid > 0n && digest.zxid >= snapshotZxid ? digest : null
    if (this.fromLoadedSnapshot !== null) this.compareSnapshotDigest(snapshotZxid, 0)
  }

  /** The snapshot digest replay did not reach (Apache warns that the log does not cover it), or null. */
  get pendingSnapshotDigest(): ZxidDigest | null {
    return this.fromLoadedSnapshot
  }

  /** `lastProcessedZxidDigest`: what a snapshot written now ends with; null before any txn outside a fuzzy window. */
  lastProcessed(): ZxidDigest | null {
    if (this.lastZxid === null) return null
    const digest = digestToLong({ high: this.lastHigh, low: this.lastLow })
    return { zxid: this.lastZxid, digestVersion: DIGEST_VERSION, digest }
  }

  entries(): readonly ZxidDigest[] {
    return this.records
  }

  /** The tree was emptied for a load: nothing recorded so far describes it. */
  reset(): void {
    this.fromLoadedSnapshot = null
    this.lastZxid = null
  }

  private compareSnapshotDigest(zxid: bigint, timeMs: number): void {
    const expected = this.fromLoadedSnapshot!
    if (zxid === expected.zxid) {
      this.fromLoadedSnapshot = null
      if (expected.digestVersion !== DIGEST_VERSION) {
        const versions = `local: ${expected.digestVersion}, new: ${DIGEST_VERSION}`
        this.log?.('info', `Digest version changed, ${versions}, skip comparing digest now.`)
        return
      }
      if (this.treeDigestLong() !== expected.digest) this.report(zxid, timeMs)
    } else if (expected.zxid !== 0n && zxid > expected.zxid) {
      this.rateLog.warn('The txn 0x{} of snapshot digest does not exist.', expected.zxid.toString(16), timeMs)
    }
  }

  private report(zxid: bigint, timeMs: number): void {
    this.mismatchCount++
    this.rateLog.warn('Digests are not matching. Value is Zxid.', String(zxid), timeMs)
    this.onMismatch?.(zxid)
  }

  private treeDigestLong(): bigint {
    return digestToLong({ high: this.hash.high, low: this.hash.low })
  }
}

/**
 * Apache's RateLogger (15-minute interval): a message is logged the first time, then repeats are counted and
 * summarised (`[n times] Message: … Last value:…`) once the interval has passed or another message comes. The clock
 * is the txns' own time, which keeps the tree free of clocks.
 */
class RateLogger {
  private message: string | null = null
  private value: string | null = null
  private sinceMs = 0
  private count = 0

  constructor(private readonly log: TreeLog | undefined) {}

  warn(message: string, value: string, nowMs: number): void {
    if (message === this.message) {
      this.count++
      this.value = value
      if (nowMs - this.sinceMs >= RATE_LOG_INTERVAL_MS) {
        this.flush()
        this.message = message
        this.sinceMs = nowMs
        this.value = value
      }
      return
    }
    this.flush()
    this.message = message
    this.value = value
    this.sinceMs = nowMs
    this.log?.('warn', `Message:${message} Value:${value}`)
  }

  flush(): void {
    if (this.message !== null && this.count > 0) {
      const times = this.count > 1 ? `[${this.count} times] ` : ''
      this.log?.('warn', `${times}Message: ${this.message}${this.value !== null ? ` Last value:${this.value}` : ''}`)
    }
    this.message = null
    this.value = null
    this.count = 0
  }
}
