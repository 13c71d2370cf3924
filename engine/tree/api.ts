/**
 * The contract of the znode tree, fixed first so that the tree, the request pipeline and the storage layer
 * can be written side by side. Implementations live beside this file (data-tree.ts, watch-manager.ts, acl.ts …).
 *
 * The tree is pure: no sockets, no files, no timers, no clocks (times arrive inside TxnHeaders).
 * Like Apache's DataTree, applying a txn fires the watches it triggers synchronously, so the caller sends a client
 * its notifications before any reply that reflects the change.
 */
import type { ACL, Id, Stat, StatPersisted } from '../proto/data-records'
import type { EventTypeValue } from '../proto/enums'
import type { TxnBody } from '../proto/txn'
import type { TxnDigest, TxnHeader } from '../proto/txn-records'
import type { Digest64, ZxidDigest } from './digest'
import type { JavaOrderedSet } from './java-hash-set'
import type { NamespaceStats } from './namespace-stats'

export interface DataNode {
  data: Buffer | null
  /** Key into the tree's ACL cache (Apache's ReferenceCountedACLCache); -1 means "no list" = world:anyone:cdrwa. */
  aclId: number
  /** Stored stat: `cversion` is the stored child-create counter (not the displayed value). */
  stat: StatPersisted
  /** Child names (not paths). Iteration order is insertion order; getChildren gives Apache's order. */
  children: Set<string>
  /**
   * The node's digest (DigestCalculator's CRC32 of path, data and stat) as the tree last summed it, as a signed int32
   * (`>>> 0` gives the CRC); 0 for nodes the digest leaves out (/zookeeper/…) or with digests disabled.
   */
  readonly digest: number
}

/** A watch notification as the server sends it (state is always SyncConnected on the wire). */
export interface WatchedEvent {
  type: EventTypeValue
  path: string
}

/** Something that holds watches: one client connection. Duplicates per (watcher, path, table) collapse. */
export interface Watcher {
  readonly watcherId: number
  /** The session id bound to this watcher (for wchc/wchp); 0n before the session exists. */
  readonly sessionId: bigint
  /** Auth ids held by the connection, to drop events on nodes it may not READ (3.8.4+). */
  readonly authIds: readonly Id[]
  process(event: WatchedEvent): void
}

/** Apache's ProcessTxnResult: the outcome of applying one txn (or one sub-txn of a multi). */
export interface ProcessTxnResult {
  clientId: bigint
  cxid: number
  zxid: bigint
  type: number
  err: number
  path: string
  /** For creates (create2/TTL/container), setData and setACL: the node's stat after the change. */
  stat?: Stat
  /** For multi: one result per sub-txn, in order. */
  multiResult?: ProcessTxnResult[]
}

export interface TreeOptions {
  /** Data of /zookeeper/config (empty in standalone; the membership text in an ensemble). */
  configData?: Buffer
  /**
   * `zookeeper.extendedTypesEnabled` (default false). Only when true is an ephemeralOwner whose top byte is 0xFF a
   * TTL node; otherwise Apache treats such an owner as an ordinary session id.
   */
  extendedTypesEnabled?: boolean
  /** `zookeeper.skipACL=yes`: watch notifications are never filtered by READ permission. */
  skipACL?: boolean
  /** The server's auth providers by scheme (ip and digest by default; add sasl / x509 when the server has them). */
  authProviders?: ReadonlyMap<string, AuthProvider>
  /** `zookeeper.digest.enabled` (default true): keep Apache's tree digest, its log, and compare logged digests. */
  digestEnabled?: boolean
  /** Where the tree reports what Apache's DataTree logs (digest mismatches). Default: nowhere. */
  log?: TreeLog
}

export type TreeLog = (level: 'info' | 'warn' | 'error', message: string) => void

/** One auth scheme as the server knows it (Apache's ServerAuthenticationProvider, as far as ACLs are concerned). */
export interface AuthProvider {
  readonly scheme: string
  /** Whether ids of this scheme are "authenticated" ones that an `auth:` ACL entry expands to (ip is not). */
  readonly authenticated: boolean
  /** Whether `id` is a well-formed ACL id of this scheme (fixupACL). */
  isValid(id: string): boolean
  /** Whether a connection holding `authId` matches the ACL id `aclId` (checkACL). */
  matches(authId: string, aclId: string): boolean
}

export interface DataTreeApi {
  /** zxid of the last txn applied. */
  lastProcessedZxid: bigint

  // ---- reads (never validated beyond existence; a malformed path just yields NoNode) ----
  getNode(path: string): DataNode | undefined
  /** The client-visible Stat of a node (displayed cversion = 2·stored − numChildren, owner 0 for container/TTL). */
  statOf(node: DataNode): Stat
  /** The node's ACL list (world:anyone:cdrwa for aclId -1). */
  aclOf(node: DataNode): readonly ACL[]
  /** Throws KeeperError(NONODE). Registers a data watch only when the node exists. */
  getData(path: string, watcher?: Watcher): { data: Buffer | null; stat: Stat }
  /**
   * Throws KeeperError(NONODE). Registers a child watch only when the node exists. Children come in the order
   * Apache's HashSet iterates them (see children.ts).
   */
  getChildren(path: string, watcher?: Watcher): { children: string[]; stat: Stat }
  /**
   * getChildren with the children already encoded as the reply carries them: a jute `vector<ustring>` (int count,
   * then int length + UTF-8 bytes per name), in Apache's order. May be a cached buffer: never modify it.
   */
  getChildrenVector(path: string, watcher?: Watcher): { vector: Buffer; stat: Stat }
  /** Null when absent. Registers a data watch whether or not the node exists. */
  exists(path: string, watcher?: Watcher): Stat | null
  getAllChildrenNumber(path: string): number
  /** Paths of a session's ephemerals (empty set when none), with Apache's HashSet order. */
  ephemeralsOf(sessionId: bigint): JavaOrderedSet
  /** Every session that owns ephemerals, for `dump`. */
  ephemeralSessions(): ReadonlyMap<bigint, JavaOrderedSet>
  /** Container nodes and TTL nodes, for the reaper. */
  containers(): ReadonlySet<string>
  ttlNodes(): ReadonlySet<string>

  // ---- writes ----
  /**
   * Applies one txn (idempotently on replay, as Apache's fuzzy snapshots need) and fires its watches. With a
   * `digest` (the leader's, from the log or a PROPOSAL), compares it with the tree's digest afterwards; a mismatch is
   * counted and reported, never fatal.
   */
  processTxn(header: TxnHeader, body: TxnBody, digest?: TxnDigest | null): ProcessTxnResult

  // ---- digest (Apache's NodeHashMapImpl + DataTree digest log) ----
  /** The tree's digest now (Apache's `getTreeDigest`): the sum of every digested node's digest. */
  treeDigest(): Digest64
  /** The recent {zxid, digest} records, oldest first: one per txn whose zxid is a multiple of 128, at most 1024. */
  digestLog(): readonly ZxidDigest[]
  /** Logged digests this tree found different from its own (replay included). */
  readonly digestMismatchCount: number
  /** Told of every mismatch (Apache's DigestWatcher); the server counts them for mntr. */
  onDigestMismatch: ((zxid: bigint) => void) | null

  // ---- watches (the tree owns the WatchManager; the server adds/removes through these) ----
  addWatch(path: string, watcher: Watcher, mode: 0 | 1): void
  /** Returns false when nothing matched (the server answers NoWatcher). `type` is a WatcherType. */
  removeWatches(path: string, type: number, watcher: Watcher): boolean
  checkWatches(path: string, type: number, watcher: Watcher): boolean
  /** Re-registration after reconnect with Apache's catch-up events (see reference §4.8). */
  setWatches(
    relativeZxid: bigint,
    lists: {
      dataWatches: string[]
      existWatches: string[]
      childWatches: string[]
      persistentWatches: string[]
      persistentRecursiveWatches: string[]
    },
    watcher: Watcher,
  ): void
  /** Drops every watch of a connection that went away. */
  removeWatcher(watcher: Watcher): void

  // ---- figures for 4lw / mntr ----
  /** Apache's per-namespace read/write metrics (mntr `…_read_per_namespace`, `…_write_per_namespace`). */
  readonly namespaceStats: NamespaceStats
  /** Map entries including the "" alias of the root: a fresh tree reports 5. */
  readonly nodeCount: number
  /** Σ(path length + data length) over the entries, as Apache's approximateDataSize. */
  approximateDataSize(): number
  watchSummary(): { connections: number; paths: number; totalWatches: number }
  /** watchCount for mntr: data + child watch entries. */
  watchCount(): number
  watchesByConnection(): Map<bigint, string[]>
  watchesByPath(): Map<string, bigint[]>
}

export type { ACL, Id, Stat, StatPersisted }
export type { Digest64, ZxidDigest }
export type { JavaOrderedSet }
