import { ErrorCode, KeeperException, type Stat, type ZooKeeperClient, isNoNode } from '../../../engine/client'
import type { ParsedArgs } from '../../contract/contract'
import type { SearchMatch, SearchResult } from '../../contract/model'
import { searchPattern } from '../../contract/search-pattern'
import type { Operation } from '../operations'
import { toZnodeStat } from './convert'
import { inBatches, joinPath } from './tree-walk'

type SearchArgs = ParsedArgs<'znodes.search'>

function nameOf(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1)
}

/** What one node gave the walk: its stat, its children's names, and whether it matches. */
interface Visited {
  path: string
  stat: Stat
  children: string[]
  matches: boolean
}

/**
 * Walks the subtree at `args.path` breadth first, BATCH requests in flight at a time, and collects the nodes whose
 * name, path or data matches the query. Stops early once `limit` matches are found (`truncated`). Progress is the
 * count of nodes read (the total is unknown until the end); cancellation is checked between batches. Nodes deleted
 * while walking are skipped; a missing root answers NONODE.
 */
export async function searchSubtree(client: ZooKeeperClient, args: SearchArgs, operation: Operation): Promise<SearchResult> {
  const test = searchPattern(args.query, { regex: args.regex, caseSensitive: args.caseSensitive })
  const decoder = new TextDecoder('utf-8', { fatal: false })
  const subject = (path: string, data: Buffer | null): string => {
    switch (args.match) {
      case 'name':
        return nameOf(path)
      case 'path':
        return path
      case 'data':
        return data === null ? '' : decoder.decode(data)
    }
  }

  /** One node: data and children (data search), or children with the node's stat (name and path search). */
  const visit = async (path: string): Promise<Visited | null> => {
    try {
      if (args.match === 'data') {
        const { data, stat } = await client.getData(path)
        const children = stat.numChildren > 0 ? await client.getChildren(path) : []
        return { path, stat, children, matches: test(subject(path, data)) }
      }
      const { children, stat } = await client.getChildren2(path)
      return { path, stat, children, matches: test(subject(path, null)) }
    } catch (error) {
      if (path !== args.path && isNoNode(error)) return null
      throw error
    }
  }

  if ((await client.exists(args.path)) === null) throw new KeeperException(ErrorCode.NONODE, args.path)
  const matches: SearchMatch[] = []
  let visited = 0
  let truncated = false
  let level: string[] = [args.path]
  operation.progress('scanning', 0, null, true)
  let full = false
  while (level.length > 0 && !full) {
    const next: string[] = []
    // A level in slices: once the list is full, the walk ends at the next slice boundary.
    for (let start = 0; start < level.length && !full; start += LEVEL_SLICE) {
      const nodes = await inBatches(level.slice(start, start + LEVEL_SLICE), operation, visit)
      for (const node of nodes) {
        if (node === null) continue
        visited++
        if (node.matches) {
          if (matches.length < args.limit) matches.push({ path: node.path, stat: toZnodeStat(node.stat) })
          else truncated = true
        }
        for (const name of node.children.sort()) next.push(joinPath(node.path, name))
      }
      operation.progress('scanning', visited, null)
      full = matches.length >= args.limit
      // Stopping with nodes left unread: there may be more matches.
      if (full && (start + LEVEL_SLICE < level.length || next.length > 0)) truncated = true
    }
    level = next
  }
  matches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { operationId: operation.id, root: args.path, matches, visited, truncated }
}

/** Nodes of a level handled between two looks at the match count (a multiple of tree-walk's BATCH). */
const LEVEL_SLICE = 2000
