import type { BenchReport, OpSummary } from './bench'
import { type BenchOp, opLabel } from './workload'

/** Renders a BenchReport as a plain-text table (one target) or a side-by-side comparison (two targets). */

function rate(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : Math.round(value).toLocaleString('en-US')
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-'
  return value >= 10 ? value.toFixed(1) : value.toFixed(2)
}

function micros(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(1)
}

function latencies(summary: OpSummary | undefined): string {
  if (summary === undefined) return '-'
  const { p50Ms, p99Ms, p999Ms } = summary.median
  return `${ms(p50Ms)} / ${ms(p99Ms)} / ${ms(p999Ms)}`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`
}

function settingsLine(report: BenchReport): string {
  const s = report.settings
  const threads = s.threads === 0 ? 'main thread' : `${s.threads} worker thread${s.threads === 1 ? '' : 's'}`
  return (
    `${s.sessions} sessions × ${s.outstanding} outstanding, ${s.count.toLocaleString('en-US')} ops per phase, ` +
    `${s.payloadBytes}-byte data, median of ${s.runs} run${s.runs === 1 ? '' : 's'}, clients on ${threads}`
  )
}

function errorNotes(report: BenchReport): string[] {
  return report.results
    .filter((summary) => summary.errors > 0)
    .map((summary) => {
      const codes = new Map<string, number>()
      for (const run of summary.runs) for (const [code, times] of Object.entries(run.errorCodes)) codes.set(code, (codes.get(code) ?? 0) + times)
      const detail = [...codes].map(([code, times]) => `${times}× err ${code}`).join(', ')
      return `warning: ${summary.target} ${opLabel(summary.op, report.settings.childrenCount)}: ${summary.errors} failed requests (${detail})`
    })
}

function memoryLines(report: BenchReport): string[] {
  return report.memory.map(
    (entry) =>
      `${entry.target}: RSS ${mib(entry.rssLoadedBytes)} after loading ${entry.znodes.toLocaleString('en-US')} znodes ` +
      `of ${entry.payloadBytes} bytes (${mib(entry.rssIdleBytes)} before)`,
  )
}

function opsInOrder(report: BenchReport): BenchOp[] {
  const seen: BenchOp[] = []
  for (const summary of report.results) if (!seen.includes(summary.op)) seen.push(summary.op)
  return seen
}

export function formatSingle(report: BenchReport): string {
  const target = report.targets[0]
  const rows = report.results.map((summary) => [
    opLabel(summary.op, report.settings.childrenCount),
    rate(summary.median.opsPerSecond),
    `${rate(Math.min(...summary.runs.map((run) => run.opsPerSecond)))}–${rate(Math.max(...summary.runs.map((run) => run.opsPerSecond)))}`,
    latencies(summary),
    micros(summary.median.serverCpuMicrosPerOp),
    micros(summary.median.clientCpuMicrosPerOp),
  ])
  const header = ['op', 'ops/s', 'range', 'p50 / p99 / p999 ms', 'server µs/op', 'client µs/op']
  return [
    `${target?.name ?? 'server'} at ${target?.addresses.join(',') ?? '?'}${target?.pid === undefined ? '' : ` (pid ${target.pid})`}`,
    settingsLine(report),
    '',
    table(header, rows),
    ...memoryLines(report),
    ...errorNotes(report),
  ].join('\n')
}

export function formatComparison(report: BenchReport): string {
  const [first, second] = report.targets
  const a = first?.name ?? 'A'
  const b = second?.name ?? 'B'
  const find = (op: BenchOp, target: string) => report.results.find((summary) => summary.op === op && summary.target === target)
  const rows = opsInOrder(report).map((op) => {
    const left = find(op, a)
    const right = find(op, b)
    const ratio = left !== undefined && right !== undefined ? left.median.opsPerSecond / right.median.opsPerSecond : Number.NaN
    return [
      opLabel(op, report.settings.childrenCount),
      rate(left?.median.opsPerSecond),
      rate(right?.median.opsPerSecond),
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '-',
      latencies(left),
      latencies(right),
      `${micros(left?.median.serverCpuMicrosPerOp)} / ${micros(right?.median.serverCpuMicrosPerOp)}`,
    ]
  })
  const header = ['op', `${a} ops/s`, `${b} ops/s`, `${a}/${b}`, `${a} p50/p99/p999 ms`, `${b} p50/p99/p999 ms`, `server µs/op ${a} / ${b}`]
  return [settingsLine(report), '', table(header, rows), ...memoryLines(report), ...errorNotes(report)].join('\n')
}

/** JSON with bigint-free, finite numbers (NaN becomes null). */
export function formatJson(report: BenchReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)
}
