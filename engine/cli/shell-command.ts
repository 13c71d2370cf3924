import { DEFAULT_SERVER, DEFAULT_SESSION_TIMEOUT_MS, Shell, TerminalOutput, runInteractive, runLines } from '../shell'
import { type CliCommand, type CliContext, ExitCode, UsageError } from './support'
import { ZOODESK_VERSION } from './version'

const HELP = `Usage: zoodesk shell [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [command [args...]]

A ZooKeeper shell compatible with Apache's zkCli.sh 3.8: the same commands, flags, output, error messages and
exit status, against any ZooKeeper 3.5+ ensemble (Apache's or ZooDesk's).

  -server <hosts>    where to connect (default ${DEFAULT_SERVER}); a /chroot suffix applies to every path
  -timeout <ms>      session timeout (default ${DEFAULT_SESSION_TIMEOUT_MS})
  -r                 accept a read-only server
  -waitforconnection wait for the session before running anything
  -h, --help         show this help

With a command (e.g. 'zoodesk shell -server h:2181 ls -R /'), runs it and exits with its status.
Otherwise reads commands: interactively on a terminal (prompt, history, Tab completion of commands and
znode paths; Ctrl-D or 'quit' to leave), or one per line from a pipe or file. Type 'help' for the commands.
`

interface ShellArguments {
  server: string
  timeoutMs: number
  readOnly: boolean
  waitForConnection: boolean
  /** The command and its arguments, when one was given. */
  command: string[] | undefined
}

/**
 * ZooKeeperMain.MyCommandOptions.parseOptions: options until the first word not starting with '-', which begins
 * the command; unknown options are ignored, as zkCli does.
 */
function parseShellArguments(args: readonly string[], context: CliContext): ShellArguments {
  const parsed: ShellArguments = {
    server: DEFAULT_SERVER,
    timeoutMs: DEFAULT_SESSION_TIMEOUT_MS,
    readOnly: false,
    waitForConnection: false,
    command: undefined,
  }
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    const value = (): string | undefined => {
      const next = args[i + 1]
      if (next === undefined) context.err(`Error: no argument found for option ${word}\n`)
      else i++
      return next
    }
    if (word === '-server') parsed.server = value() ?? parsed.server
    else if (word === '-timeout') {
      const text = value()
      if (text !== undefined) {
        if (!/^\d+$/.test(text) || Number(text) < 1) {
          throw new UsageError(`-timeout wants a number of milliseconds, got ${JSON.stringify(text)}`)
        }
        parsed.timeoutMs = Number(text)
      }
    } else if (word === '-r') parsed.readOnly = true
    else if (word === '-waitforconnection') parsed.waitForConnection = true
    else if (word === '-client-configuration') {
      if (value() !== undefined) context.err('zoodesk shell: -client-configuration is not supported, ignored\n')
    } else if (!word.startsWith('-')) {
      parsed.command = args.slice(i)
      break
    }
  }
  return parsed
}

async function run(args: string[], context: CliContext): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    context.out(HELP)
    return ExitCode.ok
  }
  const options = parseShellArguments(args, context)
  const interactive = options.command === undefined && process.stdin.isTTY === true && process.stdout.isTTY === true
  const terminal = new TerminalOutput(process.stdout, process.stderr)
  context.out(`Connecting to ${options.server}\n`)
  let shell: Shell
  try {
    shell = new Shell({
      out: interactive ? terminal.out : context.out,
      err: interactive ? terminal.err : context.err,
      server: options.server,
      sessionTimeoutMs: options.timeoutMs,
      readOnly: options.readOnly,
      version: `3.8.6-zoodesk-${ZOODESK_VERSION}`,
    })
  } catch (error) {
    context.err(`${String(error)}\n`)
    return ExitCode.failure
  }
  if (options.waitForConnection) {
    try {
      await shell.client.waitForState(['CONNECTED', 'CONNECTEDREADONLY'], options.timeoutMs)
    } catch {
      await shell.close()
      context.err('KeeperErrorCode = ConnectionLoss\n')
      return ExitCode.failure
    }
  }
  // Like zkCli, leaving without `quit` does not close the session: the server expires it.
  if (options.command !== undefined) {
    await shell.executeArgs(options.command)
    return shell.exitCode
  }
  context.out('Welcome to ZooKeeper!\n')
  if (interactive) {
    context.out('JLine support is enabled\n')
    await runInteractive(shell, terminal, { input: process.stdin, output: process.stdout })
  } else {
    context.out('JLine support is disabled\n')
    await runLines(shell, process.stdin)
  }
  return shell.exitCode
}

export const shellCommand: CliCommand = {
  name: 'shell',
  summary: 'a ZooKeeper shell compatible with zkCli.sh (interactive, or one command)',
  help: HELP,
  run,
}
