import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from './harness'

/** The little of node-zookeeper-client's untyped API these tests use. */
type Callback<T> = (error: (Error & { code?: number; getCode?: () => number }) | null, result: T) => void
interface NodeEvent {
  getType(): number
  getPath(): string
}
interface ZkClient {
  connect(): void
  close(): void
  once(event: 'connected' | 'disconnected' | 'expired', listener: () => void): void
  on(event: 'state', listener: (state: { name: string }) => void): void
  getSessionId(): Buffer
  getSessionPassword(): Buffer
  getSessionTimeout(): number
  addAuthInfo(scheme: string, auth: Buffer): void
  create(path: string, data: Buffer | null, acls: unknown[], mode: number, callback: Callback<string>): void
  getData(path: string, watcher: ((event: NodeEvent) => void) | undefined, callback: (error: Error | null, data: Buffer, stat: { version: number }) => void): void
  setData(path: string, data: Buffer, version: number, callback: Callback<{ version: number }>): void
  exists(path: string, watcher: ((event: NodeEvent) => void) | undefined, callback: Callback<unknown>): void
  getChildren(path: string, watcher: ((event: NodeEvent) => void) | undefined, callback: Callback<string[]>): void
  remove(path: string, version: number, callback: (error: Error | null) => void): void
  transaction(): {
    create(path: string, data?: Buffer, acls?: unknown[], mode?: number): ReturnType<ZkClient['transaction']>
    setData(path: string, data: Buffer, version?: number): ReturnType<ZkClient['transaction']>
    check(path: string, version: number): ReturnType<ZkClient['transaction']>
    remove(path: string, version?: number): ReturnType<ZkClient['transaction']>
    commit(callback: Callback<Array<{ type: number; path?: string }>>): void
  }
}
interface ZkModule {
  createClient(connectionString: string, options?: Record<string, unknown>): ZkClient
  CreateMode: { PERSISTENT: number; EPHEMERAL: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL_SEQUENTIAL: number }
  ACL: { OPEN_ACL_UNSAFE: unknown[] }
  Exception: { NO_NODE: number; NODE_EXISTS: number; BAD_VERSION: number }
}

const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as ZkModule

function promise<T>(register: (callback: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => register((error, result) => (error ? reject(error) : resolve(result))))
}

async function connected(port: number): Promise<ZkClient> {
  const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 10000, retries: 0 })
  await new Promise<void>((resolve) => {
    client.once('connected', resolve)
    client.connect()
  })
  return client
}

describe('node-zookeeper-client against our server', () => {
  let running: RunningServer
  beforeAll(async () => {
    running = await startServer()
  })
  afterAll(async () => {
    await running.close()
  })

  it('connects (44-byte handshake, pipelined auth) and runs CRUD, watches and a transaction', async () => {
    const client = await connected(running.port)
    expect(client.getSessionTimeout()).toBe(10000)
    const open = zookeeper.ACL.OPEN_ACL_UNSAFE
    expect(await promise<string>((cb) => client.create('/n', Buffer.from('a'), open, zookeeper.CreateMode.PERSISTENT, cb))).toBe('/n')
    const seq = await promise<string>((cb) => client.create('/n/q-', null, open, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb))
    expect(seq).toBe('/n/q-0000000000')
    const duplicate = await promise<string>((cb) => client.create('/n', null, open, zookeeper.CreateMode.PERSISTENT, cb)).catch((e: { code: number }) => e.code)
    expect(duplicate).toBe(zookeeper.Exception.NODE_EXISTS)

    const events: string[] = []
    const changed = new Promise<void>((resolve) => {
      client.getData(
        '/n',
        (event) => {
          events.push(`${event.getType()} ${event.getPath()}`)
          resolve()
        },
        () => undefined,
      )
    })
    const stat = await promise<{ version: number }>((cb) => client.setData('/n', Buffer.from('b'), 0, cb))
    expect(stat.version).toBe(1)
    await changed
    expect(events).toEqual(['3 /n'])

    const children = await promise<string[]>((cb) => client.getChildren('/n', undefined, cb))
    expect(children).toEqual(['q-0000000000'])

    const results = await promise<Array<{ type: number }>>((cb) =>
      client.transaction().create('/n/t', Buffer.from('x')).check('/n', 1).setData('/n/t', Buffer.from('y'), 0).remove('/n/t', 1).commit(cb),
    )
    expect(results.map((r) => r.type)).toEqual([1, 13, 5, 2])
    const failed = await promise<Array<{ type: number }>>((cb) => client.transaction().create('/n/u').check('/n', 99).commit(cb)).catch(
      (e: { code: number }) => e.code,
    )
    expect(failed).toBe(zookeeper.Exception.BAD_VERSION)
    const missing = await promise<unknown>((cb) => client.exists('/n/u', undefined, cb))
    expect(missing).toBeNull()
    client.close()
  })

  it('resumes its session on a new connection with the id and password the server gave it', async () => {
    const client = await connected(running.port)
    const sessionId = client.getSessionId()
    const password = client.getSessionPassword()
    const again = zookeeper.createClient(`127.0.0.1:${running.port}`, { sessionTimeout: 10000, retries: 0 })
    // node-zookeeper-client has no public "resume" API; its ConnectionManager takes the id/password fields.
    const manager = (again as unknown as { connectionManager: { sessionId: Buffer; sessionPassword: Buffer } }).connectionManager
    manager.sessionId = sessionId
    manager.sessionPassword = password
    await new Promise<void>((resolve) => {
      again.once('connected', resolve)
      again.connect()
    })
    expect(again.getSessionId().equals(sessionId)).toBe(true)
    again.close()
    client.close()
  })
})
