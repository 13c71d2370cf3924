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
    this.syncBatchSize.reset()
    this.fsyncTimeMs.reset()
  }
}
