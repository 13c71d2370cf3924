import { PerformanceObserver } from 'node:perf_hooks'
import { generateLog } from '../forensics/bench'
import { DatadirError } from '../txn/errors'
import { ForensicDataDir } from '../forensics/forensic-data-dir'
import { txnRate } from '../forensics/txn-rate'
import { OpCode } from '../proto/opcodes'
import { type CliCommand, type CliContext, CliFailure, ExitCode, UsageError, parseCommandLine } from './support'

const HELP = `Usage: zoodesk datadir index <dataDir> [--data-log-dir DIR] [--stats] [--json]
       zoodesk datadir generate <dataDir> --size <bytes>[K|M|G]

Offline look at a ZooKeeper data directory (Apache ZooKeeper's or ZooDesk's), as the app's
Data dir view does it (data-dir forensics).

  index      checks every snapshot and indexes every txn log; prints the files, their zxid
             ranges and any damaged file (where it stops, what was readable)
  generate   writes a txn log of about --size bytes in Apache's format (ZooDesk's writer: a
             busy ensemble's mix of setData, creates and sessions) to measure indexing with

Options:
  --data-log-dir <DIR>  Apache's dataLogDir, when the logs live apart from the snapshots
  --stats               also print how long indexing took (MB/s), the index's size, the
                        process's peak RSS and the share of time spent in garbage collection
  --json                print the result as JSON
  --size <n>            bytes to generate (suffixes K, M, G: powers of 1024)
  -h, --help            show this help

Exit status: 0 done; 1 the directory could not be read; 2 bad command line.
`

function parseSize(text: string | undefined): number {
  if (text === undefined) throw new UsageError('generate needs --size')
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text.trim())
  if (match === null) throw new UsageError(`--size must be a number of bytes with an optional K, M or G, got ${JSON.stringify(text)}`)
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']
  return Math.round(Number(match[1]) * scale)
}

/** Milliseconds spent in GC pauses while `work` runs (V8's gc performance entries). */
async function timingGc<T>(work: () => Promise<T>): Promise<{ result: T; gcMs: number }> {
  let gcMs = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration
  })
  observer.observe({ entryTypes: ['gc'] })
  try {
    const result = await work()
    // Entries are delivered asynchronously: let the last ones arrive.
    await new Promise((resolve) => setTimeout(resolve, 20))
    return { result, gcMs }
  } finally {
    observer.disconnect()
  }
}

const MB = 1024 * 1024

/**
 * What the Data dir view asks of the index each time a filter is applied, timed over every txn: a path-prefix
 * filter (the parent of the first txn's path), a type filter, and the rate chart's counts.
 */
function timedQueries(dir: ForensicDataDir): { pathFilterMs: number; typeFilterMs: number; rateMs: number } {
  const time = (work: () => unknown) => {
    const start = performance.now()
    work()
    return Math.round(performance.now() - start)
  }
  const firstPath = dir.index.count > 0 ? (dir.index.pathsOf(0)[0] ?? '/') : '/'
  const prefix = firstPath.slice(0, Math.max(1, firstPath.lastIndexOf('/')))
  const all = dir.filter({})
  return {
    pathFilterMs: time(() => dir.filter({ pathPrefix: prefix })),
    typeFilterMs: time(() => dir.filter({ types: [OpCode.setData] })),
    rateMs: time(() => txnRate(dir.index, all)),
  }
}

function hex(zxid: bigint | null): string {
  return zxid === null ? '-' : `0x${zxid.toString(16)}`
}

async function runIndex(dataDir: string, options: { dataLogDir?: string; stats: boolean; json: boolean }, context: CliContext): Promise<number> {
  const opening = () => ForensicDataDir.open(dataDir, options.dataLogDir === undefined ? {} : { dataLogDir: options.dataLogDir })
  const { result: dir, gcMs } = await timingGc(opening).catch((error: unknown) => {
    throw error instanceof DatadirError ? new CliFailure(error.message) : error
  })
  try {
    const { summary } = dir
    const stats = {
      logBytes: summary.logBytes,
      txns: summary.txnCount,
      indexMs: Math.round(summary.indexMs),
      megabytesPerSecond: Number((summary.logBytes / MB / (summary.indexMs / 1000)).toFixed(1)),
      indexBytes: summary.indexBytes,
      distinctPaths: dir.index.paths.size,
      gcMs: Math.round(gcMs),
      heapUsedBytes: process.memoryUsage().heapUsed,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      ...timedQueries(dir),
    }
    const problems = dir.problems()
    if (options.json) {
      const files = {
        snapshots: dir.snapshots.map((one) => ({ file: one.file.path, valid: one.valid })),
        logs: dir.logs.map((one) => ({ file: one.file.path, txns: one.txnCount, firstZxid: hex(one.firstZxid), lastZxid: hex(one.lastZxid) })),
        problems,
      }
      context.out(`${JSON.stringify({ ...files, ...(options.stats ? { stats } : {}) }, (_key, value: unknown) => (typeof value === 'bigint' ? hex(value) : value), 1)}\n`)
      return ExitCode.ok
    }
    const lines = [`${dataDir}: ${summary.txnCount} txns, zxid ${hex(summary.firstZxid)}..${hex(summary.lastZxid)}`]
    for (const one of dir.snapshots) lines.push(`  snapshot ${one.file.path}${one.valid ? '' : ' (invalid)'}`)
    for (const one of dir.logs) lines.push(`  log ${one.file.path}: ${one.txnCount} txns, zxid ${hex(one.firstZxid)}..${hex(one.lastZxid)}`)
    for (const problem of problems) lines.push(`  problem: ${problem.file} [${problem.kind}] at offset ${problem.offset ?? '-'}, after zxid ${hex(problem.lastGoodZxid)}, ${problem.readable} readable: ${problem.message}`)
    if (options.stats) {
      lines.push(
        `indexed ${(stats.logBytes / MB).toFixed(1)} MB of txns in ${(stats.indexMs / 1000).toFixed(2)} s = ${stats.megabytesPerSecond} MB/s (GC ${(stats.gcMs / 1000).toFixed(2)} s)`,
        `index ${(stats.indexBytes / MB).toFixed(1)} MB for ${stats.txns} txns (${(stats.indexBytes / Math.max(1, stats.txns)).toFixed(1)} bytes a txn), ${stats.distinctPaths} distinct paths`,
        `heap used ${(stats.heapUsedBytes / MB).toFixed(0)} MB, peak RSS ${(stats.peakRssBytes / MB).toFixed(0)} MB`,
        `over every txn: a path-prefix filter ${stats.pathFilterMs} ms, a type filter ${stats.typeFilterMs} ms, the rate chart's counts ${stats.rateMs} ms`,
      )
    }
    context.out(`${lines.join('\n')}\n`)
    return ExitCode.ok
  } finally {
    await dir.close()
  }
}

async function run(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      'data-log-dir': { type: 'string' },
      stats: { type: 'boolean' },
      json: { type: 'boolean' },
      size: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  )
  if (values.help === true) {
    context.out(HELP)
    return ExitCode.ok
  }
  const [action, dataDir, ...extra] = positionals
  if (action !== 'index' && action !== 'generate') throw new UsageError(`expected 'index' or 'generate', got ${JSON.stringify(action ?? '')}`)
  if (dataDir === undefined) throw new UsageError(`${action} needs a data directory`)
  if (extra.length > 0) throw new UsageError(`unexpected ${JSON.stringify(extra[0])}`)
  if (action === 'generate') {
    const generated = await generateLog(dataDir, parseSize(values.size))
    context.out(`wrote ${generated.txns} txns to ${dataDir}/version-2 in ${(generated.ms / 1000).toFixed(1)} s\n`)
    return ExitCode.ok
  }
  return runIndex(dataDir, { ...(values['data-log-dir'] === undefined ? {} : { dataLogDir: values['data-log-dir'] }), stats: values.stats === true, json: values.json === true }, context)
}

export const datadirCommand: CliCommand = {
  name: 'datadir',
  summary: 'index a ZooKeeper data directory offline (files, damage, indexing speed)',
  help: HELP,
  run,
}
