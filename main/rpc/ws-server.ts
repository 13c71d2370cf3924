import { randomBytes, timingSafeEqual } from 'node:crypto'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import { WIRE_VERSION, WS_RPC_PATH } from '../contract/channels'
import type { ServerMessage } from '../contract/wire'
import type { Dispatcher } from './dispatcher'
import type { EventBus } from './event-bus'
import { CODEC_PLUGIN_ROUTE } from '../services/codecs/plugin-files'
import { serveCodecPlugin } from './codec-plugin-route'
import { serveStatic } from './static-files'

export const LOOPBACK = '127.0.0.1'
/** Largest message a client may send (an import of a big subtree). */
const MAX_MESSAGE_BYTES = 300 * 1024 * 1024
/** Events are dropped for a client this far behind (results never are). */
const MAX_EVENT_BACKLOG_BYTES = 32 * 1024 * 1024

export interface WebServerOptions {
  dispatcher: Dispatcher
  bus: EventBus
  /** 0 (default): any free port. */
  port?: number
  /** The built renderer (out/renderer); null: serve the WebSocket only. */
  staticDir: string | null
  /** Default: 32 random bytes, base64url. */
  token?: string
  /** `<userData>/codecs`: served under `/<token>/codec-plugins/<file>` (same origin, so the page may import them). */
  codecPluginFolder?: string
}

export interface WebServer {
  readonly port: number
  readonly token: string
  /** The page to open: `http://127.0.0.1:<port>/<token>/`. */
  readonly url: string
  /** `ws://127.0.0.1:<port>/<token>/rpc`. */
  readonly rpcUrl: string
  close(): Promise<void>
}

function sameSecret(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, 'utf8')
  return bytes.length === expected.length && timingSafeEqual(bytes, expected)
}

/**
 * Browser mode's server: the built renderer over HTTP and the contract over a WebSocket, on 127.0.0.1 only.
 * Every request and socket must carry the per-run token as the first path segment (`/<token>/…`, so the page's
 * relative asset and WebSocket URLs carry it too); a Host other than 127.0.0.1/localhost (DNS rebinding) or an
 * Origin other than the page's own is refused.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(32).toString('base64url')
  const expected = Buffer.from(token, 'utf8')
  let port = 0
  const hostAllowed = (host: string | undefined) => host === `${LOOPBACK}:${port}` || host === `localhost:${port}`
  const originAllowed = (origin: string | undefined) => origin === undefined || origin === `http://${LOOPBACK}:${port}` || origin === `http://localhost:${port}`

  /** The path below the token, or null when the request does not carry the right token. */
  const pathBelowToken = (url: string | undefined): string | null => {
    const path = (url ?? '/').split('?')[0] ?? '/'
    const match = /^\/([^/]+)(\/.*)?$/.exec(path)
    // The token is base64url: compared as sent, no decoding (a malformed %-escape must not throw here).
    if (match === null || !sameSecret(match[1] ?? '', expected)) return null
    return match[2] ?? ''
  }

  const refuse = (response: ServerResponse, status: number, text: string) => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
    response.end(`${text}\n`)
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (!hostAllowed(request.headers.host)) return refuse(response, 403, 'Forbidden: unexpected Host header')
    if (!originAllowed(request.headers.origin)) return refuse(response, 403, 'Forbidden: foreign origin')
    const rest = pathBelowToken(request.url)
    if (rest === null) return refuse(response, 403, 'Forbidden: open the exact URL that `zoodesk web` printed (it carries an access token)')
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed')
    if (rest === '') {
      response.writeHead(301, { Location: `/${token}/`, 'Cache-Control': 'no-store' })
      response.end()
      return
    }
    const pluginFolder = options.codecPluginFolder
    if (pluginFolder !== undefined && rest.startsWith(`/${CODEC_PLUGIN_ROUTE}/`)) {
      void serveCodecPlugin(pluginFolder, rest.slice(CODEC_PLUGIN_ROUTE.length + 2), response, `ws://${LOOPBACK}:${port} ws://localhost:${port}`, request.method === 'HEAD')
      return
    }
    serveStatic(options.staticDir, rest, response, `ws://${LOOPBACK}:${port} ws://localhost:${port}`, request.method === 'HEAD')
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (!hostAllowed(request.headers.host)) return reject(403, 'Forbidden')
    if (!originAllowed(request.headers.origin)) return reject(403, 'Forbidden')
    const rest = pathBelowToken(request.url)
    if (rest === null) return reject(403, 'Forbidden')
    if (rest !== `/${WS_RPC_PATH}`) return reject(404, 'Not Found')
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws, options.dispatcher, options.bus))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.removeListener('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/${token}/`,
    rpcUrl: `ws://${LOOPBACK}:${port}/${token}/${WS_RPC_PATH}`,
    async close() {
      for (const client of sockets.clients) client.terminate()
      await new Promise<void>((resolve) => sockets.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function serveSocket(ws: WebSocket, dispatcher: Dispatcher, bus: EventBus): void {
  const send = (message: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return
    let text: string
    try {
      text = JSON.stringify(message)
    } catch (error) {
      // A result that is not JSON (a bug in a service): the caller still gets an answer.
      if (message.t !== 'result') return
      text = JSON.stringify({ t: 'result', id: message.id, ok: false, error: { code: 'INTERNAL', message: `internal error: result not encodable (${(error as Error).message})`, details: {} } })
    }
    ws.send(text)
  }
  send({ t: 'hello', wireVersion: WIRE_VERSION })
  const unsubscribe = bus.subscribe((event) => {
    if (ws.bufferedAmount > MAX_EVENT_BACKLOG_BYTES) return
    send({ t: 'event', stream: event.stream, payload: event.payload })
  })
  ws.on('close', unsubscribe)
  ws.on('error', () => ws.terminate())
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) {
      ws.close(1003, 'text frames only')
      return
    }
    let message: unknown
    try {
      message = JSON.parse(raw.toString())
    } catch {
      ws.close(1007, 'invalid JSON')
      return
    }
    const call = message as { t?: unknown; id?: unknown; method?: unknown; args?: unknown }
    if (call === null || typeof call !== 'object' || call.t !== 'call' || typeof call.id !== 'number' || !Number.isSafeInteger(call.id)) {
      ws.close(1002, 'expected {t:"call", id, method, args}')
      return
    }
    const id = call.id
    void dispatcher.call(call.method, call.args).then((outcome) => send({ t: 'result', id, ...outcome }))
  })
}
