import { type ACL, CreateMode, type ZooKeeperClient, isNoNode, isNodeExists } from '../../../engine/client'
import type { ExportDocument } from '../../contract/model'
import type { Operation } from '../operations'
import { nodeKindOf, toAclEntries, toBase64, toZnodeStat, ttlMsOf } from './convert'
import { type ImportedNode, sortParentsFirst } from './export-format'
import { absolutePath, inBatches, listSubtree, readNodes, relativePath } from './tree-walk'

const PERMS_CREATE = 4
const PERMS_ADMIN = 16

export interface WriteCounts {
  created: number
  updated: number
  skipped: number
}

/** Reads a subtree into an export document (pre-order, root first). */
export async function readSubtree(client: ZooKeeperClient, root: string, operation: Operation): Promise<ExportDocument> {
  const paths = await listSubtree(client, root, operation)
  const nodes = await readNodes(client, paths, operation)
  return {
    format: 'zoodesk-export',
    version: 1,
    root,
    exportedAt: Date.now(),
    nodes: nodes.map((node) => {
      const ttlMs = ttlMsOf(node.stat)
      return {
        path: relativePath(root, node.path),
        kind: nodeKindOf(node.stat),
        ...(ttlMs === undefined ? {} : { ttlMs }),
        data: toBase64(node.data),
        acl: toAclEntries(node.acl),
        stat: toZnodeStat(node.stat),
      }
    }),
  }
}

function grantsWorld(acl: readonly ACL[], perms: number): boolean {
  return acl.some((entry) => entry.id.scheme === 'world' && entry.id.id === 'anyone' && (entry.perms & perms) === perms)
}

/** Ensures every ancestor of `path` exists (plain persistent nodes), like `mkdir -p` of the parent. */
async function ensureParents(client: ZooKeeperClient, path: string): Promise<void> {
  const parts = path.split('/').slice(1, -1)
  let current = ''
  for (const part of parts) {
    current += `/${part}`
    try {
      await client.create(current)
    } catch (error) {
      if (!isNodeExists(error)) throw error
    }
  }
}

/**
 * Writes nodes under `target`, parents first. New nodes are created with their kind (persistent, container, TTL;
 * ephemerals are skipped unless `ephemeralsAsPersistent`), data and ACL; nodes that exist get the data and ACL.
 *
 * A node whose ACL would stop us creating its children (or restoring its own ACL afterwards) is created with its
 * ACL plus world:anyone CREATE|ADMIN, and gets its exact ACL once its subtree is written.
 */
export async function writeNodes(
  client: ZooKeeperClient,
  target: string,
  input: ImportedNode[],
  options: { ephemeralsAsPersistent: boolean },
  operation: Operation,
): Promise<WriteCounts> {
  const nodes = sortParentsFirst(input)
  const counts: WriteCounts = { created: 0, updated: 0, skipped: 0 }
  await ensureParents(client, target)
  const hasChildren = new Set<string>()
  for (const node of nodes) {
    if (node.path !== '') hasChildren.add(node.path.includes('/') ? node.path.slice(0, node.path.lastIndexOf('/')) : '')
  }
  const restoreAcl: { path: string; acl: ACL[] }[] = []
  const skippedPaths = new Set<string>()
  const writable = nodes.filter((node) => {
    const parent = node.path === '' ? null : node.path.includes('/') ? node.path.slice(0, node.path.lastIndexOf('/')) : ''
    if ((node.kind === 'ephemeral' && !options.ephemeralsAsPersistent) || (parent !== null && skippedPaths.has(parent))) {
      // An ephemeral cannot have children, so nothing below it is lost by skipping it.
      skippedPaths.add(node.path)
      counts.skipped++
      return false
    }
    return true
  })
  const total = writable.length
  await inBatches(
    writable,
    operation,
    async (node) => {
      const path = absolutePath(target, node.path)
      const acl: ACL[] = node.acl.map((entry) => ({ perms: entry.perms, id: { scheme: entry.scheme, id: entry.id } }))
      const needsTemporary = hasChildren.has(node.path) && !grantsWorld(acl, PERMS_CREATE | PERMS_ADMIN)
      const createAcl = needsTemporary ? [...acl, { perms: PERMS_CREATE | PERMS_ADMIN, id: { scheme: 'world', id: 'anyone' } }] : acl
      const mode = node.kind === 'container' ? CreateMode.CONTAINER : node.kind === 'ttl' ? CreateMode.PERSISTENT_WITH_TTL : CreateMode.PERSISTENT
      try {
        await client.create(path, node.data, { mode, acl: createAcl, ...(node.kind === 'ttl' && node.ttlMs !== undefined ? { ttlMs: node.ttlMs } : {}) })
        counts.created++
        if (needsTemporary) restoreAcl.push({ path, acl })
      } catch (error) {
        if (!isNodeExists(error)) throw error
        await client.setData(path, node.data, -1)
        await client.setACL(path, acl, -1)
        counts.updated++
      }
    },
    (done) => operation.progress('writing', done, total),
  )
  await inBatches(restoreAcl, operation, (entry) => client.setACL(entry.path, entry.acl, -1))
  return counts
}

/** Deletes the given paths children first (they come parents first); nodes already gone are fine. */
export async function deletePaths(client: ZooKeeperClient, parentsFirst: readonly string[], operation: Operation): Promise<number> {
  const childrenFirst = [...parentsFirst].reverse()
  let deleted = 0
  await inBatches(
    childrenFirst,
    operation,
    async (path) => {
      try {
        await client.delete(path, -1)
        deleted++
      } catch (error) {
        if (!isNoNode(error)) throw error
      }
    },
    (done) => operation.progress('deleting', done, childrenFirst.length),
  )
  return deleted
}
