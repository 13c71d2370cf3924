// Pure: the entries a user picked → the exact writes against the target, grouped into multi transactions.
//
// Order: creates and setDatas parents first (so a new node's parent exists when it is created), then deletes
// children first. Every setData and delete carries the version read during the compare and every create fails
// if the node exists, so a concurrent change makes its transaction fail instead of being overwritten.
// ZooKeeper's multi cannot carry setACL (3.8 accepts create/delete/setData/check only), so each setACL runs on
// its own, still guarded by the ACL version read during the compare, as a one-op batch after the writes.
import type { AclEntry, DiffPlannedOp, DiffSkipped, NodeKind } from '../../contract/model'
import { type ComparedEntry, comparePaths } from './diff-classify'

/** Ops per multi transaction unless the caller asks otherwise. */
export const DEFAULT_BATCH_OPS = 200

export interface PlannedWrite extends DiffPlannedOp {
  data: Buffer | null
  acl: AclEntry[] | null
  ttlMs: number | null
}

export interface Plan {
  ops: PlannedWrite[]
  skipped: DiffSkipped[]
  batches: number
}

function absolute(root: string, relative: string): string {
  if (relative === '') return root
  return root === '/' ? `/${relative}` : `${root}/${relative}`
}

function parentOf(relative: string): string | null {
  if (relative === '') return null
  const slash = relative.lastIndexOf('/')
  return slash < 0 ? '' : relative.slice(0, slash)
}

function isUnder(path: string, root: string): boolean {
  return root === '' ? path !== '' : path.startsWith(`${root}/`)
}

/**
 * The picked entries plus what they need: an added node's added ancestors (it cannot be created without them) and
 * a removed node's removed descendants (it cannot be deleted while they exist).
 */
export function closeSelection(entries: readonly ComparedEntry[], picked: ReadonlySet<string> | null): ComparedEntry[] {
  if (picked === null) return entries.filter((entry) => entry.status !== 'unchanged')
  const byPath = new Map(entries.map((entry) => [entry.path, entry]))
  const chosen = new Set<string>()
  for (const path of picked) {
    const entry = byPath.get(path)
    if (entry === undefined || entry.status === 'unchanged') continue
    chosen.add(path)
    if (entry.status === 'added') {
      for (let parent = parentOf(path); parent !== null; parent = parentOf(parent)) {
        if (byPath.get(parent)?.status === 'added') chosen.add(parent)
      }
    }
    if (entry.status === 'removed') {
      for (const other of entries) if (other.status === 'removed' && isUnder(other.path, path)) chosen.add(other.path)
    }
  }
  return entries.filter((entry) => chosen.has(entry.path))
}

function createOf(targetRoot: string, entry: ComparedEntry): PlannedWrite {
  const side = entry.source!
  return { op: 'create', path: absolute(targetRoot, entry.path), version: null, kind: side.kind, batch: 0, data: entry.sourceData, acl: side.acl, ttlMs: side.ttlMs }
}

export function planApply(entries: readonly ComparedEntry[], picked: ReadonlySet<string> | null, targetRoot: string, batchOps = DEFAULT_BATCH_OPS): Plan {
  const selected = closeSelection(entries, picked).sort((a, b) => comparePaths(a.path, b.path))
  const skipped: DiffSkipped[] = []
  // Groups that must land in the same transaction (a kind change is a delete and a create of one path).
  const writeGroups: PlannedWrite[][] = []
  const aclOps: PlannedWrite[] = []
  const deletes: PlannedWrite[] = []
  for (const entry of selected) {
    const path = absolute(targetRoot, entry.path)
    if (entry.status === 'added') {
      if (entry.source!.kind === 'ephemeral') skipped.push({ path, reason: 'ephemeral' })
      else writeGroups.push([createOf(targetRoot, entry)])
    } else if (entry.status === 'removed') {
      deletes.push({ op: 'delete', path, version: entry.target!.version, kind: null, batch: 0, data: null, acl: null, ttlMs: null })
    } else if (entry.status === 'changed') {
      const source = entry.source!
      const target = entry.target!
      if (entry.changes.includes('kind')) {
        if (source.kind === 'ephemeral') skipped.push({ path, reason: 'ephemeral' })
        else if (target.numChildren > 0) skipped.push({ path, reason: 'kindWithChildren' })
        else {
          // Recreated with the source's data and ACL: nothing else to set on it.
          writeGroups.push([{ op: 'delete', path, version: target.version, kind: null, batch: 0, data: null, acl: null, ttlMs: null }, createOf(targetRoot, entry)])
          continue
        }
      }
      if (entry.changes.includes('data')) {
        writeGroups.push([{ op: 'setData', path, version: target.version, kind: null, batch: 0, data: entry.sourceData, acl: null, ttlMs: null }])
      }
      if (entry.changes.includes('acl')) {
        aclOps.push({ op: 'setACL', path, version: target.aversion, kind: null, batch: 0, data: null, acl: source.acl, ttlMs: null })
      }
    }
  }
  deletes.reverse()

  const ops: PlannedWrite[] = []
  let batch = 0
  let inBatch = 0
  const place = (group: PlannedWrite[]) => {
    if (inBatch > 0 && inBatch + group.length > batchOps) {
      batch++
      inBatch = 0
    }
    for (const op of group) ops.push({ ...op, batch })
    inBatch += group.length
  }
  for (const group of writeGroups) place(group)
  for (const op of aclOps) {
    if (inBatch > 0) batch++
    inBatch = 0
    place([op])
  }
  if (inBatch > 0 && deletes.length > 0) {
    batch++
    inBatch = 0
  }
  for (const op of deletes) place([op])
  return { ops, skipped, batches: ops.length === 0 ? 0 : batch + 1 }
}
