// A TCP relay in front of a server that a scenario can cut and restore: the client behind it
// loses its connection while its session lives on, then reconnects (and re-registers its
// watches with SetWatches) when the relay lets it through again.
import { createConnection, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { LOOPBACK } from './net'
import { splitHostPort } from './raw'

export interface CuttableProxy {
  /** `127.0.0.1:<port>`: give this to the client instead of the server's. */
  readonly connectString: string
  /** Closes every relayed connection and refuses new ones until resume(). */
  pause(): void
  resume(): void
  close(): Promise<void>
}

export async function startProxy(targetConnectString: string): Promise<CuttableProxy> {
  const [host, port] = splitHostPort(targetConnectString)
  const pairs = new Set<[Socket, Socket]>()
  let paused = false
  const server: Server = createServer((downstream) => {
    if (paused) {
      downstream.destroy()
      return
    }
    const upstream = createConnection({ host, port: Number(port) })
    const pair: [Socket, Socket] = [downstream, upstream]
    pairs.add(pair)
    const end = (): void => {
      pairs.delete(pair)
      downstream.destroy()
      upstream.destroy()
    }
    for (const socket of pair) {
      socket.on('error', end)
      socket.on('close', end)
    }
    downstream.pipe(upstream)
    upstream.pipe(downstream)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy: no TCP address')
  const pause = (): void => {
    paused = true
    for (const [a, b] of [...pairs]) {
      a.destroy()
      b.destroy()
    }
    pairs.clear()
  }
  return {
    connectString: `${LOOPBACK}:${address.port}`,
    pause,
    resume() {
      paused = false
    },
    close() {
      pause()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
