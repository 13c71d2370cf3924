// Small TCP helpers: free ports for servers under test, and four-letter-word commands.
import { createConnection, createServer } from 'node:net'

export const LOOPBACK = '127.0.0.1'

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it by binding port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('freePort: no TCP address'))
        return
      }
      server.close(() => resolve(address.port))
    })
  })
}

export interface FourLetterOptions {
  /** Give up after this long. Needed: see the note in fourLetter. Default 2000 ms. */
  timeoutMs?: number
  /** Bytes sent after the command (stmk takes an 8-byte trace mask). */
  payload?: Buffer
}

/**
 * Sends a four-letter word and returns everything the server wrote before closing.
 *
 * Rejects on timeout rather than waiting for ever: Apache 3.8.0 answers a 4lw that arrives
 * in the window between binding the client port and loading its database with an NPE while
 * closing the socket (ZooKeeperServer.removeCnxn, zkDb null), and never closes it.
 */
export function fourLetter(host: string, port: number, cmd: string, options: FourLetterOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 2000
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = createConnection({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`4lw ${cmd} to ${host}:${port}: no close after ${timeoutMs} ms (got ${JSON.stringify(Buffer.concat(chunks).toString('utf8'))})`))
    }, timeoutMs)
    socket.on('connect', () => {
      socket.write(options.payload === undefined ? cmd : Buffer.concat([Buffer.from(cmd, 'latin1'), options.payload]))
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
    // 'close' rather than 'end': the server may reset instead of half-closing.
    socket.on('close', (hadError) => {
      clearTimeout(timer)
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })
}

/**
 * GET an AdminServer command (`/commands/<name>`) and parse its JSON. Rejects on a non-200
 * answer or after `timeoutMs` (default 2000).
 */
export async function adminCommand(
  host: string,
  port: number,
  command: string,
  params: Readonly<Record<string, string>> = {},
  timeoutMs = 2000,
): Promise<unknown> {
  const query = new URLSearchParams(params).toString()
  const url = `http://${host}:${port}/commands/${command}${query === '' ? '' : `?${query}`}`
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`)
  return response.json()
}
