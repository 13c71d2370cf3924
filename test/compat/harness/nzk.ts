// Promise wrapper around node-zookeeper-client (npm), a third-party JS client: results come
// back as plain JSON-friendly values so scenarios can record them as observations.
import zookeeper from 'node-zookeeper-client'
import type { ACL, Client, Event as RawEvent, RawStat, TransactionResult } from 'node-zookeeper-client'
import { longFromBigInt } from './json'
import type { Long } from './json'

export interface Stat {
  czxid: Long
  mzxid: Long
  ctime: Long
  mtime: Long
  version: number
  cversion: number
  aversion: number
  ephemeralOwner: Long
  dataLength: number
  numChildren: number
  pzxid: Long
}

/** znode data as text when it is UTF-8, else hex; null for a null payload. */
export type Data = string | { hex: string } | null

export type CreateModeName = 'PERSISTENT' | 'EPHEMERAL' | 'PERSISTENT_SEQUENTIAL' | 'EPHEMERAL_SEQUENTIAL'

export interface AclEntry {
  perms: number
  scheme: string
  id: string
}

export const OPEN_ACL_UNSAFE: readonly AclEntry[] = [{ perms: 31, scheme: 'world', id: 'anyone' }]

/** A watch notification, filed under the tag given when the watch was set. */
export interface WatchEvent {
  tag: string
  type: string
  path: string
}

/**
 * One op of a multi. Beware a client bug: node-zookeeper-client turns version 0 into -1
 * (`version || -1`) in check/setData/remove inside transactions, so "expect version 0"
 * cannot be sent from this client.
 */
export type TxnOp =
  | { op: 'create'; path: string; data?: Buffer | string | null; mode?: CreateModeName | number; acl?: readonly AclEntry[] }
  | { op: 'check'; path: string; version?: number }
  | { op: 'setData'; path: string; data: Buffer | string | null; version?: number }
  | { op: 'remove'; path: string; version?: number }

/** Per-op result of a multi: node-zookeeper-client reports the opcode, path or stat, or an error code. */
export interface TxnResult {
  type: number
  path?: string
  stat?: Stat
  err?: number
}

/** A call's result or its ZooKeeper error, as an observation. */
export type Outcome<T> = { ok: T } | { error: string; code: number }

export interface ConnectOptions {
  /** Requested session timeout, ms. Default 30000 (the client's default). */
  sessionTimeout?: number
  /** Give up connecting after this long. Default 15 s. */
  timeoutMs?: number
}

function longOf(buffer: Buffer): Long {
  return longFromBigInt(buffer.readBigInt64BE(0))
}

export function statOf(raw: RawStat): Stat {
  return {
    czxid: longOf(raw.czxid),
    mzxid: longOf(raw.mzxid),
    ctime: longOf(raw.ctime),
    mtime: longOf(raw.mtime),
    version: raw.version,
    cversion: raw.cversion,
    aversion: raw.aversion,
    ephemeralOwner: longOf(raw.ephemeralOwner),
    dataLength: raw.dataLength,
    numChildren: raw.numChildren,
    pzxid: longOf(raw.pzxid),
  }
}

export function dataOf(buffer: Buffer | null | undefined): Data {
  if (buffer === null || buffer === undefined) return null
  const text = buffer.toString('utf8')
  return Buffer.from(text, 'utf8').equals(buffer) ? text : { hex: buffer.toString('hex') }
}

function bufferOf(data: Buffer | string | null | undefined): Buffer | null {
  if (data === null || data === undefined) return null
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data
}

function modeOf(mode: CreateModeName | number | undefined): number {
  if (mode === undefined) return zookeeper.CreateMode.PERSISTENT
  return typeof mode === 'number' ? mode : zookeeper.CreateMode[mode]
}

function aclsOf(acl: readonly AclEntry[] | undefined): ACL[] {
  return (acl ?? OPEN_ACL_UNSAFE).map((a) => new zookeeper.ACL(a.perms, new zookeeper.Id(a.scheme, a.id)))
}

/** Runs a node-style call and settles with its result. */
function call<T>(start: (done: (error: Error | null, result?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, result) => (error ? reject(error) : resolve(result as T)))
  })
}

export class NzkClient {
  /** Every watch notification, in arrival order. */
  readonly events: WatchEvent[] = []
  private readonly eventWaiters = new Set<() => void>()

  constructor(readonly raw: Client) {}

  /** Session id as a Long (decimal string when past 2^53, as session ids usually are). */
  get sessionId(): Long {
    return longOf(this.raw.getSessionId())
  }

  get sessionTimeout(): number {
    return this.raw.getSessionTimeout()
  }

  /** Returns the created path (with the sequence suffix for sequential modes). */
  create(path: string, data?: Buffer | string | null, mode?: CreateModeName | number, acl?: readonly AclEntry[]): Promise<string> {
    return call((done) => this.raw.create(path, bufferOf(data), aclsOf(acl), modeOf(mode), done))
  }

  async getData(path: string, watchTag?: string): Promise<{ data: Data; stat: Stat }> {
    const [data, stat] = await call<[Buffer | undefined, RawStat]>((done) =>
      this.raw.getData(path, this.watcher(watchTag), (error, d, s) => done(error, [d, s])),
    )
    return { data: dataOf(data), stat: statOf(stat) }
  }

  async setData(path: string, data: Buffer | string | null, version = -1): Promise<Stat> {
    return statOf(await call<RawStat>((done) => this.raw.setData(path, bufferOf(data), version, done)))
  }

  /** The stat, or null when the node does not exist (a watch is then an existence watch). */
  async exists(path: string, watchTag?: string): Promise<Stat | null> {
    const stat = await call<RawStat | null>((done) => this.raw.exists(path, this.watcher(watchTag), done))
    return stat === null ? null : statOf(stat)
  }

  async getChildren(path: string, watchTag?: string): Promise<{ children: string[]; stat: Stat }> {
    const [children, stat] = await call<[string[], RawStat]>((done) =>
      this.raw.getChildren(path, this.watcher(watchTag), (error, c, s) => done(error, [c, s])),
    )
    return { children, stat: statOf(stat) }
  }

  remove(path: string, version = -1): Promise<void> {
    return call((done) => this.raw.remove(path, version, (error) => done(error)))
  }

  async getACL(path: string): Promise<{ acl: AclEntry[]; stat: Stat }> {
    const [acls, stat] = await call<[ACL[], RawStat]>((done) =>
      this.raw.getACL(path, (error, a, s) => done(error, [a, s])),
    )
    return { acl: acls.map((a) => ({ perms: a.permission, scheme: a.id.scheme, id: a.id.id })), stat: statOf(stat) }
  }

  async setACL(path: string, acl: readonly AclEntry[], version = -1): Promise<Stat> {
    return statOf(await call<RawStat>((done) => this.raw.setACL(path, aclsOf(acl), version, done)))
  }

  addAuth(scheme: string, auth: string): void {
    this.raw.addAuthInfo(scheme, Buffer.from(auth, 'utf8'))
  }

  /**
   * Commits a multi. On failure the rejection is the first failing op's error; use
   * transactionResults to see every op's result instead.
   */
  async transaction(ops: readonly TxnOp[]): Promise<TxnResult[]> {
    const { error, results } = await this.commit(ops)
    if (error !== null) throw error
    return results
  }

  /**
   * Commits a multi and returns every op's result, plus the client's error (the first failing
   * op's code) as `error`/`code` when it failed: one observation, never a throw.
   */
  async transactionResults(ops: readonly TxnOp[]): Promise<{ results: TxnResult[]; error?: string; code?: number }> {
    const { error, results } = await this.commit(ops)
    if (error === null) return { results }
    return { results, ...failureOf(error) }
  }

  private commit(ops: readonly TxnOp[]): Promise<{ error: Error | null; results: TxnResult[] }> {
    const txn = this.raw.transaction()
    for (const op of ops) {
      switch (op.op) {
        case 'create':
          txn.create(op.path, bufferOf(op.data), aclsOf(op.acl), modeOf(op.mode))
          break
        case 'check':
          txn.check(op.path, op.version ?? -1)
          break
        case 'setData':
          txn.setData(op.path, bufferOf(op.data), op.version ?? -1)
          break
        case 'remove':
          txn.remove(op.path, op.version ?? -1)
          break
      }
    }
    return new Promise((resolve) => {
      txn.commit((error, results) => resolve({ error, results: (results ?? []).map(txnResultOf) }))
    })
  }

  /** Resolves with a copy of `events` once it holds `count` events, or after `timeoutMs`. */
  waitEvents(count: number, timeoutMs = 5000): Promise<WatchEvent[]> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.events.length < count) return
        finish()
      }
      const finish = (): void => {
        clearTimeout(timer)
        this.eventWaiters.delete(check)
        resolve([...this.events])
      }
      const timer = setTimeout(finish, timeoutMs)
      this.eventWaiters.add(check)
      check()
    })
  }

  /** Closes the session and waits until the server has dropped the connection. */
  close(timeoutMs = 5000): Promise<void> {
    if (this.raw.getState() === zookeeper.State.DISCONNECTED) {
      this.raw.close()
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.raw.once('disconnected', () => {
        clearTimeout(timer)
        resolve()
      })
      this.raw.close()
    })
  }

  private watcher(tag: string | undefined): ((event: RawEvent) => void) | undefined {
    if (tag === undefined) return undefined
    // A fresh function per call: the client keeps one registration per (path, function).
    return (event) => {
      this.events.push({ tag, type: event.getName(), path: event.getPath() })
      for (const waiter of this.eventWaiters) waiter()
    }
  }
}

function txnResultOf(raw: TransactionResult): TxnResult {
  const out: TxnResult = { type: raw.type }
  if (raw.path !== undefined) out.path = raw.path
  if (raw.stat !== undefined) out.stat = statOf(raw.stat)
  if (raw.err !== undefined) out.err = raw.err
  return out
}

/** Connects and waits for SyncConnected. */
export function connectNzk(connectString: string, options: ConnectOptions = {}): Promise<NzkClient> {
  // spinDelay: reconnect quickly after a server restart; retries: never hide an error.
  const raw = zookeeper.createClient(connectString, { sessionTimeout: options.sessionTimeout ?? 30_000, spinDelay: 100, retries: 0 })
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer)
      raw.removeAllListeners()
      raw.close()
      reject(new Error(`node-zookeeper-client: ${why} (${connectString})`))
    }
    const timer = setTimeout(() => fail(`not connected after ${options.timeoutMs ?? 15_000} ms`), options.timeoutMs ?? 15_000)
    raw.once('connected', () => {
      clearTimeout(timer)
      raw.removeAllListeners('expired')
      raw.removeAllListeners('authenticationFailed')
      resolve(new NzkClient(raw))
    })
    raw.once('expired', () => fail('session expired while connecting'))
    raw.once('authenticationFailed', () => fail('authentication failed while connecting'))
    raw.connect()
  })
}

/**
 * `{ok: value}` or `{error: 'NO_NODE', code: -101}`: an outcome to record. Only ZooKeeper
 * errors (the client's Exception, with a numeric code) become outcomes; anything else (an
 * argument assertion, a TypeError) is a bug in the scenario that would compare equal on both
 * servers, so it is rethrown.
 */
export async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await promise }
  } catch (error) {
    return failureOf(error)
  }
}

function failureOf(error: unknown): { error: string; code: number } {
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined
  if (error instanceof Error && typeof code === 'number') return { error: error.name, code }
  throw error
}
