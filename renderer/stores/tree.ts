// The tree explorer's model, one per connection: lazily listed, paged children (100,000 children are fetched page by
// page as they scroll into view), kept live by the tree's own child watches. Nodes are plain objects outside Vue's
// reactivity (markRaw); a revision counter tells the views when to re-read them.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { WatchEventPayload } from '../../main/contract/contract'
import type { ZnodeStat } from '../../main/contract/model'
import { ancestry, baseName, joinPath, parentOf } from '../lib/znode'
import { api, apiClient } from './api'

/** Children asked per page (with stats). */
export const PAGE_SIZE = 200
/** Names asked per page when only names are needed (search, finding a name's index). */
const NAMES_PAGE = 5000
/** Child-changed events for one node within this window cause one reload. */
const RELOAD_DEBOUNCE_MS = 150

export interface TreeNode {
  path: string
  name: string
  depth: number
  stat: ZnodeStat | undefined
  /** Listed, but its ACL refuses this session's exists (NOAUTH): no stat to show. */
  unreadable: boolean
  expanded: boolean
  /** Children in listing order (sorted by name); undefined slots are not loaded yet; null: never listed. */
  children: (TreeNode | undefined)[] | null
  /** The children are a previous listing's, shown until the first page of the next one arrives (so that a reload
   * neither empties the rows in view nor collapses the list's height, which would throw the scroll to the top). */
  stale: boolean
  total: number
  cursor: string | undefined
  pagesLoaded: Set<number>
  pagesLoading: Set<number>
  /** Nodes of the previous listing, reused by name so that expanded descendants survive a reload. */
  previous: Map<string, TreeNode> | null
  /** Bumped on every reload: answers for an older listing are dropped. */
  generation: number
  error: string | null
}

export interface TreeRow {
  /** null: a child not loaded yet (a placeholder row). */
  node: TreeNode | null
  parent: TreeNode | null
  /** Index in the parent's listing. */
  index: number
  depth: number
}

export interface TreeState {
  connectionId: string
  root: TreeNode
  selected: string | null
  filter: string
}

function newNode(path: string, depth: number, stat?: ZnodeStat, unreadable = false): TreeNode {
  return markRaw({
    path,
    name: baseName(path),
    depth,
    stat,
    unreadable,
    expanded: false,
    children: null,
    stale: false,
    total: stat?.numChildren ?? 0,
    cursor: undefined,
    pagesLoaded: new Set<number>(),
    pagesLoading: new Set<number>(),
    previous: null,
    generation: 0,
    error: null,
  })
}

/** Whether a node can be expanded (its stat says it has children, or some are listed). */
export function nodeHasChildren(node: TreeNode): boolean {
  if (node.path === '/') return true
  return (node.stat?.numChildren ?? 0) > 0 || (node.children?.length ?? 0) > 0
}

function findNode(root: TreeNode, path: string): TreeNode | null {
  if (path === '/') return root
  let node: TreeNode | null = root
  for (const step of ancestry(path).slice(1)) {
    if (node?.children === null || node === null) return null
    const name = baseName(step)
    node = node.children.find((child) => child?.name === name) ?? null
  }
  return node
}

/** The rows the list shows, computed on demand: a node with 100,000 children costs a handful of segments, not
 * 100,000 row objects per change. */
export interface RowModel {
  readonly count: number
  at(index: number): TreeRow | undefined
  /** The row index of a loaded node, or -1. */
  indexOf(path: string): number
}

interface Segment {
  /** Row index of the segment's first row. */
  start: number
  parent: TreeNode
  /** Child indexes [from, to) of the parent. */
  from: number
  to: number
  depth: number
}

/** Depth-first over expanded nodes: runs of consecutive children are segments, split where a child is expanded. */
export function rowModel(root: TreeNode, filter: string): RowModel {
  if (filter.trim() !== '') return filteredRows(root, filter)
  const segments: Segment[] = []
  let count = 1
  const walk = (node: TreeNode) => {
    const children = node.children
    if (!node.expanded || children === null || children.length === 0) return
    let from = 0
    for (let i = 0; i < children.length; i++) {
      const child = children[i]
      if (child !== undefined && child.expanded && child.children !== null && child.children.length > 0) {
        segments.push({ start: count, parent: node, from, to: i + 1, depth: node.depth + 1 })
        count += i + 1 - from
        from = i + 1
        walk(child)
      }
    }
    if (from < children.length) {
      segments.push({ start: count, parent: node, from, to: children.length, depth: node.depth + 1 })
      count += children.length - from
    }
  }
  walk(root)
  const at = (index: number): TreeRow | undefined => {
    if (index === 0) return { node: root, parent: null, index: 0, depth: 0 }
    if (index < 0 || index >= count) return undefined
    let low = 0
    let high = segments.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (segments[mid]!.start <= index) low = mid
      else high = mid - 1
    }
    const segment = segments[low]!
    const childIndex = segment.from + (index - segment.start)
    return { node: segment.parent.children?.[childIndex] ?? null, parent: segment.parent, index: childIndex, depth: segment.depth }
  }
  const indexOf = (path: string): number => {
    if (path === '/') return 0
    const parentPath = parentOf(path)
    const name = baseName(path)
    for (const segment of segments) {
      if (segment.parent.path !== parentPath) continue
      const children = segment.parent.children!
      for (let i = segment.from; i < segment.to; i++) if (children[i]?.name === name) return segment.start + (i - segment.from)
    }
    return -1
  }
  return { count, at, indexOf }
}

/** With a filter: the loaded nodes whose path matches, and their ancestors. */
function filteredRows(root: TreeNode, filter: string): RowModel {
  const rows: TreeRow[] = [{ node: root, parent: null, index: 0, depth: 0 }]
  const needle = filter.trim().toLowerCase()
  const walk = (node: TreeNode): TreeRow[] => {
    const out: TreeRow[] = []
    if (node.children === null) return out
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i]
      if (child === undefined) continue
      const below = walk(child)
      if (below.length > 0 || child.path.toLowerCase().includes(needle)) out.push({ node: child, parent: node, index: i, depth: node.depth + 1 }, ...below)
    }
    return out
  }
  rows.push(...walk(root))
  return { count: rows.length, at: (index) => rows[index], indexOf: (path) => rows.findIndex((row) => row.node?.path === path) }
}

/** Every row (tests and small trees). */
export function flattenRows(root: TreeNode, filter: string): TreeRow[] {
  const model = rowModel(root, filter)
  return Array.from({ length: model.count }, (_, i) => model.at(i)!)
}

export const useTreeStore = defineStore('tree', () => {
  const states = shallowRef(new Map<string, TreeState>())
  /** Bumped whenever any node changes; views recompute their rows from it. */
  const revision = ref(0)
  const reloadTimers = new Map<string, ReturnType<typeof setTimeout>>()
  let stopEvents: (() => void) | null = null

  function touch(): void {
    revision.value++
  }

  function state(connectionId: string): TreeState {
    let tree = states.value.get(connectionId)
    if (tree === undefined) {
      tree = markRaw({ connectionId, root: newNode('/', 0), selected: '/', filter: '' })
      states.value.set(connectionId, tree)
      stopEvents ??= apiClient().on('watches.event', onWatchEvent)
    }
    return tree
  }

  function forget(connectionId: string): void {
    states.value.delete(connectionId)
    touch()
  }

  function node(connectionId: string, path: string): TreeNode | null {
    return findNode(state(connectionId).root, path)
  }

  /** Fetches one page of a node's children; the first page (re)arms the child watch and starts a new listing. */
  async function loadPage(connectionId: string, target: TreeNode, page: number): Promise<void> {
    if (target.pagesLoading.has(page) || (target.pagesLoaded.has(page) && target.children !== null)) return
    const first = target.children === null || target.stale
    // A new listing starts with its first page (which arms the watch); the others follow from its cursor.
    if (first && page !== 0) return
    const generation = target.generation
    target.pagesLoading.add(page)
    try {
      const result = await api().znodes.children({
        connectionId,
        path: target.path,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        withStat: true,
        watch: first,
        ...(first || target.cursor === undefined ? {} : { cursor: target.cursor }),
      })
      if (generation !== target.generation) return
      // Another listing (the cursor expired, or the children changed): start over from this one.
      if (!first && result.cursor !== target.cursor) {
        resetListing(target)
        void loadPage(connectionId, target, 0)
        return
      }
      if (first) {
        target.children = new Array<TreeNode | undefined>(result.total).fill(undefined)
        target.stale = false
        target.cursor = result.cursor
      }
      target.total = result.total
      const children = target.children!
      result.children.forEach((child, i) => {
        const path = joinPath(target.path, child.name)
        const reused = target.previous?.get(child.name)
        if (reused !== undefined) {
          reused.stat = child.stat
          reused.unreadable = child.unreadable === true
          children[result.offset + i] = reused
        } else {
          children[result.offset + i] = newNode(path, target.depth + 1, child.stat, child.unreadable === true)
        }
      })
      target.pagesLoaded.add(page)
      target.error = null
      if (target.stat !== undefined) target.stat = { ...target.stat, numChildren: result.total }
    } catch (error) {
      target.error = error instanceof Error ? error.message : String(error)
      throw error
    } finally {
      target.pagesLoading.delete(page)
      touch()
    }
  }

  function resetListing(target: TreeNode): void {
    const previous = new Map<string, TreeNode>()
    for (const child of target.children ?? []) if (child !== undefined) previous.set(child.name, child)
    for (const [name, child] of target.previous ?? []) if (!previous.has(name)) previous.set(name, child)
    target.previous = previous
    target.stale = target.children !== null
    target.cursor = undefined
    target.pagesLoaded = new Set()
    target.pagesLoading = new Set()
    target.generation++
  }

  async function expand(connectionId: string, path: string): Promise<void> {
    const target = node(connectionId, path)
    if (target === null) return
    target.expanded = true
    touch()
    if (target.children === null || target.stale) await loadPage(connectionId, target, 0)
  }

  function collapse(connectionId: string, path: string): void {
    const target = node(connectionId, path)
    if (target === null) return
    target.expanded = false
    touch()
  }

  async function toggle(connectionId: string, path: string): Promise<void> {
    const target = node(connectionId, path)
    if (target?.expanded === true) collapse(connectionId, path)
    else await expand(connectionId, path)
  }

  /**
   * Makes sure the listing pages behind rows [start, end) are loaded (the list calls it as it scrolls), then those
   * of `aheadRows` more rows either side: a page asked before it scrolls into view arrives before it is needed, so
   * a steady scroll never shows placeholders (nor pays for turning them into rows).
   */
  function ensureRows(connectionId: string, rows: RowModel, start: number, end: number, aheadRows = 0): void {
    const asked = new Set<string>()
    const ask = (from: number, to: number) => {
      for (let i = Math.max(0, from); i < Math.min(rows.count, to); i++) {
        const row = rows.at(i)
        if (row === undefined || row.node !== null || row.parent === null) continue
        const page = Math.floor(row.index / PAGE_SIZE)
        const key = `${row.parent.path}\n${page}`
        if (asked.has(key)) continue
        asked.add(key)
        void loadPage(connectionId, row.parent, page).catch(() => {})
      }
    }
    ask(start, end)
    if (aheadRows > 0) {
      ask(end, end + aheadRows)
      ask(start - aheadRows, start)
    }
  }

  /** Lists a node again (refresh, or its children changed): expanded descendants stay expanded. */
  async function reload(connectionId: string, path: string): Promise<void> {
    const target = node(connectionId, path)
    if (target === null) return
    if (path === '/' || target.stat !== undefined) {
      const exists = await api().znodes.exists({ connectionId, path })
      if (exists.stat === null && path !== '/') {
        await reload(connectionId, parentOf(path))
        return
      }
      if (exists.stat !== null) target.stat = exists.stat
    }
    resetListing(target)
    touch()
    if (target.expanded) await loadPage(connectionId, target, 0)
  }

  function scheduleReload(connectionId: string, path: string): void {
    const key = `${connectionId}\n${path}`
    const pending = reloadTimers.get(key)
    if (pending !== undefined) clearTimeout(pending)
    reloadTimers.set(
      key,
      setTimeout(() => {
        reloadTimers.delete(key)
        void reload(connectionId, path).catch(() => {})
      }, RELOAD_DEBOUNCE_MS),
    )
  }

  function onWatchEvent(event: WatchEventPayload): void {
    const tree = states.value.get(event.connectionId)
    if (tree === undefined || event.path === null) return
    if (event.watchKind === 'tree-children' || event.type === 'NodeChildrenChanged' || event.type === 'NodeCreated' || event.type === 'NodeDeleted') {
      const changed = event.type === 'NodeChildrenChanged' ? event.path : parentOf(event.path)
      const target = findNode(tree.root, changed)
      if (target === null) return
      if (target.expanded) scheduleReload(event.connectionId, changed)
      else if (event.watchKind === 'tree-children') {
        // The watch is spent: list again on the next expand.
        resetListing(target)
        touch()
      }
    }
  }

  function select(connectionId: string, path: string | null): void {
    state(connectionId).selected = path
    touch()
  }

  function setFilter(connectionId: string, filter: string): void {
    state(connectionId).filter = filter
    touch()
  }

  /** The index of `name` among the parent's (sorted) children: binary search over one-name pages of the listing. */
  async function indexOfChild(connectionId: string, parent: TreeNode, name: string): Promise<number> {
    const loaded = parent.children?.findIndex((child) => child?.name === name) ?? -1
    if (loaded >= 0) return loaded
    let low = 0
    let high = parent.total - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const page = await api().znodes.children({ connectionId, path: parent.path, offset: mid, limit: 1, withStat: false, ...(parent.cursor === undefined ? {} : { cursor: parent.cursor }) })
      const at = page.children[0]?.name
      if (at === undefined) break
      if (at === name) return mid
      if (at < name) low = mid + 1
      else high = mid - 1
    }
    return -1
  }

  /** Expands every ancestor, loads the page holding the node and selects it. */
  async function reveal(connectionId: string, path: string, refreshParent = false): Promise<void> {
    const steps = ancestry(path)
    for (let i = 0; i < steps.length - 1; i++) {
      const step = steps[i]!
      const at = node(connectionId, step)
      if (at === null) break
      if (refreshParent && i === steps.length - 2) await reload(connectionId, step)
      at.expanded = true
      if (at.children === null || at.stale) await loadPage(connectionId, at, 0)
      const childName = baseName(steps[i + 1]!)
      const index = await indexOfChild(connectionId, at, childName)
      if (index >= 0) await loadPage(connectionId, at, Math.floor(index / PAGE_SIZE))
    }
    select(connectionId, path)
  }

  return {
    revision,
    state,
    forget,
    node,
    expand,
    collapse,
    toggle,
    ensureRows,
    reload,
    select,
    setFilter,
    reveal,
    loadPage,
  }
})
