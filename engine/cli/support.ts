import { type ParseArgsConfig, parseArgs } from 'node:util'

/** What every subcommand gets: where to write, and the environment. */
export interface CliContext {
  out(text: string): void
  err(text: string): void
  env: Readonly<Record<string, string | undefined>>
  /** The running CLI script (out/cli/zoodesk.cjs), for child processes and worker threads. */
  scriptPath: string
}

export interface CliCommand {
  name: string
  summary: string
  help: string
  run(args: string[], context: CliContext): Promise<number>
}

/** Exit codes shared by all subcommands. */
export const ExitCode = {
  ok: 0,
  /** Failed while running: port in use, a server died, the benchmark broke. */
  failure: 1,
  /** The command line or the config is wrong; nothing was started. */
  usage: 2,
  /** Interrupted (Ctrl-C) before finishing. */
  interrupted: 130,
} as const

/** A problem with how the command was called; printed with a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A failure with a message meant for the user as is, and the exit code to use. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message)
    this.name = 'CliFailure'
  }
}

type Options = NonNullable<ParseArgsConfig['options']>

/** node:util parseArgs, with its TypeErrors turned into UsageErrors. */
export function parseCommandLine<T extends Options>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** A positive whole number option (`--clients 8`). */
export function wholeNumber(value: string | undefined, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`)
  const number = Number(value)
  if (number < min || number > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${number}`)
  return number
}
