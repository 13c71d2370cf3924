import { createConnection } from 'node:net'

/** Sends a four-letter word and returns the whole answer ('' if the connection fails). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    let answer = ''
    const socket = createConnection({ host, port }, () => socket.end(word))
    socket.setTimeout(timeoutMs, () => socket.destroy())
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')))
    socket.on('error', () => resolve(''))
    socket.on('close', () => resolve(answer))
  })
}
