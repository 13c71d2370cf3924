import { type CheckOp, type CreateOp, type DeleteOp, Op, type SetDataOp } from '../../../engine/client'
import type { ParsedArgs } from '../../contract/contract'
import type { ExportResult, MultiOpResult, SearchResult, TreeOperationResult } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { AuditLog } from '../audit-log'
import type { Connections, OpenConnection } from '../connections/connections'
import type { Operations } from '../operations'
import type { Watches } from '../watches/watches'
import { ChildrenPager } from './children-pager'
import { createModeValue, fromAclEntries, fromBase64, nodeKindOf, toAclEntries, toBase64, toZnodeStat } from './convert'
import { decodeExport, encodeJson, encodeZip } from './export-format'
import { deletePaths, readSubtree, writeNodes } from './tree-ops'
import { searchSubtree } from './subtree-search'
import { listSubtree } from './tree-walk'

/** Recursive deletes of more nodes than this need a typed confirmation (the path). */
export const CONFIRM_DELETE_ABOVE = 10

function isInside(path: string, root: string): boolean {
  return path === root || root === '/' || path.startsWith(`${root}/`)
}

function baseName(path: string): string {
  return path === '/' ? 'root' : path.slice(path.lastIndexOf('/') + 1)
}

/** Znode reads and writes, single and recursive. Writes are refused on read-only connections and audited. */
export class Znodes {
  private readonly pager = new ChildrenPager()

  constructor(
    private readonly connections: Connections,
    private readonly watches: Watches,
    private readonly operations: Operations,
    private readonly audit: AuditLog,
  ) {
    connections.onClose((connection) => this.pager.forget(connection.id))
  }

  private record(connection: OpenConnection, operation: string, path: string | null, oldVersion: number | null, newVersion: number | null, detail: string | null = null): void {
    this.audit.record({ connectionId: connection.id, connectionName: connection.name, operation, path, oldVersion, newVersion, detail })
  }

  children(args: ParsedArgs<'znodes.children'>) {
    const connection = this.connections.get(args.connectionId)
    return this.pager.page(connection.id, connection.client, {
      path: args.path,
      offset: args.offset,
      limit: args.limit,
      withStat: args.withStat,
      cursor: args.cursor,
      watcher: args.watch ? this.watches.treeWatcher(connection, 'tree-children') : undefined,
    })
  }

  async get(args: ParsedArgs<'znodes.get'>) {
    const connection = this.connections.get(args.connectionId)
    const { data, stat } = await connection.client.getData(args.path, args.watch ? this.watches.treeWatcher(connection, 'tree-data') : undefined)
    return { path: args.path, data: toBase64(data), stat: toZnodeStat(stat), kind: nodeKindOf(stat) }
  }

  async exists(args: ParsedArgs<'znodes.exists'>) {
    const stat = await this.connections.get(args.connectionId).client.exists(args.path)
    return { stat: stat === null ? null : toZnodeStat(stat) }
  }

  async set(args: ParsedArgs<'znodes.set'>) {
    const connection = this.connections.writable(args.connectionId)
    const stat = await connection.client.setData(args.path, fromBase64(args.data), args.version)
    this.record(connection, 'setData', args.path, stat.version - 1, stat.version, `${stat.dataLength} bytes`)
    return { stat: toZnodeStat(stat) }
  }

  async create(args: ParsedArgs<'znodes.create'>) {
    const connection = this.connections.writable(args.connectionId)
    const created = await connection.client.create2(args.path, fromBase64(args.data), {
      mode: createModeValue(args.mode),
      ...(args.acl === undefined ? {} : { acl: fromAclEntries(args.acl) }),
      ...(args.ttlMs === undefined ? {} : { ttlMs: args.ttlMs }),
    })
    this.record(connection, 'create', created.path, null, created.stat.version, args.mode)
    return { path: created.path, stat: toZnodeStat(created.stat) }
  }

  async delete(args: ParsedArgs<'znodes.delete'>) {
    const connection = this.connections.writable(args.connectionId)
    const oldVersion = args.version === -1 ? ((await connection.client.exists(args.path))?.version ?? null) : args.version
    await connection.client.delete(args.path, args.version)
    this.record(connection, 'delete', args.path, oldVersion, null)
    return { deleted: true as const }
  }

  async getAcl(args: ParsedArgs<'znodes.getAcl'>) {
    const { acl, stat } = await this.connections.get(args.connectionId).client.getACL(args.path)
    return { acl: toAclEntries(acl), stat: toZnodeStat(stat) }
  }

  async setAcl(args: ParsedArgs<'znodes.setAcl'>) {
    const connection = this.connections.writable(args.connectionId)
    const stat = await connection.client.setACL(args.path, fromAclEntries(args.acl), args.version)
    this.record(connection, 'setACL', args.path, stat.aversion - 1, stat.aversion, args.acl.map((entry) => `${entry.scheme}:${entry.id}:${entry.perms}`).join(' '))
    return { stat: toZnodeStat(stat) }
  }

  async multi(args: ParsedArgs<'znodes.multi'>): Promise<{ results: MultiOpResult[] }> {
    const connection = this.connections.writable(args.connectionId)
    const ops: (CreateOp | DeleteOp | SetDataOp | CheckOp)[] = args.ops.map((op) => {
      switch (op.op) {
        case 'create':
          return Op.create(op.path, fromBase64(op.data), {
            mode: createModeValue(op.mode),
            ...(op.acl === undefined ? {} : { acl: fromAclEntries(op.acl) }),
            ...(op.ttlMs === undefined ? {} : { ttlMs: op.ttlMs }),
          })
        case 'delete':
          return Op.delete(op.path, op.version)
        case 'setData':
          return Op.setData(op.path, fromBase64(op.data), op.version)
        case 'check':
          return Op.check(op.path, op.version)
      }
    })
    const results = await connection.client.multi(ops)
    const mapped = results.map((result): MultiOpResult => {
      switch (result.kind) {
        case 'create':
          return { op: 'create', path: result.path }
        case 'delete':
          return { op: 'delete' }
        case 'setData':
          return { op: 'setData', stat: toZnodeStat(result.stat) }
        case 'check':
          return { op: 'check' }
        default:
          return { op: 'error', code: 'UNKNOWN' }
      }
    })
    this.record(connection, 'multi', null, null, null, args.ops.map((op) => `${op.op} ${op.path}`).join('; ').slice(0, 2000))
    return { results: mapped }
  }

  deleteRecursive(args: ParsedArgs<'znodes.deleteRecursive'>): Promise<TreeOperationResult> {
    const connection = this.connections.writable(args.connectionId)
    if (args.path === '/' || isInside(args.path, '/zookeeper')) throw fail.conflict(`${args.path} cannot be deleted (ZooKeeper's own nodes)`)
    return this.operations.run('delete', args.path, args.operationId, async (operation) => {
      const paths = await listSubtree(connection.client, args.path, operation)
      if (paths.length > CONFIRM_DELETE_ABOVE && args.confirm !== args.path) {
        throw fail.confirm(args.path, paths.length, `deleting ${args.path} removes ${paths.length} nodes`)
      }
      const deleted = await deletePaths(connection.client, paths, operation)
      this.record(connection, 'deleteRecursive', args.path, null, null, `${deleted} nodes`)
      return { operationId: operation.id, read: paths.length, created: 0, updated: 0, deleted, skipped: 0 }
    })
  }

  async export(args: ParsedArgs<'znodes.export'>): Promise<ExportResult> {
    const connection = this.connections.get(args.connectionId)
    return this.operations.run('export', args.path, args.operationId, async (operation) => {
      const document = await readSubtree(connection.client, args.path, operation)
      const content = args.format === 'json' ? encodeJson(document) : encodeZip(document).toString('base64')
      return {
        operationId: operation.id,
        read: document.nodes.length,
        created: 0,
        updated: 0,
        deleted: 0,
        skipped: 0,
        format: args.format,
        content,
        fileName: `${baseName(args.path)}.zoodesk.${args.format}`,
      }
    })
  }

  /** Read-only walk in main with progress and cancel (subtree-search.ts). */
  search(args: ParsedArgs<'znodes.search'>): Promise<SearchResult> {
    const connection = this.connections.get(args.connectionId)
    return this.operations.run('search', args.path, args.operationId, (operation) => searchSubtree(connection.client, args, operation))
  }

  import(args: ParsedArgs<'znodes.import'>): Promise<TreeOperationResult> {
    const connection = this.connections.writable(args.connectionId)
    return this.operations.run('import', args.path, args.operationId, async (operation) => {
      const { nodes } = decodeExport(args.format, args.content)
      const existing = await connection.client.exists(args.path)
      if (existing !== null && args.confirm !== args.path) {
        throw fail.confirm(args.path, nodes.length, `${args.path} exists: importing ${nodes.length} nodes over it overwrites data and ACLs`)
      }
      const counts = await writeNodes(connection.client, args.path, nodes, { ephemeralsAsPersistent: args.ephemeralsAsPersistent }, operation)
      this.record(connection, 'import', args.path, null, null, `${counts.created} created, ${counts.updated} updated, ${counts.skipped} skipped`)
      return { operationId: operation.id, read: nodes.length, created: counts.created, updated: counts.updated, deleted: 0, skipped: counts.skipped }
    })
  }

  copy(args: ParsedArgs<'znodes.copy'>, move = false): Promise<TreeOperationResult> {
    const source = move ? this.connections.writable(args.connectionId) : this.connections.get(args.connectionId)
    const target = this.connections.writable(args.targetConnectionId ?? args.connectionId)
    const sameEnsemble = target.id === source.id
    if (sameEnsemble && (isInside(args.to, args.from) || isInside(args.from, args.to))) {
      throw fail.conflict(`cannot ${move ? 'move' : 'copy'} ${args.from} to ${args.to}: one is inside the other`)
    }
    if (isInside(args.from, '/zookeeper') || args.from === '/') throw fail.conflict(`${args.from} cannot be ${move ? 'moved' : 'copied'}`)
    return this.operations.run(move ? 'move' : 'copy', args.from, args.operationId, async (operation) => {
      const existing = await target.client.exists(args.to)
      const document = await readSubtree(source.client, args.from, operation)
      if (existing !== null && args.confirm !== args.to) {
        throw fail.confirm(args.to, document.nodes.length, `${args.to} exists: copying ${document.nodes.length} nodes over it overwrites data and ACLs`)
      }
      const nodes = document.nodes.map((node) => ({ ...node, data: fromBase64(node.data) }))
      const counts = await writeNodes(target.client, args.to, nodes, { ephemeralsAsPersistent: false }, operation)
      let deleted = 0
      if (move) {
        const paths = document.nodes.map((node) => (node.path === '' ? args.from : `${args.from}/${node.path}`))
        deleted = await deletePaths(source.client, paths, operation)
      }
      this.record(target, move ? 'move' : 'copy', args.to, null, null, `from ${source.name}:${args.from}; ${counts.created} created, ${counts.updated} updated, ${counts.skipped} skipped${move ? `, ${deleted} deleted` : ''}`)
      return { operationId: operation.id, read: document.nodes.length, ...counts, deleted }
    })
  }
}
