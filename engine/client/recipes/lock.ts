import type { ZooKeeperClient } from '../client'
import { KeeperException, isNoNode } from '../errors'
import { CreateMode, ErrorCode } from '../../proto'
import type { SessionEvent } from '../types'
import { createProtected, ensurePath, nextEvent, sortBySequence, withDeadline, withReconnect } from './common'

/** Decides, from the participants in creation order, whether the one at `index` holds the lock. */
interface LockPolicy {
  /** Marks this kind of participant in its node name, e.g. 'lock-', 'read-', 'write-'. */
  readonly kind: string
  /** undefined when the participant holds the lock; otherwise the one name it must wait for. */
  blocker(sorted: readonly string[], index: number): string | undefined
}

export interface LockOptions {
  /** Called once if a held lock is lost because the session expired or the client was closed. */
  readonly onLost?: () => void
}

export interface AcquireOptions {
  /** Give up (and withdraw) after this long: rejects with OPERATIONTIMEOUT. Default: wait forever. */
  readonly timeoutMs?: number
}

/**
 * The lock recipe from the ZooKeeper docs: every contender creates an EPHEMERAL_SEQUENTIAL node under the lock's
 * directory and waits only for the one node that blocks it (no herd effect). The node name carries a random prefix,
 * so a create whose reply was lost to a connection loss is found again instead of leaking a second node.
 * A held lock survives reconnects (the node lives as long as the session); it is lost when the session expires.
 */
export class Lock {
  private nodeName: string | undefined
  private held = false
  private stopWatchingSession: (() => void) | undefined

  constructor(
    private readonly client: ZooKeeperClient,
    readonly dir: string,
    private readonly policy: LockPolicy,
    private readonly options: LockOptions = {},
  ) {}

  get isHeld(): boolean {
    return this.held
  }

  /** Full path of this contender's node while acquiring or holding. */
  get nodePath(): string | undefined {
    return this.nodeName === undefined ? undefined : `${this.dir}/${this.nodeName}`
  }

  async acquire(options: AcquireOptions = {}): Promise<void> {
    if (this.nodeName !== undefined) throw new Error(`lock ${this.dir} is already held or being acquired`)
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs
    try {
      await ensurePath(this.client, this.dir)
      this.nodeName = await createProtected(this.client, this.dir, this.policy.kind, CreateMode.EPHEMERAL_SEQUENTIAL)
      await this.waitForTurn(deadline)
    } catch (error) {
      await this.withdraw()
      throw error
    }
    this.held = true
    this.stopWatchingSession = this.client.on('state', (change: SessionEvent) => this.onSession(change))
  }

  async release(): Promise<void> {
    this.stopWatchingSession?.()
    this.stopWatchingSession = undefined
    this.held = false
    await this.withdraw()
  }

  private onSession(change: SessionEvent): void {
    if (change.event !== 'Expired' && change.event !== 'Closed') return
    this.stopWatchingSession?.()
    this.stopWatchingSession = undefined
    this.nodeName = undefined
    if (!this.held) return
    this.held = false
    this.options.onLost?.()
  }

  private async waitForTurn(deadline: number | undefined): Promise<void> {
    for (;;) {
      const children = await withReconnect(this.client, () => this.client.getChildren(this.dir))
      const sorted = sortBySequence(children)
      const index = sorted.indexOf(this.nodeName!)
      if (index < 0) throw new KeeperException(ErrorCode.NONODE, this.nodePath, undefined, 'lock node vanished')
      const blocker = this.policy.blocker(sorted, index)
      if (blocker === undefined) return
      // getData, not exists: on NoNode it leaves no watch behind (the blocker's name is never reused).
      const { watcher, fired } = nextEvent()
      const present = await withReconnect(this.client, () => this.client.getData(`${this.dir}/${blocker}`, watcher)).then(
        () => true,
        (error: unknown) => {
          if (isNoNode(error)) return false
          throw error
        },
      )
      if (!present) continue
      const remainingMs = deadline === undefined ? undefined : Math.max(0, deadline - Date.now())
      await withDeadline(fired, remainingMs, `lock ${this.dir}`)
    }
  }

  /** Deletes this contender's node if it still has one; safe to call at any time. */
  private async withdraw(): Promise<void> {
    const path = this.nodePath
    this.nodeName = undefined
    if (path === undefined || !this.client.isAlive()) return
    await withReconnect(this.client, () => this.client.delete(path)).catch((error: unknown) => {
      if (!isNoNode(error)) throw error
    })
  }
}

const previousOne: LockPolicy['blocker'] = (sorted, index) => (index === 0 ? undefined : sorted[index - 1])

/** A mutex: one holder at a time, in arrival order. */
export class ExclusiveLock extends Lock {
  constructor(client: ZooKeeperClient, dir: string, options: LockOptions = {}) {
    super(client, dir, { kind: 'lock-', blocker: previousOne }, options)
  }
}

const isWriter = (name: string): boolean => name.includes('-write-')

/**
 * Shared (read) / exclusive (write) lock: readers share the lock unless a writer arrived before them; a writer waits
 * for everyone before it. Each waiter still watches exactly one node.
 */
export class ReadWriteLock {
  readonly readLock: Lock
  readonly writeLock: Lock

  constructor(client: ZooKeeperClient, dir: string, options: LockOptions = {}) {
    this.readLock = new Lock(
      client,
      dir,
      {
        kind: 'read-',
        blocker: (sorted, index) => {
          for (let i = index - 1; i >= 0; i--) if (isWriter(sorted[i]!)) return sorted[i]
          return undefined
        },
      },
      options,
    )
    this.writeLock = new Lock(client, dir, { kind: 'write-', blocker: previousOne }, options)
  }
}
