import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BenchReport, type BenchSettings, DEFAULT_SETTINGS, runBench } from '../../../engine/bench/bench'
import { BenchSession } from '../../../engine/bench/driver'
import { findListeningPid, processCpuMicros, processRssBytes } from '../../../engine/bench/proc'
import { formatComparison, formatSingle } from '../../../engine/bench/report'
import { type LocalServer, startApacheServer } from '../../../engine/bench/servers'
import { BENCH_OPS, requestSource, shareOut } from '../../../engine/bench/workload'
import { ErrorCode } from '../../../engine/proto'
import { buildCli, runCli } from './build-cli'

/** The load generator against Debian's Apache ZooKeeper 3.8 (small counts: this checks numbers appear, not speed). */
let apache: LocalServer
let cli: string

beforeAll(async () => {
  ;// tickTime 500 ms allows 1 s sessions, so the ping test below need not idle long.
  ;[apache, cli] = await Promise.all([startApacheServer({ tickTimeMs: 500 }), Promise.resolve(buildCli())])
})

afterAll(async () => {
  await apache?.stop()
  if (cli !== undefined) rmSync(join(cli, '..'), { recursive: true, force: true })
})

const SMALL: BenchSettings = { ...DEFAULT_SETTINGS, sessions: 3, outstanding: 4, count: 120, runs: 2, threads: 0, warmup: false, childrenCount: 50 }

function expectPlausible(report: BenchReport, settings: BenchSettings): void {
  expect(report.results.map((summary) => summary.op)).toEqual(settings.ops)
  for (const summary of report.results) {
    expect(summary.runs).toHaveLength(settings.runs)
    expect(summary.errors).toBe(0)
    for (const run of summary.runs) {
      expect(run.completed).toBe(settings.count)
      expect(run.opsPerSecond).toBeGreaterThan(0)
      expect(run.durationMs).toBeGreaterThan(0)
      expect(run.p50Ms).toBeGreaterThan(0)
      expect(run.p50Ms).toBeLessThanOrEqual(run.p99Ms)
      expect(run.p99Ms).toBeLessThanOrEqual(run.p999Ms)
      // Latency can never exceed the whole phase; throughput can never exceed what that wall time allows.
      expect(run.p999Ms).toBeLessThanOrEqual(run.durationMs)
      expect(run.opsPerSecond * (run.durationMs / 1000)).toBeCloseTo(run.completed, 0)
      expect(run.clientCpuMicrosPerOp).toBeGreaterThan(0)
    }
    expect(summary.median.opsPerSecond).toBeGreaterThan(0)
  }
}

/** exists(path) through the raw driver: the error code of the reply (0 = the node exists). */
async function existsCode(path: string): Promise<number> {
  const session = await BenchSession.open(apache.address, { maxOutstanding: 1 })
  try {
    const result = await session.run(
      requestSource({ op: 'exists', parentPath: '/', first: 0, count: 1, nodeCount: 0, payloadBytes: 0, paths: [path] }),
      1,
      null,
      0,
      new Set([ErrorCode.NONODE]),
    )
    return Number(Object.keys(result.errorCodes)[0] ?? 0)
  } finally {
    await session.close()
  }
}

describe('bench driver against Apache ZooKeeper', () => {
  it('finds the server process from its port and reads its CPU and memory', () => {
    expect(findListeningPid(apache.address.port)).toBe(apache.pid)
    expect(processCpuMicros(apache.pid)).toBeGreaterThan(0)
    expect(processRssBytes(apache.pid)).toBeGreaterThan(10 * 1024 * 1024)
  })

  it('measures every op on the main thread, with server CPU per op, and leaves no znodes behind', async () => {
    const report = await runBench([{ name: 'Apache', addresses: [apache.address], pid: apache.pid }], SMALL)
    expectPlausible(report, SMALL)
    for (const summary of report.results) {
      expect(summary.median.serverCpuMicrosPerOp).toBeGreaterThanOrEqual(0)
      for (const run of summary.runs) expect(Object.keys(run.errorCodes)).toEqual([])
    }
    expect(await existsCode('/zoodesk-bench')).toBe(ErrorCode.NONODE)
    const table = formatSingle(report)
    expect(table).toContain('3 sessions × 4 outstanding, 120 ops per phase, 100-byte data, median of 2 runs, clients on main thread')
    expect(table).toMatch(/^getChildren \(50\) +[\d,]+ +[\d,]+–[\d,]+ +[\d.]+ \/ [\d.]+ \/ [\d.]+ +[\d.]+ +[\d.]+$/m)
  })

  it('keeps an idle session alive with pings', async () => {
    const session = await BenchSession.open(apache.address, { sessionTimeoutMs: 1000, maxOutstanding: 1 })
    try {
      expect(session.negotiatedTimeoutMs).toBe(1000)
      await new Promise((resolve) => setTimeout(resolve, 2500))
      const result = await session.run(
        requestSource({ op: 'exists', parentPath: '/', first: 0, count: 1, nodeCount: 0, payloadBytes: 0, paths: ['/zookeeper'] }),
        1,
      )
      expect(result).toMatchObject({ completed: 1, errors: 0, errorCodes: {} })
    } finally {
      await session.close()
    }
  })

  it('counts failed requests instead of hiding them', async () => {
    // Reads of nodes that do not exist: every reply is NONODE, and the report says so.
    const session = await BenchSession.open(apache.address, { maxOutstanding: 8 })
    try {
      const result = await session.run(
        requestSource({ op: 'get', parentPath: '/no-such-parent', first: 0, count: 50, nodeCount: 10, payloadBytes: 0 }),
        8,
        new Float64Array(50),
      )
      expect(result.completed).toBe(50)
      expect(result.errors).toBe(50)
      expect(result.errorCodes).toEqual({ [ErrorCode.NONODE]: 50 })
    } finally {
      await session.close()
    }
  })

  it('renders a side-by-side table for two targets', async () => {
    const settings: BenchSettings = { ...SMALL, ops: ['get', 'mix'], runs: 1 }
    const target = { addresses: [apache.address], pid: apache.pid }
    const report = await runBench([{ name: 'A', ...target }, { name: 'B', ...target }], settings)
    expect(report.results.map((summary) => `${summary.op}:${summary.target}`)).toEqual(['get:A', 'get:B', 'mix:A', 'mix:B'])
    const table = formatComparison(report)
    expect(table.split('\n')[2]).toMatch(/^op +A ops\/s +B ops\/s +A\/B +A p50\/p99\/p999 ms +B p50\/p99\/p999 ms +server µs\/op A \/ B$/)
    expect(table).toMatch(/^getData +[\d,]+ +[\d,]+ +[\d.]+× /m)
  })

  it('runs from the built CLI with worker threads and prints JSON with RSS', async () => {
    const args = ['bench', '--connect', `127.0.0.1:${apache.address.port}`, '--clients', '4', '--outstanding', '4']
    args.push('--count', '100', '--children', '20', '--runs', '1', '--no-warmup', '--threads', '2', '--rss-znodes', '200', '--json')
    const run = await runCli(cli, args)
    expect(run.stderr).toContain('run 1 server create:')
    expect(run.status).toBe(0)
    const report = JSON.parse(run.stdout) as BenchReport
    expect(report.targets).toEqual([{ name: 'server', addresses: [`127.0.0.1:${apache.address.port}`], pid: apache.pid }])
    expectPlausible(report, { ...report.settings, ops: [...BENCH_OPS].sort(opOrder) })
    expect(report.memory).toEqual([
      { target: 'server', znodes: 200, payloadBytes: 100, rssIdleBytes: expect.any(Number), rssLoadedBytes: expect.any(Number) },
    ])
    expect(await existsCode('/zoodesk-bench')).toBe(ErrorCode.NONODE)
  })
})

const ORDER = ['create', 'set', 'get', 'exists', 'children', 'mix', 'delete']
function opOrder(a: string, b: string): number {
  return ORDER.indexOf(a) - ORDER.indexOf(b)
}

describe('workload sharing', () => {
  it('spreads requests over sessions as evenly as possible', () => {
    expect(shareOut(10, 3)).toEqual([
      { first: 0, count: 4 },
      { first: 4, count: 3 },
      { first: 7, count: 3 },
    ])
    expect(shareOut(2, 4).map((share) => share.count)).toEqual([1, 1, 0, 0])
  })
})
