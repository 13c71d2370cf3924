import type { ZooKeeperClient } from '../client'
import { TypedEmitter } from '../emitter'
import { isNoNode } from '../errors'
import { CreateMode } from '../../proto'
import type { SessionEvent, Watcher } from '../types'
import { createProtected, ensurePath, nextEvent, sortBySequence, withDeadline, withReconnect } from './common'

export type ElectionRole = 'leader' | 'follower' | 'stopped'

export interface ElectionChange {
  readonly role: ElectionRole
  /** Node name of the current leader (the lowest sequence), as far as this participant knows. */
  readonly leader: string | undefined
}

export interface ElectionEvents extends Record<string, unknown[]> {
  change: [ElectionChange]
  /** An unexpected failure of the background loop; the participant is stopped. */
  error: [unknown]
}

export interface ElectionOptions {
  /** Data stored in this participant's node (e.g. its address), readable by everyone through `leader()`. */
  readonly data?: Buffer | string
  /**
   * Followers also watch the current leader's node, so every participant hears of every leadership change. This
   * wakes all followers when the leader goes (the election itself still only wakes the successor).
   */
  readonly notifyLeaderChanges?: boolean
}

/**
 * Leader election from the ZooKeeper recipes: each participant creates an EPHEMERAL_SEQUENTIAL node; the lowest is
 * the leader; every other participant watches only its predecessor. Leadership survives reconnects and ends when the
 * leader's session expires or it stops; then its successor takes over.
 */
export class LeaderElection extends TypedEmitter<ElectionEvents> {
  private nodeName: string | undefined
  private current: ElectionChange = { role: 'stopped', leader: undefined }
  private running = false
  private wake: (() => void) | undefined
  private stopWatchingSession: (() => void) | undefined

  constructor(
    private readonly client: ZooKeeperClient,
    readonly dir: string,
    private readonly options: ElectionOptions = {},
  ) {
    super()
  }

  get role(): ElectionRole {
    return this.current.role
  }

  get isLeader(): boolean {
    return this.current.role === 'leader'
  }

  get nodePath(): string | undefined {
    return this.nodeName === undefined ? undefined : `${this.dir}/${this.nodeName}`
  }

  /** Joins the election; resolves once this participant knows whether it leads. */
  async start(): Promise<ElectionRole> {
    if (this.running) throw new Error(`already taking part in ${this.dir}`)
    this.running = true
    await ensurePath(this.client, this.dir)
    this.nodeName = await createProtected(this.client, this.dir, 'n_', CreateMode.EPHEMERAL_SEQUENTIAL, this.options.data ?? null)
    this.stopWatchingSession = this.client.on('state', (change: SessionEvent) => {
      if (change.event === 'Expired' || change.event === 'Closed') this.halt()
    })
    const decided = new Promise<ElectionRole>((resolve) => {
      const off = this.on('change', (change) => {
        off()
        resolve(change.role)
      })
    })
    void this.run()
    return decided
  }

  /** Leaves the election (deleting this participant's node); a leader hands over to its successor. */
  async stop(): Promise<void> {
    const path = this.nodePath
    this.halt()
    if (path === undefined || !this.client.isAlive()) return
    await withReconnect(this.client, () => this.client.delete(path)).catch((error: unknown) => {
      if (!isNoNode(error)) throw error
    })
  }

  /** Resolves when this participant becomes leader. */
  waitForLeadership(timeoutMs?: number): Promise<void> {
    if (this.isLeader) return Promise.resolve()
    const elected = new Promise<void>((resolve, reject) => {
      const off = this.on('change', (change) => {
        if (change.role === 'follower') return
        off()
        if (change.role === 'leader') resolve()
        else reject(new Error('left the election before becoming leader'))
      })
    })
    return withDeadline(elected, timeoutMs, `leadership of ${this.dir}`)
  }

  /** The current leader's node name and data, read from the server (null if nobody takes part). */
  async leader(): Promise<{ readonly name: string; readonly data: Buffer | null } | null> {
    for (;;) {
      const sorted = sortBySequence(await this.client.getChildren(this.dir))
      const first = sorted[0]
      if (first === undefined) return null
      try {
        return { name: first, data: (await this.client.getData(`${this.dir}/${first}`)).data }
      } catch (error) {
        if (!isNoNode(error)) throw error
      }
    }
  }

  private halt(): void {
    this.running = false
    this.stopWatchingSession?.()
    this.stopWatchingSession = undefined
    this.nodeName = undefined
    this.update({ role: 'stopped', leader: undefined })
    this.wake?.()
  }

  private update(change: ElectionChange): void {
    if (change.role === this.current.role && change.leader === this.current.leader) return
    this.current = change
    this.emit('change', change)
  }

  private async run(): Promise<void> {
    try {
      while (this.running) await this.evaluate()
    } catch (error) {
      if (!this.running) return
      this.halt()
      this.emit('error', error)
    }
  }

  /** One round: find our place, report it, then sleep until something that could change it happens. */
  private async evaluate(): Promise<void> {
    const sorted = sortBySequence(await withReconnect(this.client, () => this.client.getChildren(this.dir)))
    if (!this.running) return
    const index = sorted.indexOf(this.nodeName!)
    if (index < 0) throw new Error(`election node ${this.nodePath} vanished`)
    const leader = sorted[0]!
    this.update({ role: index === 0 ? 'leader' : 'follower', leader })
    const { watcher, fired } = nextEvent()
    const watched = [sorted[index - 1], this.options.notifyLeaderChanges === true && index > 1 ? leader : undefined]
    let watching = false
    for (const name of watched) if (name !== undefined && (await this.watch(name, watcher))) watching = true
    if (index > 0 && !watching) return
    // A leader only sleeps until it stops or its session ends.
    await Promise.race([fired, new Promise<void>((resolve) => (this.wake = resolve))])
  }

  private async watch(name: string, watcher: Watcher): Promise<boolean> {
    try {
      await withReconnect(this.client, () => this.client.getData(`${this.dir}/${name}`, watcher))
      return true
    } catch (error) {
      if (isNoNode(error)) return false
      throw error
    }
  }
}
