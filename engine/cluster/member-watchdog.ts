/**
 * A tiny Node program that runs one non-Node member (Apache ZooKeeper's JVM) for a local cluster and makes sure it
 * never outlives the cluster. The cluster process starts it with an IPC channel; when the channel closes (the
 * cluster exited, crashed or was SIGKILLed, on any OS) the watchdog SIGKILLs the JVM. It also reports the JVM's pid
 * and exit status over the channel. On Linux the JVM is also started through `setpriv --pdeathsig KILL`, so the
 * kernel kills it should the watchdog itself be killed.
 *
 * Run as `node -e WATCHDOG_SOURCE <json WatchdogSpec>`; plain CommonJS, no imports of ours, so it works from the
 * CLI bundle, from tests and from an app alike.
 */
export interface WatchdogSpec {
  command: string
  args: string[]
  cwd: string
  /** Path of setpriv to wrap the command with, or null. */
  setpriv: string | null
}

/** What the watchdog reports over IPC. */
export type WatchdogReport = { type: 'pid'; pid: number } | { type: 'exit'; code: number | null; signal: NodeJS.Signals | null; error?: string }

export const WATCHDOG_SOURCE = `'use strict'
const { spawn } = require('node:child_process')
const spec = JSON.parse(process.argv[1])
const options = { stdio: ['ignore', 'inherit', 'inherit'], cwd: spec.cwd }
const child = spec.setpriv
  ? spawn(spec.setpriv, ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args], options)
  : spawn(spec.command, spec.args, options)
let parentGone = false
let finished = false
function report(message, then) {
  try {
    if (process.connected) {
      process.send(message, () => then())
      return
    }
  } catch {}
  then()
}
function signalChild(signal) {
  try { child.kill(signal) } catch {}
}
child.once('spawn', () => report({ type: 'pid', pid: child.pid }, () => {}))
child.once('error', (error) => {
  if (finished) return
  finished = true
  process.stderr.write('watchdog: cannot start ' + spec.command + ': ' + error.message + '\\n')
  report({ type: 'exit', code: 127, signal: null, error: error.message }, () => process.exit(127))
})
child.once('exit', (code, signal) => {
  if (finished) return
  finished = true
  if (parentGone) process.exit(1)
  report({ type: 'exit', code, signal }, () => process.exit(code === null ? 1 : code))
})
process.on('disconnect', () => {
  parentGone = true
  signalChild('SIGKILL')
  setTimeout(() => process.exit(1), 5000).unref()
})
process.on('SIGTERM', () => signalChild('SIGTERM'))
process.on('SIGINT', () => signalChild('SIGTERM'))
process.on('SIGHUP', () => signalChild('SIGTERM'))
`
