/** What a local cluster can do to a member's disk (`LocalCluster.setDisk`): nothing, slow every fsync, fail them. */
export type DiskMode = 'ok' | 'slow' | 'fail'

/**
 * Injected disk faults, checked before each durable step (log commit, epoch file, snapshot). A failing disk makes the
 * member halt, as an fsync error does in Apache; a slow one delays every durable step by `delayMs`.
 */
export class DiskFaults {
  mode: DiskMode = 'ok'
  delayMs = 0

  set(mode: DiskMode, delayMs = 0): void {
    this.mode = mode
    this.delayMs = Math.max(0, delayMs)
  }

  async beforeDurableStep(what: string): Promise<void> {
    if (this.mode === 'fail') throw new Error(`${what}: injected disk failure (EIO)`)
    if (this.mode === 'slow' && this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs))
  }
}
