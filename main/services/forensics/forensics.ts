// Data-dir forensics: data directories opened offline (snapshots checked, logs indexed once), the tree built as of a
// snapshot or zxid, txn pages by filter, one txn decoded, exports. Long work runs as an operation (progress in bytes
// or txns on operations.progress, cancel with operations.cancel).
import { randomUUID } from 'node:crypto'
import { basename } from 'node:path'
import { ForensicDataDir, type TreeAtZxid, type TreeTarget, type TxnFilter, TXN_TYPE_NAMES, txnRate, txnTypeName } from '../../../engine/forensics'
import { DatadirError, SnapshotInvalidError } from '../../../engine/txn/errors'
import type { ForensicTxnFilterInput, ParsedArgs } from '../../contract/contract'
import type {
  ExportDocument,
  ExportedNode,
  ForensicChildrenPage,
  ForensicDataDirView,
  ForensicExport,
  ForensicNode,
  ForensicTreeTarget,
  ForensicTreeView,
  ForensicTxnDetail,
  ForensicTxnPage,
  ForensicTxnRate,
  ForensicTxnRow,
  ForensicTxnType,
} from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { Operation, Operations } from '../operations'
import { hexLong, toAclEntries, toBase64, toZnodeStat } from '../znodes/convert'
import { kindOfOwner, toLogFile, toProblem, toSnapshotFile, toTreeView, toTxnDetail, toTxnRow } from './forensic-json'

/** Opened data dirs kept at once (each holds an index and maybe a tree). */
const MAX_OPEN = 4
/** Txns in one JSON export: beyond this, narrow the filter. */
const MAX_EXPORT_TXNS = 100_000

interface OpenDataDir {
  id: string
  path: string
  dir: ForensicDataDir
  view: ForensicDataDirView
  tree: { target: ForensicTreeTarget; built: TreeAtZxid; view: ForensicTreeView } | null
  /** The last filter's rows, so paging through a large result does not filter again. */
  lastFilter: { key: string; rows: Uint32Array } | null
  /** Sorted child names of the last listed node (a node with 100,000 children is sorted once). */
  lastChildren: { path: string; names: string[] } | null
}

const TYPE_CODES = new Map<string, number>(Object.entries(TXN_TYPE_NAMES).map(([code, name]) => [name, Number(code)]))

export function toEngineFilter(input: ForensicTxnFilterInput): TxnFilter {
  return {
    pathPrefix: input.pathPrefix === undefined || input.pathPrefix.trim() === '' ? null : input.pathPrefix.trim(),
    sessionId: input.sessionId === undefined ? null : BigInt.asIntN(64, BigInt(input.sessionId)),
    types: input.types === undefined ? null : input.types.map((name) => TYPE_CODES.get(name) ?? 0),
    fromTimeMs: input.fromTime ?? null,
    toTimeMs: input.toTime ?? null,
    fromZxid: input.fromZxid === undefined ? null : BigInt(input.fromZxid),
    toZxid: input.toZxid === undefined ? null : BigInt(input.toZxid),
  }
}

function toEngineTarget(target: ForensicTreeTarget): TreeTarget {
  return { kind: target.kind, zxid: BigInt.asIntN(64, BigInt(target.zxid)) }
}

export class Forensics {
  private readonly open = new Map<string, OpenDataDir>()

  constructor(
    private readonly operations: Operations,
    /** Electron's folder dialog (null when dismissed); absent in browser mode. */
    private readonly pickDirectory?: () => Promise<string | null>,
  ) {}

  async openDataDir(args: ParsedArgs<'forensics.open'>): Promise<ForensicDataDirView | null> {
    let path = args.path
    if (path === undefined) {
      if (this.pickDirectory === undefined) throw fail.unsupported('no folder dialog here: type the path of a data directory on the machine ZooDesk runs on')
      const picked = await this.pickDirectory()
      if (picked === null) return null
      path = picked
    }
    const chosen = path
    return this.operations.run('forensics', chosen, args.operationId, async (operation) => {
      let dir: ForensicDataDir
      try {
        dir = await ForensicDataDir.open(chosen, {
          ...(args.dataLogDir === undefined ? {} : { dataLogDir: args.dataLogDir }),
          signal: operation.signal,
          onProgress: (progress) => operation.progress(progress.phase === 'snapshots' ? 'scanning' : 'reading', progress.doneBytes, progress.totalBytes),
        })
      } catch (error) {
        throw this.mapped(error, operation)
      }
      const id = randomUUID()
      const view = this.dataDirView(id, chosen, dir)
      this.open.set(id, { id, path: chosen, dir, view, tree: null, lastFilter: null, lastChildren: null })
      await this.evictOldest()
      return view
    })
  }

  private dataDirView(id: string, path: string, dir: ForensicDataDir): ForensicDataDirView {
    const { summary } = dir
    return {
      dataDirId: id,
      path,
      snapDir: dir.files.snapDir,
      logDir: dir.files.logDir,
      snapshots: dir.snapshots.map(toSnapshotFile),
      logs: dir.logs.map(toLogFile),
      txnCount: summary.txnCount,
      firstZxid: summary.firstZxid === null ? null : hexLong(summary.firstZxid),
      lastZxid: summary.lastZxid === null ? null : hexLong(summary.lastZxid),
      firstTime: summary.firstTimeMs,
      lastTime: summary.lastTimeMs,
      indexMs: Math.round(summary.indexMs),
      indexBytes: summary.indexBytes,
      logBytes: summary.logBytes,
      problems: dir.problems().map(toProblem),
    }
  }

  private async evictOldest(): Promise<void> {
    while (this.open.size > MAX_OPEN) {
      const oldest = this.open.keys().next().value as string
      await this.close(oldest)
    }
  }

  async close(dataDirId: string): Promise<boolean> {
    const entry = this.open.get(dataDirId)
    if (entry === undefined) return false
    this.open.delete(dataDirId)
    await entry.dir.close()
    return true
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.close(id)
  }

  private get(dataDirId: string): OpenDataDir {
    const entry = this.open.get(dataDirId)
    if (entry === undefined) throw fail.notFound('data directory', dataDirId)
    return entry
  }

  private builtTree(entry: OpenDataDir): TreeAtZxid {
    if (entry.tree === null) throw fail.conflict('no tree is built for this data directory yet (forensics.tree)')
    return entry.tree.built
  }

  /** Engine errors a person can act on become contract errors; an abort becomes CANCELLED. */
  private mapped(error: unknown, operation: Operation): unknown {
    if (operation.signal.aborted) return fail.cancelled(operation.id)
    if (error instanceof DatadirError) return fail.notFound('data directory', error.message)
    if (error instanceof SnapshotInvalidError) return fail.conflict(error.message)
    return error
  }

  async tree(args: ParsedArgs<'forensics.tree'>): Promise<ForensicTreeView> {
    const entry = this.get(args.dataDirId)
    return this.operations.run('forensics', `${basename(entry.path)} @ ${args.at.zxid}`, args.operationId, async (operation) => {
      let built: TreeAtZxid
      try {
        built = await entry.dir.tree(toEngineTarget(args.at), {
          signal: operation.signal,
          onReplayed: (done, total) => operation.progress('reading', done, total),
        })
      } catch (error) {
        throw this.mapped(error, operation)
      }
      const view = toTreeView(entry.id, args.at, built)
      entry.tree = { target: args.at, built, view }
      entry.lastChildren = null
      return view
    })
  }

  children(args: ParsedArgs<'forensics.children'>): ForensicChildrenPage {
    const entry = this.get(args.dataDirId)
    const tree = this.builtTree(entry).tree
    const node = tree.getNode(args.path)
    if (node === undefined) throw fail.notFound('node', args.path)
    if (entry.lastChildren?.path !== args.path) entry.lastChildren = { path: args.path, names: [...node.children].sort() }
    const names = entry.lastChildren.names
    const children = names.slice(args.offset, args.offset + args.limit).flatMap((name) => {
      const path = args.path === '/' ? `/${name}` : `${args.path}/${name}`
      const child = tree.getNode(path)
      return child === undefined ? [] : [{ name, path, kind: kindOfOwner(child.stat.ephemeralOwner).kind, stat: toZnodeStat(tree.statOf(child)) }]
    })
    return { path: args.path, total: names.length, offset: args.offset, children }
  }

  node(args: ParsedArgs<'forensics.node'>): ForensicNode {
    const tree = this.builtTree(this.get(args.dataDirId)).tree
    const node = tree.getNode(args.path)
    if (node === undefined) throw fail.notFound('node', args.path)
    const { kind, ttlMs } = kindOfOwner(node.stat.ephemeralOwner)
    return { path: args.path, kind, ttlMs, data: toBase64(node.data), acl: toAclEntries(tree.aclOf(node)), stat: toZnodeStat(tree.statOf(node)) }
  }

  private filtered(entry: OpenDataDir, filter: ForensicTxnFilterInput): Uint32Array {
    const key = JSON.stringify(filter)
    if (entry.lastFilter?.key !== key) entry.lastFilter = { key, rows: entry.dir.filter(toEngineFilter(filter)) }
    return entry.lastFilter.rows
  }

  private row(entry: OpenDataDir, row: number): ForensicTxnRow {
    const { index } = entry.dir
    return toTxnRow(row, {
      zxid: index.zxidAt(row),
      timeMs: index.timeAt(row),
      type: index.typeAt(row),
      sessionId: index.sessionOf(row),
      paths: index.pathsOf(row),
      fileName: basename(index.fileOf(row)),
    })
  }

  txns(args: ParsedArgs<'forensics.txns'>): ForensicTxnPage {
    const entry = this.get(args.dataDirId)
    const rows = this.filtered(entry, args.filter)
    const page = Array.from(rows.subarray(args.offset, args.offset + args.limit), (row) => this.row(entry, row))
    return { total: rows.length, offset: args.offset, rows: page }
  }

  rate(args: ParsedArgs<'forensics.rate'>): ForensicTxnRate {
    const entry = this.get(args.dataDirId)
    const rows = this.filtered(entry, args.filter)
    const rate = txnRate(entry.dir.index, rows, args.buckets)
    const byType = [...rate.byType].map(([type, count]) => ({ type: txnTypeName(type) as ForensicTxnType, count })).sort((a, b) => b.count - a.count)
    return { total: rows.length, fromTime: rate.fromTimeMs, bucketMs: rate.bucketMs, counts: rate.counts, byType }
  }

  async txn(args: ParsedArgs<'forensics.txn'>): Promise<ForensicTxnDetail> {
    const entry = this.get(args.dataDirId)
    if (args.row >= entry.dir.index.count) throw fail.notFound('txn', String(args.row))
    return toTxnDetail(this.row(entry, args.row), await entry.dir.txnAt(args.row))
  }

  async export(args: ParsedArgs<'forensics.export'>): Promise<ForensicExport> {
    const entry = this.get(args.dataDirId)
    const stem = basename(entry.path).replace(/[^A-Za-z0-9_.-]+/g, '-')
    if (args.what === 'tree') {
      const built = this.builtTree(entry)
      const document = this.exportTree(built, args.path)
      const at = entry.tree?.view.reachedZxid ?? '0x0'
      return { content: JSON.stringify(document, null, 1), fileName: `${stem}-tree-${at}.json`, count: document.nodes.length }
    }
    const rows = this.filtered(entry, args.filter)
    if (rows.length > MAX_EXPORT_TXNS) throw fail.conflict(`${rows.length} txns match: narrow the filter to ${MAX_EXPORT_TXNS} or fewer to export them`)
    return this.operations.run('forensics', `${stem}: ${rows.length} txns`, args.operationId, async (operation) => {
      const txns: ForensicTxnDetail[] = []
      for (const row of rows) {
        txns.push(toTxnDetail(this.row(entry, row), await entry.dir.txnAt(row)))
        operation.progress('reading', txns.length, rows.length)
        operation.checkpoint()
      }
      const content = JSON.stringify({ format: 'zoodesk-txns', version: 1, dataDir: entry.path, filter: args.filter, exportedAt: Date.now(), txns }, null, 1)
      return { content, fileName: `${stem}-txns.json`, count: txns.length }
    })
  }

  /** The built tree under `root` as a ZooDesk export document (importable with znodes.import). */
  private exportTree(built: TreeAtZxid, root: string): ExportDocument {
    const { tree } = built
    if (tree.getNode(root) === undefined) throw fail.notFound('node', root)
    const nodes: ExportedNode[] = []
    const walk = (path: string, relative: string) => {
      const node = tree.getNode(path)
      if (node === undefined) return
      const { kind, ttlMs } = kindOfOwner(node.stat.ephemeralOwner)
      nodes.push({
        path: relative,
        kind,
        ...(ttlMs === null ? {} : { ttlMs }),
        data: toBase64(node.data),
        acl: toAclEntries(tree.aclOf(node)),
        stat: toZnodeStat(tree.statOf(node)),
      })
      for (const name of [...node.children].sort()) walk(path === '/' ? `/${name}` : `${path}/${name}`, relative === '' ? name : `${relative}/${name}`)
    }
    walk(root, '')
    return { format: 'zoodesk-export', version: 1, root, exportedAt: Date.now(), nodes }
  }
}
