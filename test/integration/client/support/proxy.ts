import { type Server, type Socket, connect, createServer } from 'node:net'

/**
 * A TCP relay in front of one server, so a test can partition a client from it: `cut()` makes every connection go
 * silent (nothing forwarded either way, nothing closed — as a network partition looks to both ends) while the server
 * keeps running and can expire the client's session; `restore()` drops the silent connections and relays again.
 */
export class TcpProxy {
  private server: Server | undefined
  private readonly pairs = new Set<[Socket, Socket]>()
  private cutOff = false
  port = 0

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    const address = this.server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : 0
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined)
    const upstream = connect({ host: this.targetHost, port: this.targetPort })
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    const pair: [Socket, Socket] = [client, upstream]
    this.pairs.add(pair)
    client.on('close', () => this.pairs.delete(pair))
    client.on('data', (chunk: Buffer) => this.cutOff || upstream.write(chunk))
    upstream.on('data', (chunk: Buffer) => this.cutOff || client.write(chunk))
  }

  cut(): void {
    this.cutOff = true
  }

  restore(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy()
      upstream.destroy()
    }
    this.pairs.clear()
    this.cutOff = false
  }

  async stop(): Promise<void> {
    this.restore()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }
}
