// Small TCP helpers: free ports for servers under test, and four-letter-word commands.
import { createServer } from 'node:net'
import { fourLetterWord } from '../../../engine/monitor/four-letter'

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
  return fourLetterWord(host, port, cmd, options.timeoutMs ?? 2000, options.payload)
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
