import { randomUUID } from 'node:crypto'
import { parseConnectString } from '../../../engine/client'
import { Shell, splitCommandLine } from '../../../engine/shell'
import type { ConsoleOutput } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import type { AuditLog } from '../audit-log'
import { digestAuth, tlsOptions } from '../connections/client-options'
import type { Connections, OpenConnection } from '../connections/connections'

/** zkCli commands that change the ensemble: refused on read-only connections, audited otherwise. */
const WRITE_COMMANDS: ReadonlySet<string> = new Set(['create', 'delete', 'deleteall', 'rmr', 'set', 'setAcl', 'setquota', 'delquota', 'reconfig'])

interface ConsoleSession {
  id: string
  connection: OpenConnection
  shell: Shell
  /** Output of the line being executed; null between lines (then output goes out on console.output). */
  capture: ConsoleOutput[] | null
}

/**
 * One zkCli-compatible shell (engine/shell) per console, on its own session to the connection's ensemble with the
 * connection's TLS settings and credentials. Lines in, zkCli's text out.
 */
export class Consoles {
  private readonly sessions = new Map<string, ConsoleSession>()

  constructor(
    private readonly connections: Connections,
    private readonly bus: EventBus,
    private readonly audit: AuditLog,
  ) {
    connections.onClose((connection) => {
      for (const session of this.sessions.values()) if (session.connection.id === connection.id) void this.close(session.id)
    })
  }

  async open(connectionId: string): Promise<{ consoleId: string; prompt: string }> {
    const connection = this.connections.get(connectionId)
    const id = randomUUID()
    const emit = (stream: 'out' | 'err') => (text: string) => {
      const session = this.sessions.get(id)
      if (session?.capture) session.capture.push({ stream, text })
      else this.bus.emit('console.output', { consoleId: id, stream, text })
    }
    const tls = tlsOptions(connection.profile, connection.tunnel === null ? undefined : parseConnectString(connection.connectString).hosts[0]?.host)
    const shell = new Shell({
      out: emit('out'),
      err: emit('err'),
      server: connection.effectiveConnectString,
      sessionTimeoutMs: connection.profile.sessionTimeoutMs,
      readOnly: connection.readOnly,
      ...(tls === undefined ? {} : { client: { tls } }),
    })
    const session: ConsoleSession = { id, connection, shell, capture: null }
    this.sessions.set(id, session)
    for (const credential of connection.profile.credentials) await shell.client.addAuth('digest', digestAuth(credential)).catch(() => {})
    return { consoleId: id, prompt: shell.prompt }
  }

  private get(consoleId: string): ConsoleSession {
    const session = this.sessions.get(consoleId)
    if (session === undefined) throw fail.notFound('console', consoleId)
    return session
  }

  async execute(consoleId: string, line: string): Promise<{ output: ConsoleOutput[]; prompt: string; exitCode: number }> {
    const session = this.get(consoleId)
    const words = splitCommandLine(line)
    const command = words[0]
    const writes = command !== undefined && WRITE_COMMANDS.has(command)
    if (writes && session.connection.readOnly) throw fail.readOnly(session.connection.id, session.connection.name)
    const capture: ConsoleOutput[] = []
    session.capture = capture
    try {
      await session.shell.execute(line)
    } finally {
      session.capture = null
    }
    if (writes) {
      this.audit.record({
        connectionId: session.connection.id,
        connectionName: session.connection.name,
        operation: `console ${command}`,
        path: words.find((word, index) => index > 0 && word.startsWith('/')) ?? null,
        oldVersion: null,
        newVersion: null,
        detail: line.slice(0, 2000),
      })
    }
    return { output: capture, prompt: session.shell.prompt, exitCode: session.shell.exitCode }
  }

  async complete(consoleId: string, line: string): Promise<{ candidates: string[] }> {
    return { candidates: await this.get(consoleId).shell.complete(line) }
  }

  async close(consoleId: string): Promise<boolean> {
    const session = this.get(consoleId)
    this.sessions.delete(consoleId)
    await session.shell.close().catch(() => {})
    return true
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)))
  }
}
