import { ErrorCode } from '../client'
import { JavaKeeperError } from './errors'
import { validateJavaPath } from './java-path'
import type { ShellZk } from './zk'

/** Java's ZKUtil tree helpers, making the same requests in the same order (the order shows in zxids and output). */

const childPath = (parent: string, child: string): string => (parent === '/' ? `/${child}` : `${parent}/${child}`)

/**
 * ZKUtil.visitSubTreeDFS: reads the root (so a missing root fails), visits it, then for each node visits all its
 * children (sorted) before descending into each. A node deleted meanwhile is skipped.
 */
export async function visitSubTreeDfs(
  zk: ShellZk,
  path: string,
  watch: boolean,
  visit: (path: string) => void | Promise<void>,
): Promise<void> {
  validateJavaPath(path)
  await zk.getData(path, watch)
  await visit(path)
  await visitChildren(zk, path, watch, visit)
}

async function visitChildren(
  zk: ShellZk,
  path: string,
  watch: boolean,
  visit: (path: string) => void | Promise<void>,
): Promise<void> {
  let children: string[]
  try {
    children = await zk.getChildren(path, watch)
  } catch (error) {
    if (error instanceof JavaKeeperError && error.code === ErrorCode.NONODE) return
    throw error
  }
  children.sort()
  for (const child of children) await visit(childPath(path, child))
  for (const child of children) await visitChildren(zk, childPath(path, child), watch, visit)
}

/** ZKUtil.listSubTreeBFS: the root and every descendant, level by level, children in server order. */
export async function listSubTreeBfs(zk: ShellZk, root: string): Promise<string[]> {
  const tree = [root]
  for (let next = 0; next < tree.length; next++) {
    const node = tree[next]!
    for (const child of await zk.getChildren(node, false)) tree.push(childPath(node, child))
  }
  return tree
}

/** ZKUtil.deleteInBatch's limit on multis in flight. */
const BATCHES_IN_FLIGHT = 10

/**
 * ZKUtil.deleteRecursive (3.8.6): deletes leaves first. With batchSize > 0, multis of batchSize deletes, up to ten in
 * flight, stopping early once one has failed; resolves false if any failed. Otherwise one delete at a time, where
 * the first failure throws.
 */
export async function deleteRecursive(zk: ShellZk, root: string, batchSize: number): Promise<boolean> {
  validateJavaPath(root)
  const tree = await listSubTreeBfs(zk, root)
  if (batchSize <= 0) {
    for (let i = tree.length - 1; i >= 0; i--) await zk.delete(tree[i]!, -1)
    return true
  }
  let success = true
  const inFlight = new Set<Promise<void>>()
  let batch: string[] = []
  for (let i = tree.length - 1; i >= 0; i--) {
    batch.push(tree[i]!)
    if (batch.length !== batchSize && i !== 0) continue
    if (!success) break
    if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight)
    const sent = zk.multiDelete(batch).then((ok) => {
      if (!ok) success = false
      inFlight.delete(sent)
    })
    inFlight.add(sent)
    batch = []
  }
  await Promise.all(inFlight)
  return success
}
