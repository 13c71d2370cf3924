// diffs.*: compare two subtrees (one connection or two, even two clusters), page through the result, preview and
// apply a mirror or a selection with versioned multi transactions.
import { randomUUID } from 'node:crypto'
import { ErrorCode, KeeperException, type ZooKeeperClient, isNoNode } from '../../../engine/client'
import type { ParsedArgs } from '../../contract/contract'
import type { DiffApplyResult, DiffEndpoint, DiffEntriesPage, DiffEntry, DiffEntryData, DiffPlan, DiffView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { AuditLog } from '../audit-log'
import type { Connections, OpenConnection } from '../connections/connections'
import type { Operation, Operations } from '../operations'
import { nodeKindOf, toAclEntries, ttlMsOf } from '../znodes/convert'
import { decodeExport } from '../znodes/export-format'
import { listSubtree, readNodes, relativePath } from '../znodes/tree-walk'
import { applyPlan } from './diff-apply'
import { type ComparedEntry, type SideNode, classify, summarize } from './diff-classify'
import { DEFAULT_BATCH_OPS, type Plan, planApply } from './diff-plan'

/** Compared diffs kept in memory; the oldest is dropped beyond this many, or beyond MAX_KEPT_DATA_BYTES of data. */
const MAX_DIFFS = 20
/** The newest diff is always kept, whatever its size. */
export const MAX_KEPT_DATA_BYTES = 512 * 1024 * 1024

interface StoredDiff {
  view: DiffView
  entries: ComparedEntry[]
  /** Data bytes the entries hold (a buffer shared by both sides counted once). */
  dataBytes: number
}

/** The oldest diffs (first in `kept`) to drop so that at most maxCount and maxBytes remain; never the newest. */
export function diffsToDrop(kept: readonly { diffId: string; dataBytes: number }[], maxCount: number, maxBytes: number): string[] {
  let count = kept.length
  let bytes = kept.reduce((sum, diff) => sum + diff.dataBytes, 0)
  const dropped: string[] = []
  for (const diff of kept) {
    if (count <= 1 || (count <= maxCount && bytes <= maxBytes)) break
    dropped.push(diff.diffId)
    count--
    bytes -= diff.dataBytes
  }
  return dropped
}

export function dataBytesOf(entries: readonly ComparedEntry[]): number {
  let bytes = 0
  for (const entry of entries) {
    bytes += entry.sourceData?.length ?? 0
    if (entry.targetData !== entry.sourceData) bytes += entry.targetData?.length ?? 0
  }
  return bytes
}

function isInside(path: string, root: string): boolean {
  return path === root || root === '/' || path.startsWith(`${root}/`)
}

/** Every node of a subtree with its data, stat and ACL; an absent root is an empty side. */
async function readSide(client: ZooKeeperClient, root: string, operation: Operation): Promise<{ exists: boolean; nodes: SideNode[] }> {
  let paths: string[]
  try {
    paths = await listSubtree(client, root, operation)
  } catch (error) {
    if (isNoNode(error)) return { exists: false, nodes: [] }
    throw error
  }
  const read = await readNodes(client, paths, operation)
  return {
    exists: true,
    nodes: read.map((node) => ({
      relativePath: relativePath(root, node.path),
      data: node.data,
      kind: nodeKindOf(node.stat),
      ttlMs: ttlMsOf(node.stat) ?? null,
      version: node.stat.version,
      aversion: node.stat.aversion,
      numChildren: node.stat.numChildren,
      acl: toAclEntries(node.acl),
    })),
  }
}

function endpointOf(connection: OpenConnection, path: string, exists: boolean): DiffEndpoint {
  return { connectionId: connection.id, connectionName: connection.name, file: null, path, exists }
}

function publicEntry(entry: ComparedEntry): DiffEntry {
  return { path: entry.path, status: entry.status, changes: entry.changes, source: entry.source, target: entry.target }
}

export class Diffs {
  private readonly diffs = new Map<string, StoredDiff>()

  constructor(
    private readonly connections: Connections,
    private readonly operations: Operations,
    private readonly audit: AuditLog,
  ) {}

  private stored(diffId: string): StoredDiff {
    const diff = this.diffs.get(diffId)
    if (diff === undefined) throw fail.notFound('diff', diffId)
    return diff
  }

  compare(args: ParsedArgs<'diffs.compare'>): Promise<DiffView> {
    const source = this.connections.get(args.source.connectionId)
    const target = this.connections.get(args.target.connectionId)
    return this.operations.run('diff', args.source.path, args.operationId, async (operation) => {
      const startedMs = performance.now()
      const sourceSide = await readSide(source.client, args.source.path, operation)
      if (!sourceSide.exists) throw new KeeperException(ErrorCode.NONODE, args.source.path)
      const targetSide = await readSide(target.client, args.target.path, operation)
      const entries = classify(sourceSide.nodes, targetSide.nodes)
      return this.keep(endpointOf(source, args.source.path, true), endpointOf(target, args.target.path, targetSide.exists), entries, startedMs)
    })
  }

  /** A compared diff kept for paging, preview and apply (the oldest dropped beyond the limits). */
  private keep(source: DiffEndpoint, target: DiffEndpoint, entries: ComparedEntry[], startedMs: number): DiffView {
    const view: DiffView = {
      diffId: randomUUID(),
      source,
      target,
      comparedAt: Date.now(),
      elapsedMs: Math.round(performance.now() - startedMs),
      summary: summarize(entries),
      appliedAt: null,
    }
    this.diffs.set(view.diffId, { view, entries, dataBytes: dataBytesOf(entries) })
    this.evictOldest()
    return view
  }

  private evictOldest(): void {
    const kept = [...this.diffs].map(([diffId, diff]) => ({ diffId, dataBytes: diff.dataBytes }))
    for (const diffId of diffsToDrop(kept, MAX_DIFFS, MAX_KEPT_DATA_BYTES)) this.diffs.delete(diffId)
  }

  /** An export file against a subtree: the import's preview, applied like any diff (versioned multis). */
  compareImport(args: ParsedArgs<'diffs.compareImport'>): Promise<DiffView> {
    const target = this.connections.get(args.target.connectionId)
    const document = decodeExport(args.format, args.content)
    return this.operations.run('diff', args.target.path, args.operationId, async (operation) => {
      const startedMs = performance.now()
      const sourceNodes: SideNode[] = document.nodes
        .filter((node) => node.kind !== 'ephemeral' || args.ephemeralsAsPersistent)
        .map((node) => ({
          relativePath: node.path,
          data: node.data,
          kind: node.kind === 'ephemeral' ? 'persistent' : node.kind,
          ttlMs: node.ttlMs ?? null,
          version: node.stat.version,
          aversion: node.stat.aversion,
          numChildren: node.stat.numChildren,
          acl: node.acl,
        }))
      const targetSide = await readSide(target.client, args.target.path, operation)
      const entries = classify(sourceNodes, targetSide.nodes)
      const file: DiffEndpoint = { connectionId: '', connectionName: args.fileName, file: args.fileName, path: document.root, exists: true }
      return this.keep(file, endpointOf(target, args.target.path, targetSide.exists), entries, startedMs)
    })
  }

  get(diffId: string): DiffView {
    return this.stored(diffId).view
  }

  entries(args: ParsedArgs<'diffs.entries'>): DiffEntriesPage {
    const diff = this.stored(args.diffId)
    const statuses = args.statuses === undefined ? null : new Set(args.statuses)
    const matching = statuses === null ? diff.entries : diff.entries.filter((entry) => statuses.has(entry.status))
    return { diffId: args.diffId, entries: matching.slice(args.offset, args.offset + args.limit).map(publicEntry), total: matching.length, offset: args.offset }
  }

  entryData(args: ParsedArgs<'diffs.entryData'>): DiffEntryData {
    const entry = this.stored(args.diffId).entries.find((candidate) => candidate.path === args.path)
    if (entry === undefined) throw fail.notFound('diff entry', args.path)
    return { path: entry.path, sourceData: entry.sourceData?.toString('base64') ?? null, targetData: entry.targetData?.toString('base64') ?? null }
  }

  private plan(diff: StoredDiff, picked: 'all' | string[], batchOps: number | undefined): Plan {
    return planApply(diff.entries, picked === 'all' ? null : new Set(picked), diff.view.target.path, batchOps ?? DEFAULT_BATCH_OPS)
  }

  preview(args: ParsedArgs<'diffs.preview'>): DiffPlan {
    const diff = this.stored(args.diffId)
    const plan = this.plan(diff, args.entries, args.batchOps)
    return { diffId: args.diffId, ops: plan.ops.map(({ op, path, version, kind, batch }) => ({ op, path, version, kind, batch })), skipped: plan.skipped, batches: plan.batches }
  }

  apply(args: ParsedArgs<'diffs.apply'>): Promise<DiffApplyResult> {
    const diff = this.stored(args.diffId)
    const target = this.connections.writable(diff.view.target.connectionId)
    const { source } = diff.view
    if (source.connectionId === target.id && (isInside(source.path, diff.view.target.path) || isInside(diff.view.target.path, source.path))) {
      throw fail.conflict(`cannot apply onto ${diff.view.target.path}: it overlaps the source ${source.path} on the same connection`)
    }
    if (isInside(diff.view.target.path, '/zookeeper')) throw fail.conflict(`${diff.view.target.path} is ZooKeeper's own subtree`)
    return this.operations.run('diff', diff.view.target.path, args.operationId, async (operation) => {
      const startedMs = performance.now()
      const plan = this.plan(diff, args.entries, args.batchOps)
      const outcome = await applyPlan(target.client, plan.ops, plan.batches, operation)
      diff.view = { ...diff.view, appliedAt: Date.now() }
      const aborted = outcome.batches.filter((batch) => batch.status === 'aborted')
      this.audit.record({
        connectionId: target.id,
        connectionName: target.name,
        operation: 'diff apply',
        path: diff.view.target.path,
        oldVersion: null,
        newVersion: null,
        detail: `from ${source.connectionName}:${source.path}; ${outcome.applied} ops applied, ${outcome.aborted} aborted${aborted.map((batch) => ` (batch ${batch.batch}: ${batch.keeperCode} ${batch.failedPath ?? ''})`).join('')}`,
      })
      return {
        diffId: args.diffId,
        operationId: operation.id,
        applied: outcome.applied,
        aborted: outcome.aborted,
        batches: outcome.batches,
        skipped: plan.skipped,
        elapsedMs: Math.round(performance.now() - startedMs),
      }
    })
  }

  close(diffId: string): boolean {
    return this.diffs.delete(diffId)
  }
}
