import { randomUUID } from 'node:crypto'
import type { TreeOperationKind, TreeOperationPhase } from '../contract/model'
import { fail } from '../rpc/errors'
import type { EventBus } from '../rpc/event-bus'

/** Progress events of one operation are at most this often (plus the first and the last of each phase). */
const PROGRESS_INTERVAL_MS = 100

/** One running recursive operation: its cancellation flag and its throttled progress stream. */
export class Operation {
  private readonly controller = new AbortController()
  private lastEmitMs = 0
  private lastPhase: TreeOperationPhase | undefined
  private lastDone = 0
  private lastTotal: number | null = null

  constructor(
    readonly id: string,
    readonly kind: TreeOperationKind,
    readonly path: string,
    private readonly bus: EventBus,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal
  }

  cancel(): void {
    this.controller.abort()
  }

  /** Throws CANCELLED once cancel() was called; long loops call it between batches. */
  checkpoint(): void {
    if (this.controller.signal.aborted) throw fail.cancelled(this.id)
  }

  progress(phase: TreeOperationPhase, done: number, total: number | null, force = false): void {
    this.lastDone = done
    this.lastTotal = total
    const nowMs = performance.now()
    const phaseChanged = phase !== this.lastPhase
    if (!force && !phaseChanged && done !== total && nowMs - this.lastEmitMs < PROGRESS_INTERVAL_MS) return
    this.lastEmitMs = nowMs
    this.lastPhase = phase
    this.bus.emit('operations.progress', { operationId: this.id, kind: this.kind, phase, done, total, path: this.path })
  }

  /** The closing event: done, cancelled or failed, with the last counts. */
  finish(phase: 'done' | 'cancelled' | 'failed'): void {
    this.progress(phase, this.lastDone, this.lastTotal, true)
  }
}

/** Running operations by id, for operations.cancel. */
export class Operations {
  private readonly running = new Map<string, Operation>()

  constructor(private readonly bus: EventBus) {}

  /** Runs `body` as an operation; the id is the caller's (so it can cancel before the call returns) or a new one. */
  async run<T>(kind: TreeOperationKind, path: string, requestedId: string | undefined, body: (operation: Operation) => Promise<T>): Promise<T> {
    const id = requestedId ?? randomUUID()
    if (this.running.has(id)) throw fail.conflict(`operation ${id} is already running`)
    const operation = new Operation(id, kind, path, this.bus)
    this.running.set(id, operation)
    try {
      const result = await body(operation)
      operation.finish('done')
      return result
    } catch (error) {
      operation.finish(operation.signal.aborted ? 'cancelled' : 'failed')
      throw error
    } finally {
      this.running.delete(id)
    }
  }

  cancel(id: string): boolean {
    const operation = this.running.get(id)
    if (operation === undefined) return false
    operation.cancel()
    return true
  }

  cancelAll(): void {
    for (const operation of this.running.values()) operation.cancel()
  }
}
