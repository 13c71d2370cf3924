import {
  type ACL,
  type AclResult,
  type ChildrenResult,
  type ClientInfo,
  type DataResult,
  ErrorCode,
  KeeperException,
  Op,
  type Stat,
  type Watcher,
  type ZooKeeperClient,
} from '../client'
import { type AddWatchModeValue, type WatcherTypeValue, createModeInfo } from '../proto'
import { JavaKeeperError } from './errors'
import { validateJavaPath } from './java-path'

const CONFIG_NODE = '/zookeeper/config'

export interface ReconfigArguments {
  readonly joining: string | null
  readonly leaving: string | null
  readonly members: string | null
  readonly fromConfig: bigint
}

/**
 * The ZooKeeper API as zkCli's commands call it (Java's `ZooKeeper` class): paths are validated on the client with
 * Java's messages (IllegalArgumentError), failures are JavaKeeperErrors carrying the path Java puts in them, and
 * watches set with `watch = true` go to the shell's one watcher.
 *
 * Java's client fails a request with ConnectionLoss when the connection attempt it waits for fails; ours holds
 * requests until it connects. So a call first waits for the session at most `connectWaitMs` (Java's connect
 * timeout, sessionTimeout / hosts) and fails with ConnectionLoss after that, without sending anything.
 */
export class ShellZk {
  constructor(
    readonly client: ZooKeeperClient,
    readonly watcher: Watcher,
    private readonly connectWaitMs: number,
  ) {}

  private async call<T>(errorPath: string | undefined, run: () => Promise<T>): Promise<T> {
    const client = this.client
    if (client.state === 'CONNECTING') {
      try {
        await client.waitForState(['CONNECTED', 'CONNECTEDREADONLY'], this.connectWaitMs)
      } catch (error) {
        if (error instanceof KeeperException && error.code === ErrorCode.OPERATIONTIMEOUT) {
          throw new JavaKeeperError(ErrorCode.CONNECTIONLOSS, errorPath)
        }
        // The session died while we waited: let the call below fail with the client's own code.
      }
    }
    try {
      return await run()
    } catch (error) {
      if (error instanceof KeeperException) throw new JavaKeeperError(error.code, errorPath)
      throw error
    }
  }

  private watchOf(watch: boolean): Watcher | undefined {
    return watch ? this.watcher : undefined
  }

  getChildren(path: string, watch: boolean): Promise<string[]> {
    validateJavaPath(path)
    return this.call(path, () => this.client.getChildren(path, this.watchOf(watch)))
  }

  getChildrenWithStat(path: string, watch: boolean): Promise<ChildrenResult> {
    validateJavaPath(path)
    return this.call(path, () => this.client.getChildren2(path, this.watchOf(watch)))
  }

  getData(path: string, watch: boolean): Promise<DataResult> {
    validateJavaPath(path)
    return this.call(path, () => this.client.getData(path, this.watchOf(watch)))
  }

  exists(path: string, watch: boolean): Promise<Stat | null> {
    validateJavaPath(path)
    return this.call(path, () => this.client.exists(path, this.watchOf(watch)))
  }

  /** Java checks the path, then the TTL (done by the caller here), then that the ACL is not empty (no path then). */
  create(path: string, data: Buffer | null, acl: readonly ACL[], mode: number, ttlMs?: bigint): Promise<string> {
    validateJavaPath(path, createModeInfo(mode)?.sequential === true)
    if (acl.length === 0) throw new JavaKeeperError(ErrorCode.INVALIDACL, undefined)
    const options = ttlMs === undefined ? { mode, acl } : { mode, acl, ttlMs }
    return this.call(path, () => this.client.create(path, data, options))
  }

  delete(path: string, version: number): Promise<void> {
    validateJavaPath(path)
    return this.call(path, () => this.client.delete(path, version))
  }

  setData(path: string, data: Buffer, version: number): Promise<Stat> {
    validateJavaPath(path)
    return this.call(path, () => this.client.setData(path, data, version))
  }

  getACL(path: string): Promise<AclResult> {
    validateJavaPath(path)
    return this.call(path, () => this.client.getACL(path))
  }

  setACL(path: string, acl: readonly ACL[], version: number): Promise<Stat> {
    validateJavaPath(path)
    if (acl.length === 0) throw new JavaKeeperError(ErrorCode.INVALIDACL, undefined)
    return this.call(path, () => this.client.setACL(path, acl, version))
  }

  /** zkCli's sync reports the callback's result code rather than throwing. */
  async sync(path: string): Promise<number> {
    validateJavaPath(path)
    try {
      await this.call(path, () => this.client.sync(path))
      return ErrorCode.OK
    } catch (error) {
      if (error instanceof JavaKeeperError) return error.code
      throw error
    }
  }

  /** Java's getEphemerals throws without a path. */
  getEphemerals(prefixPath: string): Promise<string[]> {
    validateJavaPath(prefixPath)
    return this.call(undefined, () => this.client.getEphemerals(prefixPath))
  }

  getAllChildrenNumber(path: string): Promise<number> {
    validateJavaPath(path)
    return this.call(path, () => this.client.getAllChildrenNumber(path))
  }

  /** Java's whoAmI ignores the reply's error code and returns null: zkCli then prints only its header. */
  async whoAmI(): Promise<ClientInfo[] | null> {
    try {
      return await this.call(undefined, () => this.client.whoAmI())
    } catch (error) {
      if (error instanceof JavaKeeperError) return null
      throw error
    }
  }

  getConfig(watch: boolean): Promise<DataResult> {
    return this.call(CONFIG_NODE, () => this.client.getConfig(this.watchOf(watch)))
  }

  addWatch(path: string, mode: AddWatchModeValue): Promise<void> {
    validateJavaPath(path)
    return this.call(path, () => this.client.addWatch(path, this.watcher, mode))
  }

  removeAllWatches(path: string, type: WatcherTypeValue, local: boolean): Promise<void> {
    validateJavaPath(path)
    return this.call(path, () => this.client.removeAllWatches(path, type, local))
  }

  /**
   * Java's addAuthInfo queues the auth packet and returns at once; a refusal shows up later as an AuthFailed event
   * (the client has queued it ahead of any later request, so waiting would change nothing but could hang).
   */
  addAuthInfo(scheme: string, auth: Buffer | null): void {
    // `addauth scheme` without credentials sends a null buffer (length -1), which servers refuse (an empty one
    // they may accept). ZooKeeperClient.addAuth is typed non-null but hands the value to the AuthPacket's
    // nullable buffer field unchanged.
    const credentials = auth ?? (null as unknown as Buffer)
    this.client.addAuth(scheme, credentials).catch(() => {})
  }

  /** One multi of deletes (ZKUtil.deleteInBatch); resolves with whether it succeeded, as its callback sees it. */
  async multiDelete(paths: readonly string[]): Promise<boolean> {
    try {
      await this.call(undefined, () => this.client.multi(paths.map((path) => Op.delete(path, -1))))
      return true
    } catch (error) {
      if (error instanceof JavaKeeperError) return false
      throw error
    }
  }

  /** ZooKeeperAdmin.reconfigure throws with an empty path, so the message has none. */
  reconfig(request: ReconfigArguments): Promise<DataResult> {
    const options = {
      ...(request.joining === null ? {} : { joining: request.joining }),
      ...(request.leaving === null ? {} : { leaving: request.leaving }),
      ...(request.members === null ? {} : { newMembers: request.members }),
      fromConfig: request.fromConfig,
    }
    return this.call(undefined, () => this.client.reconfig(options))
  }
}
