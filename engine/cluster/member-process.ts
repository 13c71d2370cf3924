import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync } from 'node:fs'
import { type ClusterToMemberMessage, type MemberToClusterMessage, parseMemberMessage } from './member-messages'
import { WATCHDOG_SOURCE, type WatchdogReport, type WatchdogSpec } from './member-watchdog'

/** How a member process ended. */
export interface MemberExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export type MemberSignal = 'SIGTERM' | 'SIGKILL'

/** A running member process, whatever started it. */
export interface MemberHandle {
  readonly pid: number | undefined
  /** Resolves once, when the member process has exited. */
  readonly exited: Promise<MemberExit>
  /** Sends a message over the member's IPC channel; rejects when there is none or it is closed. */
  send(message: ClusterToMemberMessage): Promise<void>
  kill(signal: MemberSignal): void
  /**
   * Messages the member sends over its IPC channel (checked: unknown or malformed ones are dropped). Optional: a
   * spawner without a channel to listen on (or one written before members talked back) leaves it out.
   */
  onMessage?(listener: (message: MemberToClusterMessage) => void): void
}

/** Everything needed to start one ZooDesk member: `<node> <scriptPath> ...args` with an IPC channel. */
export interface ZooDeskLaunch {
  id: number
  /** The ZooDesk CLI bundle (out/cli/zoodesk.cjs). */
  scriptPath: string
  /** `['server', '--config', <zoo.cfg>]`. */
  args: string[]
  /** The environment to give it; includes ZOODESK_CLUSTER_PARENT=1. */
  env: Record<string, string | undefined>
  cwd: string
  /** Where its stdout and stderr should go (appended). */
  logFile: string
}

/**
 * Starts a ZooDesk member. The default runs `process.execPath` with child_process.spawn; an app may inject another
 * (e.g. Electron's utilityProcess). The process must get an IPC channel to this one and must die with it.
 */
export type MemberSpawner = (launch: ZooDeskLaunch) => Promise<MemberHandle>

/** Linux's setpriv, when present: `--pdeathsig KILL` makes the kernel kill a child when its parent dies. */
export const SETPRIV_PATH = '/usr/bin/setpriv'

export function setprivAvailable(): boolean {
  return process.platform === 'linux' && existsSync(SETPRIV_PATH)
}

export interface DefaultSpawnOptions {
  /** Node binary for members and watchdogs. Default process.execPath. */
  nodePath?: string
  /** Wrap members in `setpriv --pdeathsig KILL` where available. Default true. */
  kernelParentDeathSignal?: boolean
}

function withLogFile<T>(logFile: string, use: (fd: number) => T): T {
  const fd = openSync(logFile, 'a')
  try {
    return use(fd)
  } finally {
    closeSync(fd) // the child holds its own copy
  }
}

/** Resolves with the child once it runs; rejects when it cannot be started (ENOENT, EACCES). */
function spawned(child: ChildProcess, what: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(new Error(`cannot start ${what}: ${error.message}`))
    child.once('error', onError)
    child.once('spawn', () => {
      child.removeListener('error', onError)
      child.on('error', () => {}) // later errors (a failed send) are reported where they happen
      resolve(child)
    })
  })
}

function exitOf(child: ChildProcess): Promise<MemberExit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

function sendOver(child: ChildProcess, message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!child.connected || child.send === undefined) {
      reject(new Error('the member has no open IPC channel'))
      return
    }
    child.send(message as never, (error) => (error === null || error === undefined ? resolve() : reject(error)))
  })
}

function signalPid(pid: number | undefined, signal: MemberSignal): void {
  if (pid === undefined) return
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

/** Members run in their own process group, so a terminal's Ctrl-C reaches only the cluster, which stops them in order. */
const detached = process.platform !== 'win32'

export function defaultZooDeskSpawner(options: DefaultSpawnOptions = {}): MemberSpawner {
  const nodePath = options.nodePath ?? process.execPath
  return async (launch) => {
    const useSetpriv = options.kernelParentDeathSignal !== false && setprivAvailable()
    const command = useSetpriv ? SETPRIV_PATH : nodePath
    const args = useSetpriv ? ['--pdeathsig', 'KILL', '--', nodePath, launch.scriptPath, ...launch.args] : [launch.scriptPath, ...launch.args]
    const child = withLogFile(launch.logFile, (fd) =>
      spawn(command, args, { cwd: launch.cwd, env: launch.env, stdio: ['ignore', fd, fd, 'ipc'], detached, windowsHide: true }),
    )
    await spawned(child, `ZooDesk member ${launch.id} (${nodePath} ${launch.scriptPath})`)
    const exited = exitOf(child)
    return {
      pid: child.pid,
      exited,
      send: (message) => sendOver(child, message),
      kill: (signal) => signalPid(child.pid, signal),
      onMessage: (listener) => {
        child.on('message', (value: unknown) => {
          const message = parseMemberMessage(value)
          if (message !== undefined) listener(message)
        })
      },
    }
  }
}

export interface WatchedLaunch {
  id: number
  command: string
  args: string[]
  cwd: string
  /** stdout/stderr of the watchdog and the program (appended). */
  logFile: string
}

/** Starts a non-Node member (a JVM) under the watchdog; resolves once the program runs and its pid is known. */
export async function spawnWatched(launch: WatchedLaunch, options: DefaultSpawnOptions = {}): Promise<MemberHandle> {
  const nodePath = options.nodePath ?? process.execPath
  const spec: WatchdogSpec = {
    command: launch.command,
    args: launch.args,
    cwd: launch.cwd,
    setpriv: options.kernelParentDeathSignal !== false && setprivAvailable() ? SETPRIV_PATH : null,
  }
  const watchdog = withLogFile(launch.logFile, (fd) =>
    spawn(nodePath, ['-e', WATCHDOG_SOURCE, JSON.stringify(spec)], {
      cwd: launch.cwd,
      // Electron's binary runs as plain Node with this; plain Node ignores it.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', fd, fd, 'ipc'],
      detached,
      windowsHide: true,
    }),
  )
  await spawned(watchdog, `the watchdog of member ${launch.id}`)
  let reportedExit: MemberExit | undefined
  const pid = await new Promise<number>((resolve, reject) => {
    const onMessage = (value: unknown) => {
      const report = value as WatchdogReport
      if (report?.type === 'pid') {
        resolve(report.pid)
      } else if (report?.type === 'exit') {
        reportedExit = { code: report.code, signal: report.signal }
        reject(new Error(`cannot start member ${launch.id} (${launch.command}): ${report.error ?? `exited at once with code ${report.code}`}`))
      }
    }
    watchdog.on('message', onMessage)
    watchdog.once('exit', (code) => reject(new Error(`the watchdog of member ${launch.id} exited (code ${code}) before starting it`)))
  })
  watchdog.on('message', (value: unknown) => {
    const report = value as WatchdogReport
    if (report?.type === 'exit') reportedExit = { code: report.code, signal: report.signal }
  })
  // The exit report may still be in the channel when 'exit' fires: wait for the channel to close too.
  const channelClosed = watchdog.connected ? new Promise<void>((resolve) => watchdog.once('disconnect', () => resolve())) : Promise.resolve()
  const exited = Promise.all([exitOf(watchdog), channelClosed]).then(([watchdogExit]) => reportedExit ?? watchdogExit)
  return {
    pid,
    exited,
    send: () => Promise.reject(new Error(`member ${launch.id} is not a ZooDesk member; it takes no messages`)),
    // Signal the JVM directly (immediate, even when the watchdog is busy); the watchdog then reports its exit.
    kill: (signal) => signalPid(pid, signal),
  }
}
