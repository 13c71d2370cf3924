import { roundHalfUp4 } from './java-format'

/** Apache's AvgMinMaxCounter: min/max 0 until a value arrives, avg rounded half-up to 4 decimals. */
export class LatencyCounter {
  private count = 0
  private total = 0
  private min = Number.POSITIVE_INFINITY
  private max = Number.NEGATIVE_INFINITY

  add(value: number): void {
    this.count++
    this.total += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
  }

  get minimum(): number {
    return this.min === Number.POSITIVE_INFINITY ? 0 : this.min
  }

  get maximum(): number {
    return this.max === Number.NEGATIVE_INFINITY ? 0 : this.max
  }

  get average(): number {
    return this.count > 0 ? roundHalfUp4(this.total / this.count) : 0
  }

  get samples(): number {
    return this.count
  }

  get sum(): number {
    return this.total
  }

  reset(): void {
    this.count = 0
    this.total = 0
    this.min = Number.POSITIVE_INFINITY
    this.max = Number.NEGATIVE_INFINITY
  }
}

/** Apache's BufferStats for response sizes: -1 until the first response. */
export class BufferStats {
  last = -1
  min = -1
  max = -1

  record(sizeBytes: number): void {
    this.last = sizeBytes
    if (this.min < 0 || sizeBytes < this.min) this.min = sizeBytes
    if (sizeBytes > this.max) this.max = sizeBytes
  }

  reset(): void {
    this.last = -1
    this.min = -1
    this.max = -1
  }
}

/** Server-wide figures behind srvr/stat/mntr (`ServerStats` and the metrics we keep). */
export class ServerStats {
  packetsSent = 0
  packetsReceived = 0
  readonly requestLatency = new LatencyCounter()
  readonly readLatency = new LatencyCounter()
  readonly updateLatency = new LatencyCounter()
  readonly clientResponse = new BufferStats()
  authFailedCount = 0
  bytesReceived = 0
  responseBytes = 0
  connectionRequests = 0
  connectionRejected = 0
  connectionRevalidations = 0
  connectionDrops = 0
  staleSessionsExpired = 0
  sessionlessConnectionsExpired = 0
  commitCount = 0
  /** Apache's DIGEST_MISMATCHES_COUNT: logged digests that differed from the tree's after applying (replay included). */
  digestMismatches = 0
  readonly syncBatchSize = new LatencyCounter()
  readonly fsyncTimeMs = new LatencyCounter()

  /** `srst`: latency, packet counters and response sizes (Apache also clears its metrics). */
  reset(): void {
    this.packetsSent = 0
    this.packetsReceived = 0
    this.requestLatency.reset()
    this.readLatency.reset()
    this.updateLatency.reset()
    this.clientResponse.reset()
    this.bytesReceived = 0
    this.responseBytes = 0
    this.connectionRequests = 0
    this.connectionRejected = 0
    this.connectionRevalidations = 0
    this.connectionDrops = 0
    this.staleSessionsExpired = 0
    this.sessionlessConnectionsExpired = 0
    this.commitCount = 0
    this.digestMismatches = 0
    this.syncBatchSize.reset()
    this.fsyncTimeMs.reset()
  }
}

/** The size of Apache's ResettableUniformReservoir, which its AvgMinMaxPercentileCounter samples percentiles from. */
const RESERVOIR_SIZE = 4096

/**
 * Apache's AvgMinMaxPercentileCounter: an AvgMinMaxCounter plus p50/p95/p99/p999 over a uniform sample of at most
 * 4096 values (exact below that), each read as Dropwizard's UniformSnapshot interpolates it, rounded to a long.
 */
export class PercentileCounter extends LatencyCounter {
  private readonly sample: number[] = []
  private seen = 0

  override add(value: number): void {
    super.add(value)
    this.seen++
    if (this.sample.length < RESERVOIR_SIZE) this.sample.push(value)
    else {
      const slot = Math.floor(Math.random() * this.seen)
      if (slot < RESERVOIR_SIZE) this.sample[slot] = value
    }
  }

  /** `Math.round(snapshot.getValue(quantile))`; 0 while empty. */
  percentile(quantile: number): number {
    if (this.sample.length === 0) return 0
    const values = [...this.sample].sort((a, b) => a - b)
    const position = quantile * (values.length + 1)
    const index = Math.floor(position)
    if (index < 1) return Math.round(values[0]!)
    if (index >= values.length) return Math.round(values[values.length - 1]!)
    const lower = values[index - 1]!
    const upper = values[index]!
    return Math.round(lower + (position - index) * (upper - lower))
  }

  override reset(): void {
    super.reset()
    this.sample.length = 0
    this.seen = 0
  }
}
