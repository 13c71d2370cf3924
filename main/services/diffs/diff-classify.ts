// Pure: two read subtrees → one entry per relative path, classified added / changed / unchanged / removed.
import type { AclEntry, DiffChange, DiffEntry, DiffSide, DiffSummary, NodeKind } from '../../contract/model'

/** A node as read on one side, keyed by its path relative to that side's root. */
export interface SideNode {
  relativePath: string
  data: Buffer | null
  kind: NodeKind
  ttlMs: number | null
  version: number
  aversion: number
  numChildren: number
  acl: AclEntry[]
}

/** An entry plus the data of both sides (kept in main; the contract pages entries without data). */
export interface ComparedEntry extends DiffEntry {
  sourceData: Buffer | null
  targetData: Buffer | null
}

/** null and zero bytes are the same thing to a user (Apache's getData answers either for an empty node). */
function sameData(a: Buffer | null, b: Buffer | null): boolean {
  const left = a ?? Buffer.alloc(0)
  const right = b ?? Buffer.alloc(0)
  return left.equals(right)
}

function aclKey(acl: readonly AclEntry[]): string {
  return acl
    .map((entry) => `${entry.scheme}:${entry.id}:${entry.perms}`)
    .sort()
    .join('\n')
}

function sideOf(node: SideNode): DiffSide {
  return {
    kind: node.kind,
    ttlMs: node.ttlMs,
    dataLength: node.data?.length ?? 0,
    version: node.version,
    aversion: node.aversion,
    numChildren: node.numChildren,
    acl: node.acl,
  }
}

export function changesBetween(source: SideNode, target: SideNode): DiffChange[] {
  const changes: DiffChange[] = []
  if (!sameData(source.data, target.data)) changes.push('data')
  if (aclKey(source.acl) !== aclKey(target.acl)) changes.push('acl')
  if (source.kind !== target.kind || source.ttlMs !== target.ttlMs) changes.push('kind')
  return changes
}

/** Entries sorted by relative path (so a parent comes right before its subtree). */
export function classify(source: readonly SideNode[], target: readonly SideNode[]): ComparedEntry[] {
  const targets = new Map(target.map((node) => [node.relativePath, node]))
  const entries: ComparedEntry[] = []
  for (const node of source) {
    const other = targets.get(node.relativePath)
    targets.delete(node.relativePath)
    if (other === undefined) {
      entries.push({ path: node.relativePath, status: 'added', changes: [], source: sideOf(node), target: null, sourceData: node.data, targetData: null })
      continue
    }
    const changes = changesBetween(node, other)
    entries.push({
      path: node.relativePath,
      status: changes.length === 0 ? 'unchanged' : 'changed',
      changes,
      source: sideOf(node),
      target: sideOf(other),
      sourceData: node.data,
      // Equal data is kept once: a mostly unchanged large subtree then costs one side's bytes, not two.
      targetData: changes.includes('data') ? other.data : node.data,
    })
  }
  for (const node of targets.values()) {
    entries.push({ path: node.relativePath, status: 'removed', changes: [], source: null, target: sideOf(node), sourceData: null, targetData: node.data })
  }
  return entries.sort((a, b) => comparePaths(a.path, b.path))
}

/** Path order segment by segment, so `a/b` sorts before `a-b` and a parent's subtree stays together. */
export function comparePaths(a: string, b: string): number {
  const left = a === '' ? [] : a.split('/')
  const right = b === '' ? [] : b.split('/')
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const l = left[i] as string
    const r = right[i] as string
    if (l !== r) return l < r ? -1 : 1
  }
  return left.length - right.length
}

export function summarize(entries: readonly DiffEntry[]): DiffSummary {
  const summary: DiffSummary = { added: 0, changed: 0, unchanged: 0, removed: 0, changedData: 0, changedAcl: 0, changedKind: 0 }
  for (const entry of entries) {
    summary[entry.status]++
    if (entry.changes.includes('data')) summary.changedData++
    if (entry.changes.includes('acl')) summary.changedAcl++
    if (entry.changes.includes('kind')) summary.changedKind++
  }
  return summary
}
