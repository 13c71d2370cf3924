// `zoodesk cluster` from the built CLI: the port layout, the connect string once every member serves, a clean stop
// on SIGTERM/SIGINT, an interrupted start, a taken port and bad command lines.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planFreePorts } from '../../../engine/cluster/port-check'
import { fourLetterWord } from '../../../engine/cluster/srvr'
import { runCliSync } from '../cli/build-cli'
import { eventually, processesMentioning, removeBuiltBundle, zoodeskBundle } from './support'

let cli: string
beforeAll(async () => {
  cli = await zoodeskBundle()
})
afterAll(() => removeBuiltBundle())

interface Running {
  child: ChildProcessWithoutNullStreams
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

function runCluster(args: string[]): Running {
  const child = spawn(process.execPath, [cli, 'cluster', ...args])
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

function dataDirOf(output: string): string {
  const match = /^data: (\S+)/m.exec(output)
  if (match?.[1] === undefined) throw new Error(`no data line in:\n${output}`)
  return match[1]
}

async function waitForOutput(run: Running, pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  await eventually(`${pattern} in the output (stdout so far:\n${run.stdout()}\nstderr:\n${run.stderr()})`, () => pattern.test(run.stdout()), timeoutMs)
}

describe('zoodesk cluster (built CLI)', () => {
  it('prints the layout and the connect string, serves, and stops everything on SIGTERM with exit 0', async () => {
    const base = (await planFreePorts(1)).basePort
    const run = runCluster(['--nodes', '1', '--base-port', String(base), '--tick-time', '500'])
    try {
      await waitForOutput(run, /^connect string: /m)
      expect(run.stdout()).toMatch(new RegExp(`^connect string: 127\\.0\\.0\\.1:${base}\\n`, 'm'))
      expect(run.stdout()).toMatch(new RegExp(`^ {2}1 +participant +zoodesk +${base} +${base + 1} +${base + 2} +${base + 3} `, 'm'))
      expect(await fourLetterWord('127.0.0.1', base, 'srvr')).toMatch(/^Mode: standalone$/m)
      const dataDir = dataDirOf(run.stdout())
      expect(processesMentioning(dataDir)).toHaveLength(1)

      run.child.kill('SIGTERM')
      expect(await run.exited).toBe(0)
      expect(run.stderr()).toContain('zoodesk cluster: SIGTERM received, stopping')
      expect(processesMentioning(dataDir)).toEqual([])
      expect(existsSync(dataDir)).toBe(false)
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  it('runs a 3-member Apache ensemble with its peer links listed, and stops it on SIGINT with exit 0', async () => {
    const base = (await planFreePorts(3)).basePort
    const run = runCluster(['--nodes', '3', '--apache', '3', '--base-port', String(base), '--tick-time', '500'])
    try {
      await waitForOutput(run, /^connect string: /m)
      const clients = [0, 1, 2].map((offset) => `127.0.0.1:${base + offset}`).join(',')
      expect(run.stdout()).toContain(`connect string: ${clients}\n`)
      expect(run.stdout()).toContain(`ZooDesk local cluster: 3 voters on 127.0.0.1, ports ${base}-${base + 23}\n`)
      // 1 → 2 is the first link pair: quorum at P + 4n, election right after it.
      expect(run.stdout()).toMatch(new RegExp(`^ {2}1 → 2 +${base + 12} +${base + 13}$`, 'm'))
      expect(run.stdout()).toMatch(new RegExp(`^ {2}3 → 2 +${base + 22} +${base + 23}$`, 'm'))
      const modes = await Promise.all([0, 1, 2].map(async (offset) => /^Mode: (\w+)/m.exec(await fourLetterWord('127.0.0.1', base + offset, 'srvr'))?.[1]))
      expect(modes.sort()).toEqual(['follower', 'follower', 'leader'])
      const dataDir = dataDirOf(run.stdout())

      run.child.kill('SIGINT')
      expect(await run.exited).toBe(0)
      expect(processesMentioning(dataDir)).toEqual([])
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  it('exits 130 when interrupted before every member serves, leaving nothing behind', async () => {
    const base = (await planFreePorts(1)).basePort
    const run = runCluster(['--nodes', '1', '--apache', '1', '--base-port', String(base)])
    try {
      await waitForOutput(run, /^data: /m)
      const dataDir = dataDirOf(run.stdout())
      run.child.kill('SIGTERM')
      expect(await run.exited).toBe(130)
      expect(run.stdout()).not.toContain('connect string:')
      expect(run.stderr()).toContain('SIGTERM before every member served, stopping')
      await eventually('no member left', () => processesMentioning(dataDir).length === 0, 10_000)
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  it('fails with exit 1 naming a port of the layout that is taken', async () => {
    const base = (await planFreePorts(1)).basePort
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(base + 2, '127.0.0.1', resolve))
    try {
      const run = runCliSync(cli, ['cluster', '--nodes', '1', '--base-port', String(base)])
      expect(run.status).toBe(1)
      expect(run.stderr).toContain(`zoodesk cluster: port ${base + 2} (quorum port of member 1) is already in use on 127.0.0.1`)
      expect(run.stdout).not.toContain('connect string:')
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it('rejects bad command lines with exit 2, and prints its help', () => {
    const help = runCliSync(cli, ['cluster', '--help'])
    expect(help.status).toBe(0)
    expect(help.stdout.startsWith('Usage: zoodesk cluster --nodes N [--observers M] [--base-port P] [--data-dir DIR]')).toBe(true)
    for (const args of [['--nodes', '0'], ['--nodes', '2', '--apache', '3'], ['--frobnicate'], ['--base-port', '65530', '--nodes', '3']]) {
      const run = runCliSync(cli, ['cluster', ...args])
      expect(run.status, args.join(' ')).toBe(2)
      expect(run.stderr).toMatch(/^zoodesk cluster: .+\nRun 'zoodesk cluster --help' for usage\.\n$/)
    }
  })
})
