import { type ACL, ErrorCode, KeeperException, type Stat, type ZooKeeperClient, isNoNode } from '../../../engine/client'
import type { Operation } from '../operations'

/** Requests in flight per batch: enough to keep the pipe full, few enough to check for cancellation often. */
export const BATCH = 1000

/** ZooKeeper's own subtree; never exported, copied or deleted by recursive operations. */
const SYSTEM_ROOT = '/zookeeper'

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`
}

/** `child` relative to `root` ('' for the root itself). */
export function relativePath(root: string, child: string): string {
  if (child === root) return ''
  return root === '/' ? child.slice(1) : child.slice(root.length + 1)
}

export function absolutePath(root: string, relative: string): string {
  if (relative === '') return root
  return root === '/' ? `/${relative}` : `${root}/${relative}`
}

/** Runs `task` over `items` BATCH at a time (all of a batch pipelined on the session), checking for cancellation. */
export async function inBatches<T, R>(items: readonly T[], operation: Operation, task: (item: T) => Promise<R>, afterBatch?: (done: number) => void): Promise<R[]> {
  const results: R[] = []
  for (let start = 0; start < items.length; start += BATCH) {
    operation.checkpoint()
    const batch = items.slice(start, start + BATCH)
    results.push(...(await Promise.all(batch.map(task))))
    afterBatch?.(Math.min(items.length, start + BATCH))
  }
  return results
}

/**
 * Every path of the subtree at `root`, parents before children (breadth first), without /zookeeper. Nodes that
 * vanish while walking are left out. Throws NONODE if the root itself does not exist.
 */
export async function listSubtree(client: ZooKeeperClient, root: string, operation: Operation): Promise<string[]> {
  if ((await client.exists(root)) === null) throw new KeeperException(ErrorCode.NONODE, root)
  const all: string[] = [root]
  let level: string[] = [root]
  while (level.length > 0) {
    const next: string[] = []
    await inBatches(level, operation, async (path) => {
      try {
        const children = await client.getChildren(path)
        for (const name of children) {
          const child = joinPath(path, name)
          if (child !== SYSTEM_ROOT) next.push(child)
        }
      } catch (error) {
        if (path === root || !isNoNode(error)) throw error
      }
    })
    next.sort()
    all.push(...next)
    level = next
    operation.progress('scanning', all.length, null)
  }
  return all
}

export interface ReadNode {
  path: string
  data: Buffer | null
  stat: Stat
  acl: ACL[]
}

/** Data, stat and ACL of each path (pipelined); paths deleted meanwhile are left out. */
export async function readNodes(client: ZooKeeperClient, paths: readonly string[], operation: Operation): Promise<ReadNode[]> {
  const read = await inBatches(
    paths,
    operation,
    async (path): Promise<ReadNode | null> => {
      try {
        const [{ data, stat }, { acl }] = await Promise.all([client.getData(path), client.getACL(path)])
        return { path, data, stat, acl }
      } catch (error) {
        if (isNoNode(error)) return null
        throw error
      }
    },
    (done) => operation.progress('reading', done, paths.length),
  )
  return read.filter((node): node is ReadNode => node !== null)
}
