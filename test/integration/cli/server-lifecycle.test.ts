import { DiskFaults } from '../../../engine/node/disk-faults'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { type Server, connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../engine/cli/cli'
import { type ServerDependencies, createServerCommand } from '../../../engine/cli/server-command'
import type { StopRequest } from '../../../engine/cli/stop-signals'
import type { CliContext } from '../../../engine/cli/support'
import { findFreePort } from '../../../engine/bench/servers'
import type { MemberConfig } from '../../../engine/node/config-types'
import { type LogSink, setLogSink } from '../../../engine/node/log'
import type { RunningMember } from '../../../engine/node/member'

/**
 * The server subcommand's lifecycle (serving line, clean stop, port in use) with a stand-in member: a real TCP
 * listener on the configured address, since the real member is wired by the lead in engine/node/member.ts.
 */
let dir: string
let logLines: string[] = []
let previousSink: LogSink

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zoodesk-server-cmd-'))
  previousSink = setLogSink((line) => logLines.push(line))
})

afterAll(() => {
  setLogSink(previousSink)
  rmSync(dir, { recursive: true, force: true })
})

afterEach(() => {
  logLines = []
})

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
}

interface StandIn {
  started: MemberConfig[]
  stopped: number
  startMember: (config: MemberConfig) => Promise<RunningMember>
}

function standInMember(stopBehaviour: 'ok' | 'throw' = 'ok'): StandIn {
  const standIn: StandIn = {
    started: [],
    stopped: 0,
    async startMember(config) {
      const server = createServer((socket) => socket.end())
      await listen(server, config.clientPort, config.clientPortAddress)
      standIn.started.push(config)
      const address = server.address()
      return {
        clientPort: typeof address === 'object' && address !== null ? address.port : 0,
        disk: new DiskFaults(),
        async stop() {
          standIn.stopped++
          await new Promise<void>((resolve) => server.close(() => resolve()))
          if (stopBehaviour === 'throw') throw new Error('disk on fire')
        },
      }
    },
  }
  return standIn
}

function controllableStop(): { listen: () => StopRequest; request: (signal: string) => void; disposed: () => boolean } {
  let trigger: (signal: string) => void = () => {}
  let disposed = false
  const requested = new Promise<string>((resolve) => {
    trigger = resolve
  })
  return {
    listen: () => ({ requested, dispose: () => (disposed = true) }),
    request: (signal) => trigger(signal),
    disposed: () => disposed,
  }
}

function context(): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text), env: {}, scriptPath: '' }
}

async function writeConfig(port: number, dataDir: string): Promise<string> {
  const path = join(dir, `zoo-${port}.cfg`)
  writeFileSync(path, `tickTime=2000\ndataDir=${dataDir}\nclientPort=${port}\nclientPortAddress=127.0.0.1\n`)
  return path
}

function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) return resolve()
      if (Date.now() > deadline) return reject(new Error('condition not met in time'))
      setTimeout(check, 10)
    }
    check()
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('zoodesk server lifecycle', () => {
  it('creates dataDir, logs one serving line, and exits 0 after a clean stop', async () => {
    const port = await findFreePort()
    const dataDir = join(dir, 'fresh', 'data')
    const configPath = await writeConfig(port, dataDir)
    const member = standInMember()
    const stop = controllableStop()
    const dependencies: Partial<ServerDependencies> = { startMember: member.startMember, listenForStop: stop.listen }
    const ctx = context()
    const exit = runCli(['server', '--config', configPath], ctx, [createServerCommand(dependencies)])
    await waitFor(() => logLines.some((line) => line.includes('serving on')))
    expect(existsSync(dataDir)).toBe(true)
    expect(logLines.filter((line) => line.includes('serving on'))).toEqual([
      expect.stringMatching(new RegExp(`^\\S+ INFO {2}\\[server\\] ZooDesk 0\\.1\\.0 serving on 127\\.0\\.0\\.1:${port} \\(standalone, dataDir ${dataDir}\\)\\n$`)),
    ])
    expect(member.started[0]?.clientPort).toBe(port)
    expect(await canConnect(port)).toBe(true)

    stop.request('SIGTERM')
    expect(await exit).toBe(0)
    expect(member.stopped).toBe(1)
    expect(stop.disposed()).toBe(true)
    expect(await canConnect(port)).toBe(false)
    expect(logLines.some((line) => line.includes('[server] SIGTERM received, stopping'))).toBe(true)
    expect(ctx.stderr).toEqual([])
  })

  it('says the port is in use and exits 1 when the client port is taken', async () => {
    const port = await findFreePort()
    const blocker = createServer()
    await listen(blocker, port, '127.0.0.1')
    try {
      const configPath = await writeConfig(port, join(dir, 'busy'))
      const stop = controllableStop()
      const ctx = context()
      const code = await runCli(['server', '--config', configPath], ctx, [
        createServerCommand({ startMember: standInMember().startMember, listenForStop: stop.listen }),
      ])
      expect(code).toBe(1)
      expect(ctx.stderr.join('')).toBe(`zoodesk server: port ${port} is already in use (127.0.0.1:${port}); is another server running?\n`)
      expect(stop.disposed()).toBe(true)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })

  it('exits 1 when stopping fails', async () => {
    const port = await findFreePort()
    const configPath = await writeConfig(port, join(dir, 'failing-stop'))
    const member = standInMember('throw')
    const stop = controllableStop()
    const exit = runCli(['server', '--config', configPath], context(), [
      createServerCommand({ startMember: member.startMember, listenForStop: stop.listen }),
    ])
    await waitFor(() => member.started.length === 1)
    stop.request('SIGINT')
    expect(await exit).toBe(1)
    expect(logLines.some((line) => line.includes('ERROR [server] stop failed: disk on fire'))).toBe(true)
  })

  it('reports other start failures with their message', async () => {
    const port = await findFreePort()
    const configPath = await writeConfig(port, join(dir, 'broken'))
    const ctx = context()
    const code = await runCli(['server', '--config', configPath], ctx, [
      createServerCommand({
        startMember: () => Promise.reject(new Error('snapshot is corrupt', { cause: new Error('crc') })),
        listenForStop: controllableStop().listen,
      }),
    ])
    expect(code).toBe(1)
    expect(ctx.stderr.join('')).toBe('zoodesk server: cannot start: snapshot is corrupt\n')
  })
})
