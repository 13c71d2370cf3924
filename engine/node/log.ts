/**
 * A tiny leveled logger for the headless member and the CLI: one line per event on stderr,
 * `2026-11-25T10:00:00.123Z INFO  [server] message`. The level comes from ZOODESK_LOG_LEVEL
 * (error, warn, info, debug, trace; default info), read once on first use. A disabled level costs one compare,
 * so debug calls may stay on hot paths; build expensive messages only under `isEnabled`.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Logger {
  readonly component: string
  error(message: string, error?: unknown): void
  warn(message: string, error?: unknown): void
  info(message: string): void
  debug(message: string): void
  trace(message: string): void
  isEnabled(level: LogLevel): boolean
}

export type LogSink = (line: string) => void

const severity: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 }
const labels: Readonly<Record<LogLevel, string>> = { error: 'ERROR', warn: 'WARN ', info: 'INFO ', debug: 'DEBUG', trace: 'TRACE' }

let threshold: number | undefined
let sink: LogSink = (line) => {
  process.stderr.write(line)
}

export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  const lower = text?.trim().toLowerCase()
  return LOG_LEVELS.find((level) => level === lower)
}

function currentThreshold(): number {
  if (threshold === undefined) {
    const raw = process.env.ZOODESK_LOG_LEVEL
    const level = parseLogLevel(raw)
    threshold = severity[level ?? 'info']
    if (raw !== undefined && raw !== '' && level === undefined) {
      sink(`${new Date().toISOString()} ${labels.warn} [log] ZOODESK_LOG_LEVEL=${raw} is not one of ${LOG_LEVELS.join(', ')}; using info\n`)
    }
  }
  return threshold
}

export function setLogLevel(level: LogLevel): void {
  threshold = severity[level]
}

/** Redirects output (tests, the Electron main process); returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink
  sink = next
  return previous
}

function describeError(error: unknown): string {
  if (error instanceof Error) return currentThreshold() >= severity.debug && error.stack ? error.stack : error.message
  return String(error)
}

function emit(level: LogLevel, component: string, message: string, error?: unknown): void {
  if (severity[level] > currentThreshold()) return
  const suffix = error === undefined ? '' : `: ${describeError(error)}`
  sink(`${new Date().toISOString()} ${labels[level]} [${component}] ${message}${suffix}\n`)
}

export function createLogger(component: string): Logger {
  return {
    component,
    error: (message, error) => emit('error', component, message, error),
    warn: (message, error) => emit('warn', component, message, error),
    info: (message) => emit('info', component, message),
    debug: (message) => emit('debug', component, message),
    trace: (message) => emit('trace', component, message),
    isEnabled: (level) => severity[level] <= currentThreshold(),
  }
}
