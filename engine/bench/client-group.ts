import { type MessagePort, Worker, parentPort } from 'node:worker_threads'
import { BenchSession, type ServerAddress, type SessionOptions } from './driver'
import { type TaskSpec, requestSource } from './workload'

/**
 * A set of benchmark sessions driven from one thread. The benchmark spreads its sessions over several groups,
 * either all on the main thread (`LocalClientGroup`) or one group per worker thread (`WorkerClientGroup`), so the
 * load generator can use more than one core when the machine has them.
 */
export interface GroupTask {
  /** Global session number (the group owns it). */
  session: number
  spec: TaskSpec
  /** Keep per-request latencies. */
  record: boolean
  /** Error codes that are expected here (NODEEXISTS when creating a shared parent). */
  allowedErrors: number[]
}

export interface GroupTaskResult {
  session: number
  completed: number
  errors: number
  errorCodes: Record<string, number>
  firstSendNs: bigint
  lastReplyNs: bigint
  latenciesNs: Float64Array | null
}

export interface OpenSpec {
  /** Global session number → server address. */
  sessions: Array<{ session: number; address: ServerAddress }>
  options: SessionOptions
}

export interface ClientGroup {
  open(spec: OpenSpec): Promise<void>
  run(tasks: GroupTask[], outstanding: number): Promise<GroupTaskResult[]>
  /** Closes the sessions politely; the group stays usable for another `open`. */
  closeSessions(): Promise<void>
  /** Releases everything at once (Ctrl-C, failures); pending runs reject. */
  terminate(): Promise<void>
}

export class LocalClientGroup implements ClientGroup {
  private sessions = new Map<number, BenchSession>()

  async open(spec: OpenSpec): Promise<void> {
    const opened = await Promise.allSettled(
      spec.sessions.map(async ({ session, address }) => {
        this.sessions.set(session, await BenchSession.open(address, spec.options))
      }),
    )
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === 'rejected')
    if (failed !== undefined) {
      await this.terminate()
      throw failed.reason
    }
  }

  async run(tasks: GroupTask[], outstanding: number): Promise<GroupTaskResult[]> {
    return Promise.all(
      tasks.map(async (task) => {
        const session = this.sessions.get(task.session)
        if (session === undefined) throw new Error(`session ${task.session} is not open in this group`)
        const latencies = task.record ? new Float64Array(task.spec.count) : null
        const result = await session.run(requestSource(task.spec), outstanding, latencies, 0, new Set(task.allowedErrors))
        return { session: task.session, ...result, latenciesNs: latencies }
      }),
    )
  }

  async closeSessions(): Promise<void> {
    const sessions = [...this.sessions.values()]
    this.sessions.clear()
    await Promise.all(sessions.map((session) => session.close()))
  }

  async terminate(): Promise<void> {
    for (const session of this.sessions.values()) session.destroy()
    this.sessions.clear()
  }
}

/** What a worker thread gets in `workerData` so the CLI's entry knows to serve as a bench client group. */
export const BENCH_WORKER_ROLE = 'zoodesk-bench-clients'

type Request =
  | { id: number; type: 'open'; spec: OpenSpec }
  | { id: number; type: 'run'; tasks: GroupTask[]; outstanding: number }
  | { id: number; type: 'closeSessions' }
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string }

export class WorkerClientGroup implements ClientGroup {
  private readonly worker: Worker
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  private exited: Error | null = null

  /** `scriptPath` is the bundled CLI (out/cli/zoodesk.cjs), whose entry serves this role in a worker. */
  constructor(scriptPath: string) {
    this.worker = new Worker(scriptPath, { workerData: { role: BENCH_WORKER_ROLE } })
    this.worker.on('message', (reply: Reply) => this.onReply(reply))
    this.worker.on('error', (error) => this.rejectAll(error))
    this.worker.on('exit', (code) => this.rejectAll(new Error(`bench worker exited (code ${code})`)))
  }

  private onReply(reply: Reply): void {
    const waiter = this.pending.get(reply.id)
    if (waiter === undefined) return
    this.pending.delete(reply.id)
    if (reply.ok) waiter.resolve(reply.value)
    else waiter.reject(new Error(reply.message))
  }

  private rejectAll(error: Error): void {
    this.exited ??= error
    for (const waiter of this.pending.values()) waiter.reject(error)
    this.pending.clear()
  }

  private call<T>(request: WithoutId<Request>): Promise<T> {
    if (this.exited !== null) return Promise.reject(this.exited)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.worker.postMessage({ ...request, id })
    })
  }

  open(spec: OpenSpec): Promise<void> {
    return this.call({ type: 'open', spec })
  }

  run(tasks: GroupTask[], outstanding: number): Promise<GroupTaskResult[]> {
    return this.call({ type: 'run', tasks, outstanding })
  }

  closeSessions(): Promise<void> {
    return this.call({ type: 'closeSessions' })
  }

  async terminate(): Promise<void> {
    this.rejectAll(new Error('bench worker terminated'))
    await this.worker.terminate()
  }
}

async function answer(port: MessagePort, group: LocalClientGroup, request: Request): Promise<void> {
  try {
    if (request.type === 'open') {
      await group.open(request.spec)
      port.postMessage({ id: request.id, ok: true, value: undefined })
    } else if (request.type === 'run') {
      const results = await group.run(request.tasks, request.outstanding)
      const transfer = results.flatMap((result) => (result.latenciesNs === null ? [] : [result.latenciesNs.buffer as ArrayBuffer]))
      port.postMessage({ id: request.id, ok: true, value: results }, transfer)
    } else {
      await group.closeSessions()
      port.postMessage({ id: request.id, ok: true, value: undefined })
    }
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, message: (error as Error).message })
  }
}

/** The worker thread's side: one LocalClientGroup answering the main thread's requests. */
export function serveBenchWorker(): void {
  const port = parentPort
  if (port === null) throw new Error('serveBenchWorker must run in a worker thread')
  const group = new LocalClientGroup()
  port.on('message', (request: Request) => void answer(port, group, request))
}
