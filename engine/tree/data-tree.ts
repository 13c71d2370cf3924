import type { ACL, Stat } from '../proto/data-records'
import { Perms, READ_ACL_UNSAFE } from '../proto/data-records'
import { CONTAINER_EPHEMERAL_OWNER, EventType } from '../proto/enums'
import { ErrorCode, KeeperError } from '../proto/errors'
import { OpCode } from '../proto/opcodes'
import type { TxnBody } from '../proto/txn'
import type { TxnDigest, TxnHeader } from '../proto/txn-records'
import { AclCache, checkACL } from './acl'
import type { AuthProvider, DataNode, DataTreeApi, ProcessTxnResult, TreeOptions, Watcher } from './api'
import { DEFAULT_AUTH_PROVIDERS } from './auth-providers'
import { DataArena, EMPTY_DATA } from './data-arena'
import { TreeNode, addChild, createStat, emptyStatPersisted, statOf } from './data-node'
import { AdHash, type Digest64, type ZxidDigest, isDigested, nodeDigest } from './digest'
import { DigestHistory } from './digest-history'
import { OwnerKind, ownerKind, ttlOwner } from './ephemeral-type'
import { JavaHashSet, type JavaOrderedSet } from './java-hash-set'
import { NamespaceStats } from './namespace-stats'
import { LIMIT_NODE, QUOTA_ROOT, QuotaTracker, type QuotaCheckResult } from './quota'
import { WatchManager } from './watch-manager'

export type { QuotaCheckResult } from './quota'

const ROOT_PATH = '/'
const PROC_PATH = '/zookeeper'
const CONFIG_PATH = '/zookeeper/config'
/** What a session without ephemerals shows: Apache's `new HashSet<String>()`. Never added to (typed read-only). */
const NO_EPHEMERALS: JavaOrderedSet = new JavaHashSet()

/** Sub-txn types Apache's multi apply accepts; any other stops the multi where it stands (Apache's IOException). */
const MULTI_SUB_TYPES: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.error,
  OpCode.check,
])

/**
 * The znode tree with Apache 3.8's DataTree semantics: stat maintenance, ACL cache, ephemerals, containers, TTL
 * nodes, quota bookkeeping and watches. Pure: no I/O, no clocks (times come in TxnHeaders).
 */
export class DataTree implements DataTreeApi {
  lastProcessedZxid = 0n
  readonly watchManager: WatchManager
  readonly extendedTypesEnabled: boolean
  /** Apache's READ/WRITE_PER_NAMESPACE metrics, recorded where Apache's DataTree records them. */
  readonly namespaceStats = new NamespaceStats()

  private readonly nodes = new Map<string, TreeNode>()
  private readonly aclCache = new AclCache()
  /** Each session's ephemerals, as Apache's per-session `HashSet`s (iteration order matters: see JavaHashSet). */
  private readonly ephemeralsBySession = new Map<bigint, JavaHashSet>()
  private readonly containerPaths = new Set<string>()
  private readonly ttlPaths = new Set<string>()
  private readonly quotas = new QuotaTracker(this.nodes)
  private readonly dataArena = new DataArena()
  private readonly skipACL: boolean
  private readonly authProviders: ReadonlyMap<string, AuthProvider>
  /** Apache's `nodeDataSize` (what mntr shows): kept up to date by create / delete / setData only. */
  private cachedDataSizeBytes = 0
  /** `zookeeper.digest.enabled`: with it off the sum stays 0 and nothing is compared (Apache's calculator returns 0). */
  readonly digestEnabled: boolean
  /** The tree digest: every digested node's digest summed as nodes come, change (out, then in again) and go. */
  private readonly hash = new AdHash()
  private readonly digests: DigestHistory

  constructor(options?: TreeOptions) {
    this.extendedTypesEnabled = options?.extendedTypesEnabled ?? false
    this.skipACL = options?.skipACL ?? false
    this.authProviders = options?.authProviders ?? DEFAULT_AUTH_PROVIDERS
    this.digestEnabled = options?.digestEnabled ?? true
    this.digests = new DigestHistory(this.hash, this.digestEnabled, options?.log)
    this.watchManager = new WatchManager(
      (watcher, acl) => checkACL(acl, Perms.READ, watcher.authIds, { skipACL: this.skipACL, providers: this.authProviders }),
    )
    this.addInitialNodes(options?.configData ?? EMPTY_DATA)
  }

  /** `/`, its alias ``, `/zookeeper`, `/zookeeper/quota` (all ACL id -1) and `/zookeeper/config` (read-only ACL). */
  private addInitialNodes(configData: Buffer): void {
    const root = new TreeNode(EMPTY_DATA, -1, emptyStatPersisted())
    this.nodes.set('', root)
    this.addDigest('', root)
    // The `/` alias is the same node: summed once, under "" (Apache's putWithoutDigest).
    this.nodes.set(ROOT_PATH, root)
    const proc = new TreeNode(EMPTY_DATA, -1, emptyStatPersisted())
    addChild(root, 'zookeeper')
    this.nodes.set(PROC_PATH, proc)
    this.addDigest(PROC_PATH, proc)
    addChild(proc, 'quota')
    this.nodes.set(QUOTA_ROOT, new TreeNode(EMPTY_DATA, -1, emptyStatPersisted()))
    this.addConfigNode(configData)
    this.cachedDataSizeBytes = this.computeApproximateDataSize()
  }

  /** Apache's `addConfigNode`: a fresh /zookeeper/config with READ_ACL_UNSAFE and aversion -1. */
  private addConfigNode(data: Buffer): void {
    const proc = this.nodes.get(PROC_PATH)
    if (proc === undefined) return
    addChild(proc, 'config')
    const config = new TreeNode(data, -1, emptyStatPersisted())
    this.nodes.set(CONFIG_PATH, config)
    this.applySetACL(CONFIG_PATH, READ_ACL_UNSAFE, -1)
  }

  /**
   * Apache's `ZKDatabase.initConfigInZKDatabase` (quorum mode, at start and after loading a snapshot): the config
   * node gets the membership text with version -1, mzxid = the config version and mtime = the local wall clock.
   */
  initConfigNode(data: Buffer, configVersion: bigint, timeMs: number): void {
    if (!this.nodes.has(CONFIG_PATH)) this.addConfigNode(EMPTY_DATA)
    this.applySetData(CONFIG_PATH, data, -1, configVersion, timeMs)
  }

  // ---------------------------------------------------------------------------------------------------- reads

  get nodeCount(): number {
    return this.nodes.size
  }

  getNode(path: string): TreeNode | undefined {
    return this.nodes.get(path)
  }

  statOf(node: DataNode): Stat {
    return statOf(node, this.extendedTypesEnabled)
  }

  aclOf(node: DataNode): readonly ACL[] {
    const acl = this.aclCache.convertLong(node.aclId)
    // Apache throws too: only a node loaded from a fuzzy snapshot, before its create is replayed, can get here.
    if (acl === undefined) throw new Error(`ACL not available for id ${node.aclId}`)
    return acl
  }

  getData(path: string, watcher?: Watcher): { data: Buffer | null; stat: Stat } {
    const node = this.nodes.get(path)
    if (node === undefined) throw new KeeperError(ErrorCode.NONODE, path)
    if (watcher !== undefined) this.watchManager.addDataWatch(path, watcher)
    this.namespaceStats.read(path, node.data === null ? 0 : node.data.length)
    return { data: node.data, stat: this.statOf(node) }
  }

  getChildren(path: string, watcher?: Watcher): { children: string[]; stat: Stat } {
    const node = this.nodes.get(path)
    if (node === undefined) throw new KeeperError(ErrorCode.NONODE, path)
    if (watcher !== undefined) this.watchManager.addChildWatch(path, watcher)
    this.namespaceStats.read(path, node.children.nameChars)
    return { children: node.children.javaOrder(), stat: this.statOf(node) }
  }

  getChildrenVector(path: string, watcher?: Watcher): { vector: Buffer; stat: Stat } {
    const node = this.nodes.get(path)
    if (node === undefined) throw new KeeperError(ErrorCode.NONODE, path)
    if (watcher !== undefined) this.watchManager.addChildWatch(path, watcher)
    this.namespaceStats.read(path, node.children.nameChars)
    return { vector: node.children.encodedVector(), stat: this.statOf(node) }
  }

  /** getACL's answer: the node's list and stat. Throws KeeperError(NONODE). */
  getACL(path: string): { acl: readonly ACL[]; stat: Stat } {
    const node = this.nodes.get(path)
    if (node === undefined) throw new KeeperError(ErrorCode.NONODE, path)
    return { acl: this.aclOf(node), stat: this.statOf(node) }
  }

  exists(path: string, watcher?: Watcher): Stat | null {
    if (watcher !== undefined) this.watchManager.addDataWatch(path, watcher)
    const node = this.nodes.get(path)
    if (node === undefined) return null
    this.namespaceStats.read(path, 0)
    return this.statOf(node)
  }

  /** Descendants of `path` (Apache counts map keys under `path/`; `/` is the map size minus its two root keys). */
  getAllChildrenNumber(path: string): number {
    if (path === ROOT_PATH) return this.nodes.size - 2
    if (path === '') return this.nodes.size - 1
    const node = this.nodes.get(path)
    if (node === undefined) return 0
    let count = 0
    const pending: string[] = [path]
    for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
      const children = this.nodes.get(current)?.children
      if (children === undefined) continue
      for (const child of children) {
        count++
        pending.push(current + '/' + child)
      }
    }
    return count
  }

  ephemeralsOf(sessionId: bigint): JavaOrderedSet {
    return this.ephemeralsBySession.get(sessionId) ?? NO_EPHEMERALS
  }

  /** Sessions that own (or owned, until they close: Apache keeps emptied sets) ephemerals. */
  ephemeralSessions(): ReadonlyMap<bigint, JavaOrderedSet> {
    return this.ephemeralsBySession
  }

  /** mntr `zk_ephemerals_count`. */
  ephemeralsCount(): number {
    let count = 0
    for (const paths of this.ephemeralsBySession.values()) count += paths.size
    return count
  }

  containers(): ReadonlySet<string> {
    return this.containerPaths
  }

  ttlNodes(): ReadonlySet<string> {
    return this.ttlPaths
  }

  /** Distinct ACL lists in the cache (Apache's `aclCacheSize`). */
  get aclCacheSize(): number {
    return this.aclCache.size
  }

  // ---------------------------------------------------------------------------------------------------- writes

  processTxn(header: TxnHeader, body: TxnBody, digest?: TxnDigest | null): ProcessTxnResult {
    const result = this.apply(header, body, false)
    if (digest !== undefined && digest !== null) this.digests.compare(header, digest)
    return result
  }

  private apply(header: TxnHeader, body: TxnBody, isSubTxn: boolean): ProcessTxnResult {
    const result: ProcessTxnResult = {
      clientId: header.clientId,
      cxid: header.cxid,
      zxid: header.zxid,
      type: header.type,
      err: ErrorCode.OK,
      path: '',
    }
    const zxid = header.zxid
    const timeMs = header.time
    switch (body.type) {
      case OpCode.create:
      case OpCode.create2: {
        const txn = body.txn
        result.path = txn.path
        const owner = txn.ephemeral ? header.clientId : 0n
        const wantStat = body.type === OpCode.create2
        this.recordCreate(result, this.createNode(txn.path, txn.data, txn.acl, owner, txn.parentCVersion, zxid, timeMs, wantStat))
        break
      }
      case OpCode.createTTL: {
        const txn = body.txn
        result.path = txn.path
        const owner = ttlOwner(txn.ttl)
        this.recordCreate(result, this.createNode(txn.path, txn.data, txn.acl, owner, txn.parentCVersion, zxid, timeMs, true))
        break
      }
      case OpCode.createContainer: {
        const txn = body.txn
        result.path = txn.path
        const owner = CONTAINER_EPHEMERAL_OWNER
        this.recordCreate(result, this.createNode(txn.path, txn.data, txn.acl, owner, txn.parentCVersion, zxid, timeMs, true))
        break
      }
      case OpCode.delete:
      case OpCode.deleteContainer:
        result.path = body.txn.path
        result.err = this.deleteNode(body.txn.path, zxid)
        break
      case OpCode.setData:
      case OpCode.reconfig: {
        const txn = body.txn
        result.path = txn.path
        const stat = this.applySetData(txn.path, txn.data, txn.version, zxid, timeMs)
        if (stat === undefined) result.err = ErrorCode.NONODE
        else result.stat = stat
        break
      }
      case OpCode.setACL: {
        result.path = body.txn.path
        const stat = this.applySetACL(body.txn.path, body.txn.acl, body.txn.version)
        if (stat === undefined) result.err = ErrorCode.NONODE
        else result.stat = stat
        break
      }
      case OpCode.closeSession:
        this.killSession(header.clientId, zxid, body.txn.paths2Delete)
        break
      case OpCode.error:
        result.err = body.txn.err
        break
      case OpCode.check:
        result.path = body.txn.path
        break
      case OpCode.createSession:
        // Sessions live in the session tracker, not in the tree.
        break
      case OpCode.multi:
        this.applyMulti(header, body.txns, result)
        break
    }
    // A create replayed over a node that exists (fuzzy snapshot) still brings the parent's cversion/pzxid forward.
    // Apache does this for opcode create only, not create2/TTL/container.
    if (header.type === OpCode.create && body.type === OpCode.create && result.err === ErrorCode.NODEEXISTS) {
      const parent = result.path.slice(0, Math.max(result.path.lastIndexOf('/'), 0))
      result.err = this.setCversionPzxid(parent, body.txn.parentCVersion, zxid)
      if (result.err === ErrorCode.OK) result.err = ErrorCode.NODEEXISTS
    }
    // Only after the whole txn (a multi included) is applied, so a snapshot never claims half a multi.
    if (!isSubTxn) {
      if (result.zxid > this.lastProcessedZxid) this.lastProcessedZxid = result.zxid
      this.digests.txnApplied(result.zxid, timeMs)
    }
    return result
  }

  private recordCreate(result: ProcessTxnResult, outcome: number | Stat): void {
    if (typeof outcome === 'number') result.err = outcome
    else result.stat = outcome
  }

  /**
   * Apache's multi apply: if any sub-txn is an error, every other one becomes an error too (0 before the first
   * failure, RuntimeInconsistency after), so a failed multi changes nothing. The multi's err is the first non-zero.
   */
  private applyMulti(header: TxnHeader, txns: readonly TxnBody[], result: ProcessTxnResult): void {
    const results: ProcessTxnResult[] = []
    result.multiResult = results
    const failed = txns.some((sub) => sub.type === OpCode.error)
    let afterFailure = false
    for (const sub of txns) {
      if (!MULTI_SUB_TYPES.has(sub.type)) return
      if (sub.type === OpCode.error) afterFailure = true
      const effective: TxnBody =
        failed && sub.type !== OpCode.error
          ? { type: OpCode.error, txn: { err: afterFailure ? ErrorCode.RUNTIMEINCONSISTENCY : ErrorCode.OK } }
          : sub
      const subHeader: TxnHeader = { ...header, type: effective.type }
      const subResult = this.apply(subHeader, effective, true)
      results.push(subResult)
      if (subResult.err !== ErrorCode.OK && result.err === ErrorCode.OK) result.err = subResult.err
    }
  }

  /** Returns the new node's Stat when asked for (`wantStat`), an error code when the create cannot apply, else OK. */
  private createNode(
    path: string,
    data: Buffer | null,
    acl: readonly ACL[],
    owner: bigint,
    parentCVersion: number,
    zxid: bigint,
    timeMs: number,
    wantStat: boolean,
  ): number | Stat {
    const lastSlash = path.lastIndexOf('/')
    if (lastSlash < 0) return ErrorCode.NONODE
    const parentName = path.slice(0, lastSlash)
    const childName = path.slice(lastSlash + 1)
    const parent = this.nodes.get(parentName)
    if (parent === undefined) return ErrorCode.NONODE
    // The ACL goes into the cache first: a node from a fuzzy snapshot may point at a list the snapshot lacks.
    const aclId = this.aclCache.convertAcls(acl)
    const existing = this.nodes.get(path)
    if (existing !== undefined) {
      // Apache re-points the existing node at the txn's list (without dropping the old use; we balance the count).
      const previous = existing.aclId
      existing.aclId = aclId
      this.aclCache.removeUsage(previous)
      return ErrorCode.NODEEXISTS
    }
    const parentStat = parent.stat
    const newParentCVersion = parentCVersion === -1 ? parentStat.cversion + 1 : parentCVersion
    // Replay may meet a create older than the parent's state (created and deleted within the fuzzy window).
    if (newParentCVersion > parentStat.cversion) {
      parentStat.cversion = newParentCVersion
      parentStat.pzxid = zxid
    }
    const child = new TreeNode(this.dataArena.copy(data), aclId, createStat(zxid, timeMs, owner))
    addChild(parent, childName)
    this.changedDigest(parentName, parent)
    const dataBytes = data === null ? 0 : data.length
    this.cachedDataSizeBytes += path.length + dataBytes
    this.nodes.set(path, child)
    this.addDigest(path, child)
    if (owner !== 0n) this.trackOwner(path, owner)
    const stat = wantStat ? this.statOf(child) : ErrorCode.OK
    if (parentName.startsWith(QUOTA_ROOT)) this.quotas.quotaNodeCreated(parentName, childName)
    this.quotas.charge(path, dataBytes, 1)
    this.namespaceStats.write(path, dataBytes)
    if (this.hasWatches()) {
      const parentAcl = this.aclForEvent(parent)
      this.watchManager.nodeCreated(path, parentName === '' ? ROOT_PATH : parentName, acl, parentAcl)
    }
    return stat
  }

  private deleteNode(path: string, zxid: bigint): number {
    const lastSlash = path.lastIndexOf('/')
    if (lastSlash < 0) return ErrorCode.NONODE
    const parentName = path.slice(0, lastSlash)
    const childName = path.slice(lastSlash + 1)
    const parent = this.nodes.get(parentName)
    if (parent === undefined) return ErrorCode.NONODE
    // Even when the child is already gone (fuzzy replay), the parent's pzxid moves forward; never backwards.
    parent.children.delete(childName)
    if (zxid > parent.stat.pzxid) parent.stat.pzxid = zxid
    this.changedDigest(parentName, parent)
    const node = this.nodes.get(path)
    if (node === undefined) return ErrorCode.NONODE
    this.nodes.delete(path)
    this.removeDigest(path, node)
    const acl = this.hasWatches() ? this.aclForEvent(node) : undefined
    this.aclCache.removeUsage(node.aclId)
    const dataBytes = node.data === null ? 0 : node.data.length
    this.cachedDataSizeBytes -= path.length + dataBytes
    const owner = node.stat.ephemeralOwner
    if (owner !== 0n) this.untrackOwner(path, owner)
    if (childName === LIMIT_NODE && parentName.startsWith(PROC_PATH) && parentName.length > QUOTA_ROOT.length) {
      this.quotas.limitNodeDeleted(parentName)
    }
    this.quotas.charge(path, -dataBytes, -1)
    this.namespaceStats.write(path, 0)
    if (acl !== undefined) {
      this.watchManager.nodeDeleted(path, parentName === '' ? ROOT_PATH : parentName, acl, this.aclForEvent(parent))
    }
    return ErrorCode.OK
  }

  /** Returns the node's Stat after the change, or undefined when the node does not exist. */
  private applySetData(path: string, data: Buffer | null, version: number, zxid: bigint, timeMs: number): Stat | undefined {
    const node = this.nodes.get(path)
    if (node === undefined) return undefined
    const previousBytes = node.data === null ? 0 : node.data.length
    node.data = this.dataArena.copy(data)
    node.stat.mtime = timeMs
    node.stat.mzxid = zxid
    node.stat.version = version
    this.changedDigest(path, node)
    const stat = this.statOf(node)
    const dataBytes = data === null ? 0 : data.length
    this.quotas.charge(path, dataBytes - previousBytes, 0)
    this.cachedDataSizeBytes += dataBytes - previousBytes
    this.namespaceStats.write(path, dataBytes)
    if (this.hasWatches()) this.watchManager.nodeDataChanged(path, this.aclForEvent(node))
    return stat
  }

  /** `version` is the new aversion. Returns the Stat after the change, or undefined when the node does not exist. */
  private applySetACL(path: string, acl: readonly ACL[], version: number): Stat | undefined {
    const node = this.nodes.get(path)
    if (node === undefined) return undefined
    // Release before converting, as Apache does: a node that was a list's only user gets a fresh id for it.
    this.aclCache.removeUsage(node.aclId)
    node.stat.aversion = version
    node.aclId = this.aclCache.convertAcls(acl)
    this.changedDigest(path, node)
    return this.statOf(node)
  }

  /** Apache's `setCversionPzxid`, used when a replayed create finds its node already there. */
  private setCversionPzxid(path: string, newCversion: number, zxid: bigint): number {
    const key = path.endsWith('/') ? path.slice(0, -1) : path
    const node = this.nodes.get(key)
    if (node === undefined) return ErrorCode.NONODE
    const cversion = newCversion === -1 ? node.stat.cversion + 1 : newCversion
    if (cversion > node.stat.cversion) {
      node.stat.cversion = cversion
      node.stat.pzxid = zxid
      this.changedDigest(key, node)
    }
    return ErrorCode.OK
  }

  /**
   * closeSession: deletes the paths the txn lists (whoever owns them), then any ephemeral of the session the txn
   * did not list (Apache logs those as unexpected but deletes them too). Missing nodes are skipped.
   */
  private killSession(sessionId: bigint, zxid: bigint, paths2Delete: readonly string[]): void {
    const owned = this.ephemeralsBySession.get(sessionId)
    this.ephemeralsBySession.delete(sessionId)
    for (const path of paths2Delete) this.deleteNode(path, zxid)
    if (owned === undefined) return
    for (const path of paths2Delete) owned.delete(path)
    if (owned.size === 0) return
    for (const path of owned.javaOrder()) this.deleteNode(path, zxid)
  }

  private trackOwner(path: string, owner: bigint): void {
    switch (ownerKind(owner, this.extendedTypesEnabled)) {
      case OwnerKind.container:
        this.containerPaths.add(path)
        return
      case OwnerKind.ttl:
        this.ttlPaths.add(path)
        return
      case OwnerKind.session: {
        let paths = this.ephemeralsBySession.get(owner)
        if (paths === undefined) {
          paths = new JavaHashSet()
          this.ephemeralsBySession.set(owner, paths)
        }
        paths.add(path)
        return
      }
    }
  }

  private untrackOwner(path: string, owner: bigint): void {
    switch (ownerKind(owner, this.extendedTypesEnabled)) {
      case OwnerKind.container:
        this.containerPaths.delete(path)
        return
      case OwnerKind.ttl:
        this.ttlPaths.delete(path)
        return
      case OwnerKind.session:
        // The emptied set stays until the session closes, as in Apache (it shows in `dump`).
        this.ephemeralsBySession.get(owner)?.delete(path)
        return
    }
  }

  private hasWatches(): boolean {
    return this.watchManager.dataWatches.size > 0 || this.watchManager.childWatches.size > 0
  }

  /** The ACL that filters events on a node; a node whose list is missing (fuzzy load) is not filtered. */
  private aclForEvent(node: TreeNode): readonly ACL[] {
    return this.aclCache.convertLong(node.aclId) ?? []
  }

  // ---------------------------------------------------------------------------------------------------- digest

  treeDigest(): Digest64 {
    return this.hash.value()
  }

  digestLog(): readonly ZxidDigest[] {
    return this.digests.entries()
  }

  /**
   * What a snapshot written now ends with (Apache's `lastProcessedZxidDigest`): the digest after the last txn applied
   * outside a fuzzy window; null before any (the codec then writes the empty digest).
   */
  lastProcessedZxidDigest(): ZxidDigest | null {
    return this.digests.lastProcessed()
  }

  get digestMismatchCount(): number {
    return this.digests.mismatchCount
  }

  get onDigestMismatch(): ((zxid: bigint) => void) | null {
    return this.digests.onMismatch
  }

  set onDigestMismatch(listener: ((zxid: bigint) => void) | null) {
    this.digests.onMismatch = listener
  }

  /**
   * The digest a loaded snapshot ended with: compared with the tree when replay reaches its zxid (right away when that
   * is the snapshot's own); until then nothing is logged or compared (the tree is still fuzzy).
   */
  loadedSnapshotDigest(digest: ZxidDigest | null, snapshotZxid: bigint): void {
    this.digests.loadedSnapshot(digest, snapshotZxid)
  }

  /** A loaded snapshot's digest that replay never reached (the log stops short of it), or null. */
  get pendingSnapshotDigest(): ZxidDigest | null {
    return this.digests.pendingSnapshotDigest
  }

  /** Adds a node that just entered the map (NodeHashMapImpl.put). */
  private addDigest(path: string, node: TreeNode): void {
    if (!this.digestEnabled || !isDigested(path)) return
    const digest = nodeDigest(path, node.data, node.stat)
    node.digest = digest | 0
    this.hash.add(digest)
  }

  /** Takes out the digest a node was added with (NodeHashMapImpl.remove). */
  private removeDigest(path: string, node: TreeNode): void {
    if (!this.digestEnabled || !isDigested(path)) return
    this.hash.remove(node.digest >>> 0)
  }

  /** A node changed in place: its old digest out, its new one in (preChange / postChange). */
  private changedDigest(path: string, node: TreeNode): void {
    if (!this.digestEnabled || !isDigested(path)) return
    this.hash.remove(node.digest >>> 0)
    const digest = nodeDigest(path, node.data, node.stat)
    node.digest = digest | 0
    this.hash.add(digest)
  }

  // ---------------------------------------------------------------------------------------------------- quotas

  /**
   * ZooKeeperServer.checkQuota without the enforceQuota switch (the server decides): would adding `bytesDelta`
   * bytes and `countDelta` nodes under `path` pass the governing quota? Soft limits only report `exceeded`;
   * a hard limit also sets `hard`, which the server turns into QuotaExceeded when enforcement is on.
   */
  quotaCheck(path: string, bytesDelta: number, countDelta: number): QuotaCheckResult {
    return this.quotas.check(path, bytesDelta, countDelta)
  }

  // ---------------------------------------------------------------------------------------------------- watches

  addWatch(path: string, watcher: Watcher, mode: 0 | 1): void {
    this.watchManager.addPersistentWatch(path, watcher, mode)
  }

  removeWatches(path: string, type: number, watcher: Watcher): boolean {
    return this.watchManager.removeWatches(path, type, watcher)
  }

  checkWatches(path: string, type: number, watcher: Watcher): boolean {
    return this.watchManager.checkWatches(path, type, watcher)
  }

  /**
   * Apache's `DataTree.setWatches`: a watch whose condition already changed since `relativeZxid` fires at once
   * (unfiltered, one-shot, not registered); the others are registered. Persistent watches just register.
   */
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
  ): void {
    const manager = this.watchManager
    for (const path of lists.dataWatches) {
      const node = this.nodes.get(path)
      if (node === undefined) watcher.process({ type: EventType.NodeDeleted, path })
      else if (node.stat.mzxid > relativeZxid) watcher.process({ type: EventType.NodeDataChanged, path })
      else manager.addDataWatch(path, watcher)
    }
    for (const path of lists.existWatches) {
      if (this.nodes.has(path)) watcher.process({ type: EventType.NodeCreated, path })
      else manager.addDataWatch(path, watcher)
    }
    for (const path of lists.childWatches) {
      const node = this.nodes.get(path)
      if (node === undefined) watcher.process({ type: EventType.NodeDeleted, path })
      else if (node.stat.pzxid > relativeZxid) watcher.process({ type: EventType.NodeChildrenChanged, path })
      else manager.addChildWatch(path, watcher)
    }
    for (const path of lists.persistentWatches) manager.addPersistentWatch(path, watcher, 0)
    for (const path of lists.persistentRecursiveWatches) manager.addPersistentWatch(path, watcher, 1)
  }

  removeWatcher(watcher: Watcher): void {
    this.watchManager.removeWatcher(watcher)
  }

  // ---------------------------------------------------------------------------------------------------- figures

  /** Apache's cached `nodeDataSize` (mntr `zk_approximate_data_size`): Σ(path length + data length) over the map. */
  approximateDataSize(): number {
    return this.cachedDataSizeBytes
  }

  /** The same sum recomputed over every entry (Apache's uncached `approximateDataSize`). */
  computeApproximateDataSize(): number {
    let total = 0
    for (const [path, node] of this.nodes) total += path.length + (node.data === null ? 0 : node.data.length)
    return total
  }

  watchSummary(): { connections: number; paths: number; totalWatches: number } {
    return this.watchManager.summary()
  }

  watchCount(): number {
    return this.watchManager.count()
  }

  watchesByConnection(): Map<bigint, string[]> {
    return this.watchManager.byConnection()
  }

  watchesByPath(): Map<string, bigint[]> {
    return this.watchManager.byPath()
  }

  // ---------------------------------------------------------------------------------------------------- snapshots

  /** @internal (serialize.ts) Every ACL list with its id. */
  aclEntries(): IterableIterator<[number, readonly ACL[]]> {
    return this.aclCache.entries()
  }

  /** @internal (serialize.ts) Empties the tree before a snapshot is loaded into it. */
  beginLoad(): void {
    this.nodes.clear()
    this.aclCache.clear()
    this.ephemeralsBySession.clear()
    this.containerPaths.clear()
    this.ttlPaths.clear()
    this.quotas.clear()
    this.cachedDataSizeBytes = 0
    this.hash.clear()
    this.digests.reset()
  }

  /** @internal (serialize.ts) One ACL cache entry from a snapshot. */
  loadAcl(id: number, acl: readonly ACL[]): void {
    this.aclCache.load(id, acl)
  }

  /**
   * @internal (serialize.ts) One node from a snapshot, after its parent (the loader finds the parent; the root has
   * none and arrives under the path ``). Rebuilds the parent's children and the owner sets.
   */
  loadNode(path: string, node: TreeNode, parent: TreeNode | undefined, childName: string): void {
    this.aclCache.addUsage(node.aclId)
    this.nodes.set(path, node)
    this.addDigest(path, node)
    if (parent === undefined) return
    addChild(parent, childName)
    const owner = node.stat.ephemeralOwner
    if (owner !== 0n) this.trackOwner(path, owner)
  }

  /** @internal (serialize.ts) Finishes a load: the `/` alias, data size, quotas, unused ACL lists. */
  finishLoad(): boolean {
    const root = this.nodes.get('')
    if (root === undefined) return false
    this.nodes.set(ROOT_PATH, root)
    this.cachedDataSizeBytes = this.computeApproximateDataSize()
    this.quotas.setup()
    this.aclCache.purgeUnused()
    return true
  }
}
