// Types for the part of node-zookeeper-client 1.1.3 (plain JS, no typings) that nzk.ts uses.
// Written from its source rather than adding @types/node-zookeeper-client to the shared
// package.json for one file.
declare module 'node-zookeeper-client' {
  import type { EventEmitter } from 'node:events'

  type Callback<T> = (error: Exception | Error | null, result: T) => void

  /** jute `Stat`; longs arrive as 8-byte big-endian Buffers. */
  export interface RawStat {
    czxid: Buffer
    mzxid: Buffer
    ctime: Buffer
    mtime: Buffer
    version: number
    cversion: number
    aversion: number
    ephemeralOwner: Buffer
    dataLength: number
    numChildren: number
    pzxid: Buffer
  }

  export class Id {
    constructor(scheme: string, id: string)
    scheme: string
    id: string
  }

  export class ACL {
    constructor(permission: number, id: Id)
    permission: number
    id: Id
  }

  export interface Exception extends Error {
    code: number
    name: string
    path: string | undefined
    getCode(): number
    getName(): string
  }

  export interface State {
    name: string
    code: number
  }

  export interface Event {
    type: number
    name: string
    path: string
    getType(): number
    getName(): string
    getPath(): string
  }

  export type Watcher = (event: Event) => void

  /** One result of a committed transaction. */
  export interface TransactionResult {
    type: number
    path?: string
    stat?: RawStat
    err?: number
  }

  export interface Transaction {
    create(path: string, data?: Buffer | null, acls?: ACL[], mode?: number): Transaction
    check(path: string, version?: number): Transaction
    setData(path: string, data: Buffer | null, version?: number): Transaction
    remove(path: string, version?: number): Transaction
    commit(callback: (error: Exception | null, results: TransactionResult[] | undefined) => void): void
  }

  export interface ClientOptions {
    sessionTimeout?: number
    spinDelay?: number
    retries?: number
  }

  export interface Client extends EventEmitter {
    connect(): void
    close(): void
    getState(): State
    getSessionId(): Buffer
    getSessionTimeout(): number
    addAuthInfo(scheme: string, auth: Buffer): void
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Callback<string>): void
    remove(path: string, version: number, callback: (error: Exception | Error | null) => void): void
    setData(path: string, data: Buffer | null, version: number, callback: Callback<RawStat>): void
    getData(path: string, watcher: Watcher | undefined, callback: (error: Exception | Error | null, data: Buffer | undefined, stat: RawStat) => void): void
    exists(path: string, watcher: Watcher | undefined, callback: Callback<RawStat | null>): void
    getChildren(path: string, watcher: Watcher | undefined, callback: (error: Exception | Error | null, children: string[], stat: RawStat) => void): void
    getACL(path: string, callback: (error: Exception | Error | null, acls: ACL[], stat: RawStat) => void): void
    setACL(path: string, acls: ACL[], version: number, callback: Callback<RawStat>): void
    transaction(): Transaction
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client

  export const CreateMode: {
    PERSISTENT: 0
    EPHEMERAL: 1
    PERSISTENT_SEQUENTIAL: 2
    EPHEMERAL_SEQUENTIAL: 3
  }
  export const Permission: { READ: 1; WRITE: 2; CREATE: 4; DELETE: 8; ADMIN: 16; ALL: 31 }
  export const State: {
    DISCONNECTED: State
    SYNC_CONNECTED: State
    AUTH_FAILED: State
    CONNECTED_READ_ONLY: State
    SASL_AUTHENTICATED: State
    EXPIRED: State
  }
  export const Exception: {
    create(code: number, path?: string): Exception
  } & Record<string, number>

  const zookeeper: {
    createClient: typeof createClient
    ACL: typeof ACL
    Id: typeof Id
    CreateMode: typeof CreateMode
    Permission: typeof Permission
    State: typeof State
    Exception: typeof Exception
  }
  export default zookeeper
}
