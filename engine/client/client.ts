import type { JuteReader, JuteWriter } from '../jute'
import {
  type ACL,
  AddWatchMode,
  type AddWatchModeValue,
  AddWatchRequest,
  type ClientInfo,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorCode,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  KeeperState,
  MAX_TTL_MS,
  OPEN_ACL_UNSAFE,
  OpCode,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SetACLRequest,
  SetDataRequest,
  type Stat,
  StatResponse,
  type WatcherTypeValue,
  WatchesRequest,
  WhoAmIResponse,
  createModeInfo,
} from '../proto'
import { type HostAndPort, parseConnectString } from './connect-string'
import { KeeperException } from './errors'
import {
  type MultiReadResults,
  type MultiResults,
  type ReadOp,
  type WriteOp,
  firstFailure,
  readMultiResponse,
  toBuffer,
  writeMultiRequest,
} from './multi'
import { Session, type SessionEvents } from './session'
import type {
  AclResult,
  ChildrenResult,
  ClientOptions,
  ClientState,
  CreateOptions,
  CreateResult,
  DataResult,
  ReconfigOptions,
  SessionEvent,
  SessionEventName,
  WatchArgument,
  WatchedEvent,
  Watcher,
} from './types'
import { invalidPathReason } from './path'
import { REMOVAL_EVENT, type WatchKind } from './watch-manager'

const CONFIG_NODE = '/zookeeper/config'
const TERMINAL: ReadonlySet<ClientState> = new Set(['CLOSED', 'AUTH_FAILED'])

function terminalError(state: ClientState, event: SessionEventName | undefined): KeeperException {
  const code = state === 'AUTH_FAILED' ? ErrorCode.AUTHFAILED : ErrorCode.SESSIONEXPIRED
  return new KeeperException(code, undefined, undefined, `client is ${state} (${event ?? 'never connected'})`)
}

type Data = Buffer | string | null

export interface ConnectOptions extends ClientOptions {
  /** How long `connect` waits for the session to be established. Default: the session timeout. */
  readonly connectTimeoutMs?: number
}

/**
 * ZooKeeper client for any 3.5–3.9 ensemble (Apache's or ZooDesk's), with Java's client semantics: one session
 * across reconnects, watches re-registered after a reconnect, requests answered in order, events delivered in order.
 * Every operation returns a promise; ZooKeeper errors reject with a KeeperException carrying the code.
 */
export class ZooKeeperClient {
  private readonly session: Session

  constructor(connectString: string, options: ClientOptions = {}) {
    const parsed = parseConnectString(connectString)
    this.session = new Session(parsed.hosts, parsed.chroot, options)
  }

  /** Creates a client and waits until its session is established (read-only accepted if `canBeReadOnly`). */
  static async connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeperClient> {
    const client = new ZooKeeperClient(connectString, options)
    const targets: ClientState[] = options.canBeReadOnly === true ? ['CONNECTED', 'CONNECTEDREADONLY'] : ['CONNECTED']
    try {
      await client.waitForState(targets, options.connectTimeoutMs ?? options.sessionTimeoutMs ?? 30_000)
    } catch (error) {
      await client.close(0)
      throw error
    }
    return client
  }

  get state(): ClientState {
    return this.session.state
  }
  /** False once the session is over (expired, closed, auth failed): nothing can succeed any more. */
  isAlive(): boolean {
    return this.session.isAlive
  }
  get sessionId(): bigint {
    return this.session.sessionId
  }
  get sessionPassword(): Buffer {
    return this.session.sessionPassword
  }
  get negotiatedTimeoutMs(): number {
    return this.session.negotiatedTimeoutMs
  }
  get lastZxidSeen(): bigint {
    return this.session.lastZxidSeen
  }
  get connectedHost(): HostAndPort | undefined {
    return this.session.connectedHost
  }
  get chroot(): string | undefined {
    return this.session.chroot.prefix
  }
  /** Requests sent and not yet answered (never more than maxOutstandingRequests). */
  get inFlightRequests(): number {
    return this.session.inFlightRequests
  }
  /** Requests sent and not yet answered plus requests waiting to be sent. */
  get outstandingRequests(): number {
    return this.session.outstandingRequests
  }

  on<K extends keyof SessionEvents>(event: K, listener: (...args: SessionEvents[K]) => void): () => void {
    return this.session.on(event, listener)
  }

  off<K extends keyof SessionEvents>(event: K, listener: (...args: SessionEvents[K]) => void): void {
    this.session.off(event, listener)
  }

  /**
   * Resolves with the state once the client is in one of `targets` (a state, e.g. 'CONNECTED') or once one of them
   * happens (an event, e.g. 'Expired'; immediately if it was the latest event). Rejects with OPERATIONTIMEOUT after
   * `timeoutMs`, or with the terminal state's code if the client dies first.
   */
  waitForState(
    targets: ClientState | SessionEventName | readonly (ClientState | SessionEventName)[],
    timeoutMs = 30_000,
  ): Promise<ClientState> {
    const wanted = new Set<string>(typeof targets === 'string' ? [targets] : targets)
    const session = this.session
    if (wanted.has(session.state) || (session.lastEvent !== undefined && wanted.has(session.lastEvent))) {
      return Promise.resolve(session.state)
    }
    if (TERMINAL.has(session.state)) return Promise.reject(terminalError(session.state, session.lastEvent))
    return new Promise<ClientState>((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new KeeperException(ErrorCode.OPERATIONTIMEOUT, undefined, undefined, `no ${[...wanted].join('/')} within ${timeoutMs} ms`))
      }, timeoutMs)
      const off = session.on('state', (change: SessionEvent) => {
        if (wanted.has(change.event) || wanted.has(change.state)) {
          clearTimeout(timer)
          off()
          resolve(change.state)
        } else if (TERMINAL.has(change.state)) {
          clearTimeout(timer)
          off()
          reject(terminalError(change.state, change.event))
        }
      })
    })
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writes

  /** Returns the created path (with its sequence suffix). Container → opcode 19, TTL → 21, otherwise 1. */
  create(path: string, data: Data = null, options: CreateOptions = {}): Promise<string> {
    return this.createWith(path, data, options, false).then((created) => created.path)
  }

  /** Like `create`, also returning the new node's Stat (opcode 15; 19 for containers, 21 for TTL). */
  create2(path: string, data: Data = null, options: CreateOptions = {}): Promise<CreateResult> {
    return this.createWith(path, data, options, true)
  }

  private createWith<S extends boolean>(
    path: string,
    data: Data,
    options: CreateOptions,
    withStat: S,
  ): Promise<S extends true ? CreateResult : { path: string; stat: Stat | null }> {
    const mode = options.mode ?? 0
    const info = createModeInfo(mode)
    if (info === undefined) return this.fail(ErrorCode.BADARGUMENTS, path, `unknown create mode ${mode}`)
    const invalid = this.invalid(path, info.sequential)
    if (invalid !== undefined) return invalid
    const acl = options.acl ?? OPEN_ACL_UNSAFE
    if (acl.length === 0) return this.fail(ErrorCode.INVALIDACL, path)
    const ttl = options.ttlMs === undefined ? undefined : BigInt(options.ttlMs)
    if (info.ttl && (ttl === undefined || ttl <= 0n || ttl > MAX_TTL_MS)) {
      return this.fail(ErrorCode.BADARGUMENTS, path, `TTL must be in (0, ${MAX_TTL_MS}] ms`)
    }
    if (!info.ttl && ttl !== undefined) return this.fail(ErrorCode.BADARGUMENTS, path, 'ttlMs needs a TTL create mode')
    const opCode = info.container
      ? OpCode.createContainer
      : info.ttl
        ? OpCode.createTTL
        : withStat
          ? OpCode.create2
          : OpCode.create
    const request = { path: this.toServer(path), data: toBuffer(data), acl: acl as ACL[], flags: mode }
    const write =
      opCode === OpCode.createTTL
        ? (w: JuteWriter) => CreateTTLRequest.write(w, { ...request, ttl: ttl ?? -1n })
        : (w: JuteWriter) => CreateRequest.write(w, request)
    return this.session.submit(opCode, write, (err, r) => {
      this.check(err, r, path)
      if (opCode === OpCode.create) return { path: this.toClient(CreateResponse.read(r!).path), stat: null }
      const created = Create2Response.read(r!)
      return { path: this.toClient(created.path), stat: created.stat }
    }) as Promise<S extends true ? CreateResult : { path: string; stat: Stat | null }>
  }

  delete(path: string, version = -1): Promise<void> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.delete,
      (w) => DeleteRequest.write(w, { path: serverPath, version }),
      (err) => this.check(err, undefined, path),
    )
  }

  setData(path: string, data: Data, version = -1): Promise<Stat> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const request = { path: this.toServer(path), data: toBuffer(data), version }
    return this.session.submit(
      OpCode.setData,
      (w) => SetDataRequest.write(w, request),
      (err, r) => {
        this.check(err, r, path)
        return StatResponse.read(r!).stat
      },
    )
  }

  setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    if (acl.length === 0) return this.fail(ErrorCode.INVALIDACL, path)
    const request = { path: this.toServer(path), acl: acl as ACL[], version }
    return this.session.submit(
      OpCode.setACL,
      (w) => SetACLRequest.write(w, request),
      (err, r) => {
        this.check(err, r, path)
        return StatResponse.read(r!).stat
      },
    )
  }

  /**
   * Atomic multi (opcode 14). Resolves with one typed result per op; if any op fails nothing is applied and the
   * promise rejects with a KeeperException whose `results` hold every op's outcome (Java's getResults()).
   */
  multi<const T extends readonly WriteOp[]>(ops: T): Promise<MultiResults<T>> {
    for (const op of ops) {
      const sequential = op.kind === 'create' && createModeInfo(op.mode)?.sequential === true
      const invalid = this.invalid(op.path, sequential)
      if (invalid !== undefined) return invalid
    }
    return this.session.submit(
      OpCode.multi,
      (w) => writeMultiRequest(w, ops, this.session.chroot),
      (err, r) => {
        this.check(err, r, undefined)
        const results = readMultiResponse(r!, this.session.chroot)
        const failure = firstFailure(results)
        if (failure !== undefined) throw new KeeperException(failure.code, ops[failure.index]?.path, results)
        return results as MultiResults<T>
      },
    )
  }

  /** Independent reads in one round trip (opcode 22); each result is the op's data or its own error. */
  multiRead<const T extends readonly ReadOp[]>(ops: T): Promise<MultiReadResults<T>> {
    for (const op of ops) {
      const invalid = this.invalid(op.path)
      if (invalid !== undefined) return invalid
    }
    return this.session.submit(
      OpCode.multiRead,
      (w) => writeMultiRequest(w, ops, this.session.chroot),
      (err, r) => {
        this.check(err, r, undefined)
        return readMultiResponse(r!, this.session.chroot) as MultiReadResults<T>
      },
    )
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reads

  /** The node's Stat, or null if it does not exist. A watcher is set either way (data watch / exist watch). */
  exists(path: string, watch?: WatchArgument): Promise<Stat | null> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const watcher = this.watcherOf(watch)
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.exists,
      (w) => PathWatchRequest.write(w, { path: serverPath, watch: watcher !== undefined }),
      (err, r) => {
        if (err === ErrorCode.NONODE) {
          if (watcher !== undefined) this.session.watches.add('exist', serverPath, watcher)
          return null
        }
        this.check(err, r, path)
        if (watcher !== undefined) this.session.watches.add('data', serverPath, watcher)
        return StatResponse.read(r!).stat
      },
    )
  }

  getData(path: string, watch?: WatchArgument): Promise<DataResult> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    return this.readData(OpCode.getData, this.toServer(path), path, this.watcherOf(watch))
  }

  /** The data of `/zookeeper/config` (the ensemble's dynamic config); never chrooted, as in Java. */
  getConfig(watch?: WatchArgument): Promise<DataResult> {
    return this.readData(OpCode.getData, CONFIG_NODE, CONFIG_NODE, this.watcherOf(watch))
  }

  private readData(opCode: number, serverPath: string, path: string, watcher: Watcher | undefined): Promise<DataResult> {
    return this.session.submit(
      opCode,
      (w) => PathWatchRequest.write(w, { path: serverPath, watch: watcher !== undefined }),
      (err, r) => {
        this.check(err, r, path)
        if (watcher !== undefined) this.session.watches.add('data', serverPath, watcher)
        return GetDataResponse.read(r!)
      },
    )
  }

  getACL(path: string): Promise<AclResult> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.getACL,
      (w) => PathRequest.write(w, { path: serverPath }),
      (err, r) => {
        this.check(err, r, path)
        return GetACLResponse.read(r!)
      },
    )
  }

  /** Child names (unordered, as the server keeps them). */
  getChildren(path: string, watch?: WatchArgument): Promise<string[]> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const watcher = this.watcherOf(watch)
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.getChildren,
      (w) => PathWatchRequest.write(w, { path: serverPath, watch: watcher !== undefined }),
      (err, r) => {
        this.check(err, r, path)
        if (watcher !== undefined) this.session.watches.add('child', serverPath, watcher)
        return GetChildrenResponse.read(r!).children
      },
    )
  }

  /** Child names and the parent's Stat (opcode 12). */
  getChildren2(path: string, watch?: WatchArgument): Promise<ChildrenResult> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const watcher = this.watcherOf(watch)
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.getChildren2,
      (w) => PathWatchRequest.write(w, { path: serverPath, watch: watcher !== undefined }),
      (err, r) => {
        this.check(err, r, path)
        if (watcher !== undefined) this.session.watches.add('child', serverPath, watcher)
        return GetChildren2Response.read(r!)
      },
    )
  }

  /** Number of all descendants of `path` (opcode 104). */
  getAllChildrenNumber(path: string): Promise<number> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.getAllChildrenNumber,
      (w) => PathRequest.write(w, { path: serverPath }),
      (err, r) => {
        this.check(err, r, path)
        return GetAllChildrenNumberResponse.read(r!).totalNumber
      },
    )
  }

  /** This session's ephemeral nodes whose path starts with `prefixPath` (plain string prefix, as the server does). */
  getEphemerals(prefixPath = '/'): Promise<string[]> {
    const invalid = this.invalid(prefixPath)
    if (invalid !== undefined) return invalid
    const prefix = this.toServer(prefixPath)
    return this.session.submit(
      OpCode.getEphemerals,
      (w) => GetEphemeralsRequest.write(w, { prefixPath: prefix }),
      (err, r) => {
        this.check(err, r, prefixPath)
        return GetEphemeralsResponse.read(r!).ephemerals.map((path) => this.toClient(path))
      },
    )
  }

  /** The identities this connection holds (opcode 107). */
  whoAmI(): Promise<ClientInfo[]> {
    return this.session.submit(OpCode.whoAmI, undefined, (err, r) => {
      this.check(err, r, undefined)
      return WhoAmIResponse.read(r!).clientInfo
    })
  }

  /** Waits until the server this client is connected to has applied everything committed before; echoes the path. */
  sync(path: string): Promise<string> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.sync,
      (w) => PathRequest.write(w, { path: serverPath }),
      (err, r) => {
        this.check(err, r, path)
        return this.toClient(PathRequest.read(r!).path)
      },
    )
  }

  /** Dynamic reconfiguration (opcode 16); resolves with the new config text and the Stat of /zookeeper/config. */
  reconfig(options: ReconfigOptions): Promise<DataResult> {
    const request = {
      joiningServers: options.joining ?? null,
      leavingServers: options.leaving ?? null,
      newMembers: options.newMembers ?? null,
      curConfigId: options.fromConfig ?? -1n,
    }
    return this.session.submit(
      OpCode.reconfig,
      (w) => ReconfigRequest.write(w, request),
      (err, r) => {
        this.check(err, r, undefined)
        return GetDataResponse.read(r!)
      },
    )
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Watches

  /** A persistent (mode 0) or persistent-recursive (mode 1) watch; it stays until removed (opcode 106). */
  addWatch(path: string, watcher: Watcher, mode: AddWatchModeValue): Promise<void> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    const kind: WatchKind = mode === AddWatchMode.PERSISTENT_RECURSIVE ? 'persistentRecursive' : 'persistent'
    return this.session.submit(
      OpCode.addWatch,
      (w) => AddWatchRequest.write(w, { path: serverPath, mode }),
      (err) => {
        this.check(err, undefined, path)
        this.session.watches.add(kind, serverPath, watcher)
      },
    )
  }

  /**
   * Removes one watcher (Java sends checkWatches, opcode 17, since other watchers of this client may still need the
   * server-side watch). The removed watcher receives DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved.
   * With `local`, it is removed here even if the server cannot be reached or disagrees.
   */
  removeWatches(path: string, watcher: Watcher, type: WatcherTypeValue, local = false): Promise<void> {
    return this.removeWith(OpCode.checkWatches, path, watcher, type, local)
  }

  /** Removes every watcher of `type` at `path` (opcode 18), on the server too. */
  removeAllWatches(path: string, type: WatcherTypeValue, local = false): Promise<void> {
    return this.removeWith(OpCode.removeWatches, path, undefined, type, local)
  }

  /** Asks the server whether this connection has a watch of `type` at `path` (opcode 17); NOWATCHER if not. */
  checkWatches(path: string, type: WatcherTypeValue): Promise<void> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    return this.session.submit(
      OpCode.checkWatches,
      (w) => WatchesRequest.write(w, { path: serverPath, type }),
      (err) => this.check(err, undefined, path),
    )
  }

  private removeWith(
    opCode: number,
    path: string,
    watcher: Watcher | undefined,
    type: WatcherTypeValue,
    local: boolean,
  ): Promise<void> {
    const invalid = this.invalid(path)
    if (invalid !== undefined) return invalid
    const serverPath = this.toServer(path)
    const watches = this.session.watches
    return this.session.submit(
      opCode,
      (w) => WatchesRequest.write(w, { path: serverPath, type }),
      (err) => {
        // Java's WatchDeregistration.unregister, run when the reply (or the failure) is known.
        if (!watches.contains(serverPath, watcher, type)) throw new KeeperException(ErrorCode.NOWATCHER, path)
        if (!local && err !== 0) throw new KeeperException(err, path)
        const removed = watches.remove(serverPath, watcher, type)
        const lost = err === ErrorCode.CONNECTIONLOSS || err === ErrorCode.SESSIONEXPIRED
        const state = lost ? KeeperState.Disconnected : KeeperState.SyncConnected
        let any = false
        for (const group of ['data', 'child', 'persistent'] as const) {
          if (removed[group].size === 0) continue
          any = true
          const event: WatchedEvent = { type: REMOVAL_EVENT[group], state, path }
          this.session.deliverEvent(removed[group], event)
        }
        if (!any) throw new KeeperException(ErrorCode.NOWATCHER, path)
      },
    )
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Session

  /** Adds credentials (e.g. 'digest', 'user:password') to this session; re-sent after every reconnect. */
  addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    return this.session.addAuth(scheme, typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth)
  }

  /** Closes the session (closeSession, then the socket); waits for the server at most `timeoutMs`. */
  close(timeoutMs = 10_000): Promise<void> {
    return this.session.close(timeoutMs)
  }

  /** Drops the current connection as a network failure would; the session moves to the next host. */
  dropConnection(): void {
    this.session.dropConnection()
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private toServer(path: string): string {
    return this.session.chroot.toServer(path)
  }

  private toClient(path: string): string {
    return this.session.chroot.toClient(path)
  }

  private watcherOf(watch: WatchArgument): Watcher | undefined {
    if (watch === undefined || watch === false) return undefined
    if (watch !== true) return watch
    const watcher = this.session.defaultWatcher
    if (watcher === undefined) throw new TypeError('watch=true needs a defaultWatcher in the client options')
    return watcher
  }

  private invalid(path: string, sequential = false): Promise<never> | undefined {
    const reason = typeof path === 'string' ? invalidPathReason(path, sequential) : 'Path must be a string'
    if (reason === undefined) return undefined
    return this.fail(ErrorCode.BADARGUMENTS, path, `invalid path: ${reason}`)
  }

  private fail(code: number, path: string, detail?: string): Promise<never> {
    return Promise.reject(new KeeperException(code, path, undefined, detail))
  }

  private check(err: number, _reader: JuteReader | undefined, path: string | undefined): void {
    if (err !== 0) throw new KeeperException(err, path)
  }
}
