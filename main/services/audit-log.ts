import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { AuditEntry } from '../contract/model'
import type { EventBus } from '../rpc/event-bus'

export type AuditInput = Omit<AuditEntry, 'seq' | 'time'>

/** Entries kept in memory for audit.list; the file keeps everything. */
const MEMORY_LIMIT = 100_000

const CSV_COLUMNS: readonly (keyof AuditEntry)[] = ['seq', 'time', 'connectionId', 'connectionName', 'operation', 'path', 'oldVersion', 'newVersion', 'detail']

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * Every change the app makes (writes, recursive operations, console write commands, profile changes), appended to
 * `<userData>/audit.jsonl` as one JSON object per line and published on the audit.entry stream.
 */
export class AuditLog {
  private readonly entries: AuditEntry[]
  private seq: number

  constructor(
    private readonly file: string,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    this.entries = this.load()
    this.seq = this.entries.at(-1)?.seq ?? 0
  }

  private load(): AuditEntry[] {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch {
      return []
    }
    const entries: AuditEntry[] = []
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        entries.push(JSON.parse(line) as AuditEntry)
      } catch {
        // A torn last line after a crash: skip it.
      }
    }
    return entries.slice(-MEMORY_LIMIT)
  }

  record(input: AuditInput): AuditEntry {
    const entry: AuditEntry = { seq: ++this.seq, time: this.now(), ...input }
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
    this.entries.push(entry)
    if (this.entries.length > MEMORY_LIMIT) this.entries.splice(0, this.entries.length - MEMORY_LIMIT)
    this.bus.emit('audit.entry', entry)
    return entry
  }

  /** Newest first. */
  list(offset: number, limit: number, connectionId?: string): { entries: AuditEntry[]; total: number } {
    const matching = connectionId === undefined ? this.entries : this.entries.filter((entry) => entry.connectionId === connectionId)
    const total = matching.length
    const end = Math.max(0, total - offset)
    const start = Math.max(0, end - limit)
    return { entries: matching.slice(start, end).reverse(), total }
  }

  export(format: 'json' | 'csv'): { content: string; fileName: string } {
    if (format === 'json') return { content: `${JSON.stringify(this.entries, null, 2)}\n`, fileName: 'zoodesk-audit.json' }
    const lines = [CSV_COLUMNS.join(',')]
    for (const entry of this.entries) lines.push(CSV_COLUMNS.map((column) => csvCell(entry[column])).join(','))
    return { content: `${lines.join('\n')}\n`, fileName: 'zoodesk-audit.csv' }
  }
}
