import { ZooKeeperClient, type ConnectOptions } from '../../../../engine/client'

let counter = 0

/** A fresh path per test so tests sharing a server never see each other's nodes. */
export function uniquePath(name: string): string {
  counter += 1
  return `/${name}-${process.pid}-${counter}-${Date.now().toString(36)}`
}

/** Clients opened through here are closed by `closeAll` (afterEach), even when a test fails midway. */
export class ClientPool {
  private readonly clients = new Set<ZooKeeperClient>()

  async connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeperClient> {
    const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 10_000, ...options })
    this.clients.add(client)
    return client
  }

  track(client: ZooKeeperClient): ZooKeeperClient {
    this.clients.add(client)
    return client
  }

  async closeAll(): Promise<void> {
    const clients = [...this.clients]
    this.clients.clear()
    await Promise.all(clients.map((client) => client.close(2000)))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`)
}

/** Kills a session the way ZooKeeper's own tests do: another client joins it with the same id and password and closes it. */
export async function expireSession(client: ZooKeeperClient, connectString: string): Promise<void> {
  const thief = await ZooKeeperClient.connect(connectString, {
    sessionId: client.sessionId,
    sessionPassword: client.sessionPassword,
    sessionTimeoutMs: client.negotiatedTimeoutMs,
  })
  await thief.close()
}
