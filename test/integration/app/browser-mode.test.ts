// `zoodesk web` as a real process (the built CLI and browser-mode bundles): it creates and starts the default local
// cluster, connects to it, serves the contract; killing it (even with SIGKILL) leaves no member process running
// (acceptance 3), and the next start finds the same cluster and data.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { WS_RPC_PATH } from '../../../main/contract/channels'
import type { ApiClient } from '../../../renderer/api/client'
import { DEFAULT_ZOODESK_BIN, zoodeskBinary } from '../../compat/harness/servers'
import { b64, connectClient, text } from './support/app-harness'

const dataDir = mkdtempSync(join(tmpdir(), 'zoodesk-web-'))
const started: ChildProcess[] = []

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function startWeb(): Promise<{ child: ChildProcess; url: string; client: ApiClient }> {
  zoodeskBinary()
  const child = spawn(process.execPath, [DEFAULT_ZOODESK_BIN, 'web', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 90 s:\n${output}`)), 90_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\//.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[0])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code, signal) => reject(new Error(`zoodesk web exited (${code ?? signal}):\n${output}`)))
  })
  const client = await connectClient(`${url.replace('http:', 'ws:')}${WS_RPC_PATH}`)
  return { child, url, client }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

async function waitUntilDead(pids: readonly number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = pids.filter(alive)
    if (left.length === 0 || Date.now() > deadline) return left
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('zoodesk web (browser mode)', () => {
  let clusterId = ''
  let clientPort = 0

  it('documents its options and refuses bad ones', () => {
    const help = spawnSync(process.execPath, [zoodeskBinary(), 'web', '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: zoodesk web [--port P]')
    const bad = spawnSync(process.execPath, [zoodeskBinary(), 'web', '--port', 'eighty'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--port must be a whole number')
    const overview = spawnSync(process.execPath, [zoodeskBinary(), '--help'], { encoding: 'utf8' })
    expect(overview.stdout).toMatch(/^ {2}web +browser mode/m)
  })

  it('starts the default cluster, connects to it, and leaves no member running after SIGKILL', async () => {
    const { child, client } = await startWeb()
    const info = await client.api.app.info()
    expect(info).toMatchObject({ mode: 'browser', secretStorage: 'keyfile', userDataDir: dataDir })
    expect(info.defaultConnectionId).not.toBeNull()
    const [cluster] = await client.api.clusters.list()
    expect(cluster).toMatchObject({ name: 'Local', isDefault: true, running: true, kind: 'zoodesk' })
    clusterId = cluster!.clusterId
    clientPort = cluster!.members[0]!.clientPort
    const pids = cluster!.members.map((member) => member.pid).filter((pid): pid is number => pid !== null)
    expect(pids.length).toBe(cluster!.members.length)
    const connectionId = info.defaultConnectionId!
    await client.api.znodes.create({ connectionId, path: '/kept', data: b64('across restarts') })
    const root = await client.api.znodes.children({ connectionId, path: '/' })
    expect(root.children.map((child) => child.name)).toEqual(['kept', 'zookeeper'])
    client.close()

    child.kill('SIGKILL')
    expect((await exited(child)).signal).toBe('SIGKILL')
    expect(await waitUntilDead(pids)).toEqual([])
  })

  it('finds the same cluster and data on the next start (on new ports if its own were taken), and stops its members on SIGTERM', async () => {
    // Another program took the cluster's client port meanwhile.
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(clientPort, '127.0.0.1', () => resolve()))
    const { child, client } = await startWeb().finally(() => squatter.close())
    const info = await client.api.app.info()
    expect(info.defaultClusterId).toBe(clusterId)
    const [cluster] = await client.api.clusters.list()
    expect(cluster!.members[0]!.clientPort).not.toBe(clientPort)
    const data = await client.api.znodes.get({ connectionId: info.defaultConnectionId!, path: '/kept' })
    expect(text(data.data)).toBe('across restarts')
    const pids = (await client.api.clusters.list()).flatMap((cluster) => cluster.members.map((member) => member.pid)).filter((pid): pid is number => pid !== null)
    client.close()
    child.kill('SIGTERM')
    expect(await exited(child)).toEqual({ code: 0, signal: null })
    expect(await waitUntilDead(pids, 1000)).toEqual([])
  })
})
