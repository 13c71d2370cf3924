import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { MemberConfig } from '../node/config-types'
import { type AdminView, PRIMARY_COMMAND_NAMES, runAdminCommand } from './admin-commands'

/** Jetty's idle timeout for admin connections (`admin.idleTimeout`). */
const IDLE_TIMEOUT_MS = 30_000

/**
 * Apache's AdminServer on node:http: `GET <commandURL>/<name>?k=v` answers the command's JSON; `GET <commandURL>`
 * lists links to every command. GET only (3.8 has no POST commands).
 */
export class AdminServer {
  private readonly server: Server

  constructor(
    private readonly view: AdminView,
    private readonly config: MemberConfig,
  ) {
    this.server = createServer((request, response) => this.handle(request, response))
    this.server.keepAliveTimeout = IDLE_TIMEOUT_MS
  }

  /** Listens on admin.serverAddress:admin.serverPort (0 = any free port); resolves to the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen({ port: this.config.adminServerPort, host: this.config.adminServerAddress }, () => {
        this.server.off('error', reject)
        const address = this.server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : this.config.adminServerPort)
      })
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://admin')
    const base = this.config.adminCommandUrl
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return this.plain(response, 404, 'Not Found')
    if (request.method !== 'GET') return this.plain(response, 405, 'HTTP method POST is not supported by this URL')
    const name = url.pathname.slice(base.length + 1)
    if (name === '') {
      const links = PRIMARY_COMMAND_NAMES.map((command) => `<a href="${base}/${command}">${command}</a>\n<br/>\n`).join('')
      response.writeHead(200, { 'Content-Length': Buffer.byteLength(links) })
      response.end(links)
      return
    }
    const query = new Map<string, string>()
    for (const [key, value] of url.searchParams) if (!query.has(key)) query.set(key, value)
    const body = runAdminCommand(this.view, decodeURIComponent(name), query)
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    response.end(body)
  }

  private plain(response: ServerResponse, status: number, message: string): void {
    const body = `<html><body><h2>HTTP ERROR ${status} ${message}</h2></body></html>\n`
    response.writeHead(status, { 'Content-Type': 'text/html;charset=iso-8859-1', 'Cache-Control': 'must-revalidate,no-cache,no-store' })
    response.end(body)
  }
}
