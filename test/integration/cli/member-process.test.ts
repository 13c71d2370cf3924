import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZooKeeperClient } from '../../../engine/client'
import { findFreePort } from '../../../engine/bench/servers'
import { buildCli, runCli } from './build-cli'

// The built `zoodesk server` with the real member: one serving line, data kept across a clean SIGTERM stop,
// and clear failures for a port in use or a dataDir that cannot be used.

let cli: string
let dir: string
beforeAll(() => {
  cli = buildCli()
  dir = mkdtempSync(join(tmpdir(), 'zoodesk-member-process-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function writeConfig(name: string, port: number, dataDir: string): string {
  const path = join(dir, `${name}.cfg`)
  writeFileSync(path, `tickTime=2000\ndataDir=${dataDir}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`)
  return path
}

interface Serving {
  child: ChildProcessWithoutNullStreams
  output: () => string
  exited: Promise<number | null>
}

async function serve(config: string): Promise<Serving> {
  const child = spawn(process.execPath, [cli, 'server', '--config', config])
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const deadline = Date.now() + 20_000
  while (!/serving on/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, output: () => output, exited }
}

describe('zoodesk server (built CLI, real member)', () => {
  it('serves, stops cleanly on SIGTERM, and keeps its data for the next start', async () => {
    const port = await findFreePort()
    const config = writeConfig('keep', port, join(dir, 'keep-data'))
    const first = await serve(config)
    expect(first.output().match(/serving on/g)).toHaveLength(1)
    const client = await ZooKeeperClient.connect(`127.0.0.1:${port}`)
    await client.create('/kept', 'across restarts')
    await client.close()
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    const second = await serve(config)
    const reader = await ZooKeeperClient.connect(`127.0.0.1:${port}`)
    expect((await reader.getData('/kept')).data?.toString()).toBe('across restarts')
    await reader.close()
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
  })

  it('refuses a port that is already in use, with a clear message', async () => {
    const port = await findFreePort()
    const running = await serve(writeConfig('owner', port, join(dir, 'owner-data')))
    try {
      const clash = await runCli(cli, ['server', '--config', writeConfig('clash', port, join(dir, 'clash-data'))])
      expect(clash.status).toBe(1)
      expect(clash.stderr).toMatch(new RegExp(`port ${port} is already in use`))
    } finally {
      running.child.kill('SIGTERM')
      await running.exited
    }
  })

  it('refuses a dataDir that is a file, naming it', async () => {
    const notADir = join(dir, 'plain-file')
    writeFileSync(notADir, 'not a directory')
    const result = await runCli(cli, ['server', '--config', writeConfig('file', await findFreePort(), notADir)])
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain(notADir)
  })
})
