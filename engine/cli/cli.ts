import { benchCommand } from './bench-command'
import { clusterCommand } from './cluster-command'
import { datadirCommand } from './datadir-command'
import { createServerCommand } from './server-command'
import { shellCommand } from './shell-command'
import { type CliCommand, type CliContext, CliFailure, ExitCode, UsageError } from './support'
import { ZOODESK_VERSION } from './version'
import { webCommand } from './web-command'

/**
 * `zoodesk <subcommand> …`: finds the subcommand, runs it, and turns failures into one clear line on stderr
 * and an exit code (see ExitCode). Subcommands own their options and `--help`.
 */
export const COMMANDS: readonly CliCommand[] = [createServerCommand(), clusterCommand, benchCommand, shellCommand, webCommand, datadirCommand]

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
  return `Usage: zoodesk <command> [options]

ZooDesk ${ZOODESK_VERSION}: a ZooKeeper-compatible server, and tools for ZooKeeper ensembles.

Commands:
${lines.join('\n')}

Run 'zoodesk <command> --help' for a command's options. 'zoodesk --version' prints the version.
`
}

export async function runCli(argv: string[], context: CliContext, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((command) => command.name === rest[0]) : undefined
    context.out(topic?.help ?? overview(commands))
    return name === undefined ? ExitCode.usage : ExitCode.ok
  }
  if (name === '--version' || name === '-v') {
    context.out(`${ZOODESK_VERSION}\n`)
    return ExitCode.ok
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    context.err(`zoodesk: unknown command ${JSON.stringify(name)}\n\n${overview(commands)}`)
    return ExitCode.usage
  }
  try {
    return await command.run(rest, context)
  } catch (error) {
    if (error instanceof UsageError) {
      context.err(`zoodesk ${name}: ${error.message}\nRun 'zoodesk ${name} --help' for usage.\n`)
      return ExitCode.usage
    }
    if (error instanceof CliFailure) {
      context.err(`zoodesk ${name}: ${error.message}\n`)
      return error.exitCode
    }
    context.err(`zoodesk ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return ExitCode.failure
  }
}
