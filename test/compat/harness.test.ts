// Proves the differential harness against Apache ZooKeeper alone: every client adapter talks
// to a real Debian 3.8.0 server, and stopping it leaves no JVM behind. One server for the file.
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processesMatching } from './harness/child'
import { differential } from './harness/differential'
import { runKazoo } from './harness/kazoo'
import { normalize } from './harness/normalize'
import { connectNzk } from './harness/nzk'
import { adminCommand, fourLetter, runningServers, startApache } from './harness/servers'
import type { TestServer } from './harness/servers'
import { zkCli, zkCliScript } from './harness/zkcli'

describe('compat harness against Apache ZooKeeper 3.8.0', () => {
  let server: TestServer

  beforeAll(async () => {
    // AdminServer on: it needs servlet-api.jar, which Debian's classpath lacks (see jvm.ts).
    server = await startApache({ name: 'harness', admin: true })
  })

  afterAll(async () => {
    await server?.stop() // safety net; the last test stops it and checks for leaks
  })

  it('serves 4lw and the AdminServer on 127.0.0.1, with the Debian version string', async () => {
    const srvr = await fourLetter(server.host, server.port, 'srvr')
    expect(srvr).toMatch(/^Zookeeper version: 3\.8\.0-/)
    expect(srvr).toContain('Mode: standalone')
    expect(await fourLetter(server.host, server.port, 'ruok')).toBe('imok')
    expect(server.adminPort).toBeDefined()
    expect(await adminCommand(server.host, server.adminPort ?? 0, 'stat')).toMatchObject({ command: 'stats', error: null })
  })

  it('kazoo creates a node and reads it back', async () => {
    const observations = await runKazoo(
      server.connectString,
      `
      zk = connect()
      op('create', zk.create, '/kazoo-harness', b'hello')
      data, stat = zk.get('/kazoo-harness')
      emit('get', data, stat=stat)
      op('get-missing', zk.get, '/kazoo-missing')
      op('delete', zk.delete, '/kazoo-harness')
      `,
    )
    expect(observations).toHaveLength(4)
    expect(observations[0]).toEqual({ step: 'create', ok: '/kazoo-harness' })
    expect(observations[1]).toMatchObject({ step: 'get', value: 'hello', stat: { version: 0, dataLength: 5, numChildren: 0, ephemeralOwner: 0 } })
    expect(observations[2]).toEqual({ step: 'get-missing', error: 'NoNodeError', code: -101 })
    expect(observations[3]).toEqual({ step: 'delete', ok: true })
    // Placeholders keep relations: a fresh node's czxid, mzxid and pzxid are one zxid.
    const [, get] = normalize(observations) as [unknown, { stat: Record<string, unknown> }]
    expect(get.stat).toMatchObject({ czxid: 'Z1', mzxid: 'Z1', pzxid: 'Z1', ctime: '<time>', mtime: '<time>' })
  })

  it('zkCli.sh lists / as [zookeeper], and runs a script in one session', async () => {
    const ls = await zkCli(server.connectString, ['ls', '/'])
    expect(ls.output.trim()).toBe('[zookeeper]')
    expect(ls.exitCode).toBe(0)

    const script = await zkCliScript(server.connectString, ['create /cli-harness hi', 'get /cli-harness', 'stat /cli-harness', 'delete /cli-harness', 'get /cli-harness'])
    const text = normalize([script.output])[0] as string
    expect(text).toContain('Created /cli-harness\nhi\ncZxid = Z1\nctime = <time>\nmZxid = Z1\n')
    expect(text).toContain('ephemeralOwner = 0x0\ndataLength = 2\nnumChildren = 0\n')
    expect(text).toContain('Node does not exist: /cli-harness')
    expect(text).not.toMatch(/SLF4J|WATCHER::|Welcome/)
  })

  it('node-zookeeper-client reads the /zookeeper/quota stat', async () => {
    const client = await connectNzk(server.connectString)
    try {
      const { data, stat } = await client.getData('/zookeeper/quota')
      expect(data).toBe('') // an empty byte array, not null
      expect(stat).toEqual({
        czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0,
        ephemeralOwner: 0, dataLength: 0, numChildren: 0, pzxid: 0,
      })
      expect(typeof client.sessionId).toBe('string') // past 2^53: kept exact as a decimal string
    } finally {
      await client.close()
    }
  })

  it('keeps data across kill -9 and restart', async () => {
    const before = await connectNzk(server.connectString)
    await before.create('/survivor', 'still here')
    await before.close()
    const pid = server.pid
    await server.kill9()
    expect(server.isRunning()).toBe(false)
    expect(existsSync(`/proc/${pid}`)).toBe(false)
    await server.restart()
    const after = await connectNzk(server.connectString)
    try {
      expect((await after.getData('/survivor')).data).toBe('still here')
    } finally {
      await after.close()
    }
  })

  it('fails loudly, without skipping, when the ZooDesk binary is missing', async () => {
    await expect(differential('missing-binary', async () => [], { zoodeskBin: '/nonexistent/zoodesk.cjs' })).rejects.toThrow(
      /ZooDesk server binary not found/,
    )
  })

  it('stop leaves no JVM behind', async () => {
    const pid = server.pid
    await server.stop()
    expect(server.isRunning()).toBe(false)
    expect(existsSync(`/proc/${pid}`)).toBe(false)
    expect(await processesMatching(server.dir)).toEqual([])
    expect(runningServers()).toEqual([])
    expect(existsSync(server.dir)).toBe(false)
  })
})
