// Runs the app's services in this process behind the real WebSocket server, and talks to them through the
// renderer's own api client over a real socket: the same path a browser takes in browser mode.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import type { EventName, EventPayload } from '../../../../main/contract/contract'
import { startWebServer, type WebServer } from '../../../../main/rpc/ws-server'
import { type AppServices, createAppServices } from '../../../../main/services/app'
import { KeyFileSecretBox } from '../../../../main/services/secrets/keyfile-secret-box'
import { ApiError, type ApiClient, createApiClient } from '../../../../renderer/api/client'
import { type WebSocketLike, createWebSocketTransport } from '../../../../renderer/api/ws-transport'
import { expect } from 'vitest'
import { DEFAULT_ZOODESK_BIN, startApache, startZooDesk } from '../../../compat/harness/servers'

export interface AppHarness {
  readonly services: AppServices
  readonly server: WebServer
  readonly client: ApiClient
  readonly userDataDir: string
  /** Every event received so far, per stream. */
  events<E extends EventName>(stream: E): EventPayload<E>[]
  /** Another client on its own socket. */
  connect(): Promise<ApiClient>
  close(): Promise<void>
}

export function openSocket(url: string, headers: Record<string, string> = {}): WebSocket {
  return new WebSocket(url, { headers })
}

export async function connectClient(url: string): Promise<ApiClient> {
  const socket = openSocket(url)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return createApiClient(createWebSocketTransport(socket as unknown as WebSocketLike))
}

export async function startAppHarness(options: { defaultCluster?: boolean; staticDir?: string | null } = {}): Promise<AppHarness> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'zoodesk-app-'))
  const services = createAppServices({
    mode: 'browser',
    version: 'test',
    userDataDir,
    secretBox: new KeyFileSecretBox(join(userDataDir, 'secret.key')),
    zoodeskScript: DEFAULT_ZOODESK_BIN,
    defaultCluster: options.defaultCluster ?? false,
    onInternalError: (method, error) => console.error(`internal error in ${method}`, error),
  })
  const server = await startWebServer({ dispatcher: services.dispatcher, bus: services.bus, staticDir: options.staticDir ?? null })
  const client = await connectClient(server.rpcUrl)
  const received = new Map<string, unknown[]>()
  const clients: ApiClient[] = [client]
  const streams: EventName[] = ['connections.state', 'watches.event', 'operations.progress', 'console.output', 'health.sample', 'health.alert', 'clusters.state', 'audit.entry', 'tap.state', 'tap.txns']
  for (const stream of streams) {
    received.set(stream, [])
    client.on(stream, (payload) => received.get(stream)?.push(payload))
  }
  return {
    services,
    server,
    client,
    userDataDir,
    events: <E extends EventName>(stream: E) => (received.get(stream) ?? []) as EventPayload<E>[],
    async connect() {
      const another = await connectClient(server.rpcUrl)
      clients.push(another)
      return another
    },
    async close() {
      for (const open of clients) open.close()
      await server.close()
      await services.shutdown()
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
export const text = (base64: string | null): string | null => (base64 === null ? null : Buffer.from(base64, 'base64').toString('utf8'))

/** The standalone servers the service tests run against, side by side: Apache ZooKeeper 3.8 and ZooDesk. */
export const STANDALONE_SERVERS = [
  ['apache', startApache],
  ['zoodesk', startZooDesk],
] as const

/** The ApiError a call fails with (the test fails if it succeeds or throws anything else). */
export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ApiError)
  return error as ApiError
}
