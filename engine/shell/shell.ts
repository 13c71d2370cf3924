import { type ClientOptions, type WatchedEvent, ZooKeeperClient, parseConnectString } from '../client'
import { type CommandIo, type ShellCommand, shellCommands } from './commands'
import { completeLine } from './completion'
import { CliError, IllegalArgumentError, JavaRuntimeError } from './errors'
import { watcherOutput } from './events'
import { javaDecodeInt } from './java-numbers'
import { splitCommandLine } from './tokenize'
import { ShellZk } from './zk'

/** zkCli's defaults (ZooKeeperMain.MyCommandOptions). */
export const DEFAULT_SERVER = 'localhost:2181'
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000
/** What `version` reports by default: the zkCli release this shell follows. */
export const SHELL_VERSION = '3.8.6-zoodesk'

/** Client settings the shell passes through (TLS, limits); the shell owns timeout, read-only and the watcher. */
export type ShellClientOptions = Omit<ClientOptions, 'sessionTimeoutMs' | 'canBeReadOnly' | 'defaultWatcher'>

export interface ShellOptions {
  /** zkCli's System.out: command output, watch events, `Not connected`. */
  out(text: string): void
  /** zkCli's System.err: errors, usage, `Created /a` and the other messages zkCli sends there. */
  err(text: string): void
  /** `host:port[,host:port…][/chroot]`; default localhost:2181. */
  server?: string
  sessionTimeoutMs?: number
  /** Accept a read-only server (zkCli's -r). */
  readOnly?: boolean
  client?: ShellClientOptions
  /** Shown by `version` after "ZooKeeper CLI version: ". */
  version?: string
}

/** The commands ZooKeeperMain handles itself, with their usage option strings. */
const BUILTINS: ReadonlyMap<string, string> = new Map([
  ['connect', 'host:port'],
  ['history', ''],
  ['redo', 'cmdno'],
  ['printwatches', 'on|off'],
  ['quit', ''],
])

const HISTORY_SHOWN = 10

/**
 * A zkCli 3.8 session (ZooKeeperMain) without a terminal: lines in, zkCli's stdout and stderr text out. The same
 * commands, flags, messages, streams and quirks as Apache's shell, so scripts and habits carry over. The app's
 * console drives it directly; `zoodesk shell` wraps it with readline or reads lines from stdin.
 *
 * Connecting starts in the constructor and never blocks: like zkCli, commands typed meanwhile wait for the session
 * (see ShellZk). Calls to execute() run one after the other, in call order.
 */
export class Shell {
  private readonly out: (text: string) => void
  private readonly err: (text: string) => void
  private readonly commands: ReadonlyMap<string, ShellCommand>
  /** zkCli's commandMap: every name `usage` lists, with its option string. */
  private readonly optionStrings: ReadonlyMap<string, string>
  private readonly history = new Map<number, string>()
  private readonly sessionTimeoutMs: number
  private readonly readOnly: boolean
  private readonly clientOptions: ShellClientOptions
  private readonly io: CommandIo
  /** The words of the last parsed line (Java's shared MyCommandOptions: a line without words leaves them). */
  private words: string[] | undefined
  private count = 0
  private printWatches = true
  private code = 0
  private quit = false
  private host: string
  private zk: ShellZk
  private queue: Promise<void> = Promise.resolve()

  /** Prints every event of every watch and of the session, as zkCli's MyWatcher does. */
  private readonly watcher = (event: WatchedEvent): void => {
    if (this.printWatches) this.out(watcherOutput(event))
  }

  constructor(options: ShellOptions) {
    this.out = options.out
    this.err = options.err
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS
    this.readOnly = options.readOnly ?? false
    this.clientOptions = options.client ?? {}
    this.commands = shellCommands(options.version ?? SHELL_VERSION)
    const names = new Map(BUILTINS)
    for (const [name, entry] of this.commands) names.set(name, entry.optionStr)
    this.optionStrings = names
    this.host = options.server ?? DEFAULT_SERVER
    const shell = this
    this.io = {
      get zk(): ShellZk {
        return shell.zk
      },
      println: (text) => this.out(`${text}\n`),
      print: (text) => this.out(text),
      eprintln: (text) => this.err(`${text}\n`),
    }
    this.zk = this.open(this.host)
  }

  /** Every command name, sorted as zkCli lists and completes them. */
  get commandNames(): string[] {
    return [...this.optionStrings.keys()].sort()
  }

  /** `[zk: host:port(CONNECTED) 3] `, as zkCli's prompt. */
  get prompt(): string {
    return `[zk: ${this.host}(${this.zk.client.state}) ${this.count}] `
  }

  /** zkCli's exit status: the last command's (0, 1 for an error, 127 for an unknown command). */
  get exitCode(): number {
    return this.code
  }

  /** Set once `quit` ran: the session is closed and a terminal should exit with exitCode. */
  get quitRequested(): boolean {
    return this.quit
  }

  /** The current session's client (a new one after `connect`). */
  get client(): ZooKeeperClient {
    return this.zk.client
  }

  /** The connect string in use, as given. */
  get connectString(): string {
    return this.host
  }

  /** Lines executed so far (the number in the prompt and in `history`). */
  get commandCount(): number {
    return this.count
  }

  /** zkCli's executeLine: one typed line (blank lines are ignored), remembered in history. */
  execute(line: string): Promise<void> {
    return this.enqueue(async () => {
      if (line === '') return
      this.parseLine(line)
      this.history.set(this.count, line)
      await this.processCommand(this.words)
      this.count++
    })
  }

  /** One command given as words, like `zkCli.sh -server h:p get /a`: no line splitting, no history. */
  executeArgs(words: readonly string[]): Promise<void> {
    return this.enqueue(() => this.processCommand([...words]))
  }

  /** Tab completion of `line` (up to the cursor): command names, or a znode path's children. Never throws. */
  complete(line: string): Promise<string[]> {
    const client = this.zk.client
    const children = async (path: string): Promise<string[]> => {
      if (client.state !== 'CONNECTED' && client.state !== 'CONNECTEDREADONLY') return []
      return client.getChildren(path)
    }
    return completeLine(line, this.commandNames, children)
  }

  /** Closes the session (the app closing its console); the shell can still `connect` again. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      await this.zk.client.close()
    })
  }

  private enqueue(run: () => Promise<void>): Promise<void> {
    const next = this.queue.then(run)
    this.queue = next.catch(() => {})
    return next
  }

  private parseLine(line: string): void {
    const words = splitCommandLine(line)
    if (words.length > 0) this.words = words
  }

  private open(host: string): ShellZk {
    let hostCount: number
    let client: ZooKeeperClient
    try {
      hostCount = parseConnectString(host).hosts.length
      client = new ZooKeeperClient(host, {
        ...this.clientOptions,
        sessionTimeoutMs: this.sessionTimeoutMs,
        canBeReadOnly: this.readOnly,
        defaultWatcher: this.watcher,
      })
    } catch (error) {
      throw new IllegalArgumentError(error instanceof Error ? error.message : String(error))
    }
    client.on('error', (error) => this.err(`${error instanceof Error ? error.message : String(error)}\n`))
    return new ShellZk(client, this.watcher, this.sessionTimeoutMs / hostCount)
  }

  /** ZooKeeperMain.connectToZK: closes a live session, then starts one to `host`. */
  private async connect(host: string): Promise<void> {
    if (this.zk.client.isAlive()) await this.zk.client.close()
    this.host = host
    this.zk = this.open(host)
  }

  /** ZooKeeperMain.processCmd: runs the command and turns its failure into stderr text and an exit code. */
  private async processCommand(words: string[] | undefined): Promise<void> {
    try {
      await this.processZkCommand(words === undefined ? [] : [...words])
      if (!this.quit) this.code = 0
    } catch (error) {
      if (error instanceof CliError) {
        this.code = error.exitCode
        this.err(`${error.message}\n`)
      } else if (error instanceof JavaRuntimeError) {
        // zkCli dies of these with a stack trace; the message is what matters.
        this.code = 1
        this.err(`${error.toString()}\n`)
      } else {
        this.code = 1
        this.err(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      }
    }
  }

  private usage(): void {
    const lines = this.commandNames.map((name) => `\t${name} ${this.optionStrings.get(name)}`)
    this.err(`ZooKeeper -server host:port -client-configuration properties-file cmd args\n${lines.join('\n')}\n`)
  }

  /** ZooKeeperMain.processZKCmd, including where its built-in commands fall through to "Not connected". */
  private async processZkCommand(args: string[]): Promise<void> {
    const name = args[0]
    if (name === undefined) {
      this.usage()
      throw new CliError('No command entered')
    }
    if (!this.optionStrings.has(name)) {
      this.usage()
      throw new CliError(`Command not found: Command not found ${name}`, 127)
    }
    if (name === 'quit') {
      await this.zk.client.close()
      this.quit = true
      return
    }
    if (name === 'redo' && args.length >= 2) await this.redo(args[1]!)
    else if (name === 'history') this.printHistory()
    else if (name === 'printwatches') {
      if (args.length === 1) this.out(`printwatches is ${this.printWatches ? 'on' : 'off'}\n`)
      else this.printWatches = args[1] === 'on'
    } else if (name === 'connect') await this.connect(args[1] ?? this.host)

    if (!this.zk.client.isAlive()) {
      this.out('Not connected\n')
      return
    }
    await this.commands.get(name)?.run(args, this.io)
  }

  private async redo(indexText: string): Promise<void> {
    const index = javaDecodeInt(indexText)
    if (this.count <= index || index < 0) throw new CliError('Command index out of range')
    const line = this.history.get(index) ?? ''
    this.parseLine(line)
    if (this.words?.[0] === 'redo') throw new CliError('No redoing redos')
    this.history.set(this.count, line)
    await this.processCommand(this.words)
  }

  private printHistory(): void {
    for (let i = Math.max(0, this.count - HISTORY_SHOWN); i <= this.count; i++) {
      this.out(`${i} - ${this.history.get(i) ?? 'null'}\n`)
    }
  }
}
