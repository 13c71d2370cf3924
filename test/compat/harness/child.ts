// Spawning helper processes (JVMs, ZooDesk, python, zkCli) so that none can outlive the test
// process: a leaked JVM holds a port and half a gigabyte, and on a 2-core machine it slows
// every later test.
import { spawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'

const SETPRIV = '/usr/bin/setpriv'

const live = new Set<ChildProcess>()
/** Children spawned `detached`: they lead a process group, and signals go to the whole group. */
const groupLeaders = new WeakSet<ChildProcess>()
let hooksInstalled = false

/**
 * Signals the child, or its whole process group when it leads one (a shell script such as
 * zkCli.sh runs java as its own child: killing only the shell would orphan the JVM).
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (groupLeaders.has(child) && child.pid !== undefined) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {
    // already gone
  }
}

/** SIGKILLs every child still tracked. Synchronous, so it is safe inside an 'exit' handler. */
export function killAllTracked(): void {
  for (const child of live) signalChild(child, 'SIGKILL')
  live.clear()
}

function installHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', killAllTracked)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllTracked()
      // Re-raise with our listener gone so the default action (terminate) still happens.
      process.kill(process.pid, signal)
    })
  }
}

/**
 * Spawns `command` and tracks it until it exits. On Linux the child is started through
 * `setpriv --pdeathsig KILL`, so the kernel kills it even when this process dies by SIGKILL
 * (a vitest worker killed on timeout runs no exit hooks). setpriv execs, so `child.pid` is
 * the real program's pid.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  installHooks()
  const child = existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options)
    : spawn(command, args, options)
  live.add(child)
  if (options.detached === true) groupLeaders.add(child)
  child.once('exit', () => live.delete(child))
  // A spawn failure (ENOENT) is reported through 'error'; keep it from becoming an uncaught
  // exception; callers see it as an exit.
  child.once('error', () => live.delete(child))
  return child
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

/** Resolves when the child has exited (immediately if it already has). */
export function waitForExit(child: ChildProcess): Promise<ExitStatus> {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => {
    const done = (): void => resolve({ code: child.exitCode, signal: child.signalCode })
    child.once('exit', done)
    child.once('error', done)
  })
}

/**
 * Resolves once the child has exited and its stdio pipes are drained: with piped output,
 * 'exit' may come before the last 'data', so collectors wait for this instead.
 */
export function waitForClose(child: ChildProcess): Promise<ExitStatus> {
  const streams = [child.stdout, child.stderr].filter((s) => s !== null)
  if (hasExited(child) && streams.every((s) => s.destroyed)) return waitForExit(child)
  return new Promise((resolve) => {
    const done = (): void => resolve({ code: child.exitCode, signal: child.signalCode })
    child.once('close', done)
    child.once('error', done)
  })
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export async function terminate(child: ChildProcess, graceMs = 10_000): Promise<ExitStatus> {
  if (hasExited(child)) return waitForExit(child)
  signalChild(child, 'SIGTERM')
  const timer = setTimeout(() => signalChild(child, 'SIGKILL'), graceMs)
  try {
    return await waitForExit(child)
  } finally {
    clearTimeout(timer)
  }
}

/** SIGKILL and wait for the exit, as a crash would. */
export async function killNow(child: ChildProcess): Promise<ExitStatus> {
  if (!hasExited(child)) signalChild(child, 'SIGKILL')
  return waitForExit(child)
}

/** Pids of live processes with `needle` in their command line (for leak assertions). */
export async function processesMatching(needle: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8')
      // Zombies have an empty cmdline and hold no resources.
      if (cmdline.includes(needle)) pids.push(Number(entry))
    } catch {
      // exited while we looked
    }
  }
  return pids
}
