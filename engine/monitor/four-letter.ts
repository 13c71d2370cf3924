import { createConnection } from 'node:net'

/** The answer a server gives to a four-letter word that its 4lw.commands.whitelist does not allow. */
export function notWhitelisted(text: string): boolean {
  return text.includes('is not executed because it is not in the whitelist')
}

export const NOT_SERVING_TEXT = 'This ZooKeeper instance is not currently serving requests'

/**
 * Sends a four-letter word and resolves with everything the server wrote before closing. Rejects when the
 * connection fails or nothing closes it within `timeoutMs` (Apache may leave a 4lw socket open while starting).
 */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs: number, payload?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = createConnection({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      const partial = chunks.length > 0 ? ` (got ${JSON.stringify(Buffer.concat(chunks).toString('utf8'))})` : ''
      reject(new Error(`${word} to ${host}:${port}: no answer within ${timeoutMs} ms${partial}`))
    }, timeoutMs)
    // write, not end: Apache closes a 4lw connection whose client half-closed before it answered. `payload` follows
    // the word for the few that take an argument (stmk's 8-byte trace mask).
    socket.once('connect', () => socket.write(payload === undefined ? word : Buffer.concat([Buffer.from(word, 'latin1'), payload])))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
    socket.once('close', (hadError) => {
      clearTimeout(timer)
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })
}

/** GET an AdminServer command's JSON; rejects on a connection failure, a non-200 answer or a timeout. */
export async function adminCommand(host: string, port: number, command: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/commands/${command}`
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`)
  const body: unknown = await response.json()
  if (body === null || typeof body !== 'object') throw new Error(`GET ${url}: not a JSON object`)
  return body as Record<string, unknown>
}
