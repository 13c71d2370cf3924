// Contract data for component tests.
import type { ChildrenPage, ConnectionView, ZnodeStat } from '../../../../../main/contract/model'

export function stat(overrides: Partial<ZnodeStat> = {}): ZnodeStat {
  return {
    czxid: '0x100000002',
    mzxid: '0x100000005',
    pzxid: '0x100000007',
    ctime: Date.UTC(2026, 10, 25, 10, 0, 0),
    mtime: Date.UTC(2026, 10, 25, 11, 30, 0),
    version: 3,
    cversion: 2,
    aversion: 1,
    ephemeralOwner: '0x0',
    dataLength: 0,
    numChildren: 0,
    ...overrides,
  }
}

export function connection(overrides: Partial<ConnectionView> = {}): ConnectionView {
  return {
    connectionId: 'c1',
    profileId: null,
    name: 'Local cluster',
    connectString: '127.0.0.1:2181',
    readOnly: false,
    color: null,
    state: 'CONNECTED',
    sessionId: '0x1000a',
    negotiatedTimeoutMs: 30_000,
    server: '127.0.0.1:2181',
    openedAt: 0,
    ...overrides,
  }
}

/** A listing of `names` under `path` answered page by page, as main's pager does. */
export function pageOf(path: string, names: readonly string[], offset: number, limit: number, stats: Record<string, Partial<ZnodeStat>> = {}): ChildrenPage {
  const sorted = [...names].sort()
  return {
    path,
    total: sorted.length,
    offset,
    children: sorted.slice(offset, offset + limit).map((name) => ({ name, stat: stat(stats[name] ?? {}) })),
    cversion: 1,
    cursor: `cursor:${path}`,
  }
}
