import { IllegalArgumentError } from './errors'

/** How `get` shows a node's bytes (zkCli 3.8.6 `-b` and `-x`), and how `set -b` reads them. */
export type DataFormat = 'text' | 'base64' | 'hexdump'

export function formatData(data: Buffer, format: DataFormat): string {
  if (format === 'base64') return data.toString('base64')
  if (format === 'hexdump') return prettyHexDump(data)
  return data.toString('utf8')
}

const HEX_HEADER = [
  '         +-------------------------------------------------+',
  '         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |',
  '+--------+-------------------------------------------------+----------------+',
].join('\n')
const HEX_FOOTER = '+--------+-------------------------------------------------+----------------+'

/** Netty's ByteBufUtil.prettyHexDump, which zkCli's `get -x` prints: 16 bytes a row, dots for non-printables. */
export function prettyHexDump(data: Buffer): string {
  if (data.length === 0) return ''
  const rows: string[] = [HEX_HEADER]
  for (let start = 0; start < data.length; start += 16) {
    const row = data.subarray(start, start + 16)
    let hex = ''
    let ascii = ''
    for (const byte of row) {
      hex += ` ${byte.toString(16).padStart(2, '0')}`
      ascii += byte <= 0x1f || byte >= 0x7f ? '.' : String.fromCharCode(byte)
    }
    const offset = start.toString(16).padStart(8, '0')
    rows.push(`|${offset}|${hex.padEnd(48)} |${ascii.padEnd(16)}|`)
  }
  rows.push(HEX_FOOTER)
  return rows.join('\n')
}

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/

/**
 * `Base64.getDecoder().decode(text)` (RFC 4648 basic alphabet; padding optional; nothing after the padding), with
 * Java's IllegalArgumentException texts.
 */
export function decodeJavaBase64(text: string): Buffer {
  const padAt = text.indexOf('=')
  const body = padAt === -1 ? text : text.slice(0, padAt)
  const padding = padAt === -1 ? '' : text.slice(padAt)
  for (const char of body) {
    if (!BASE64_ALPHABET.test(char)) throw new IllegalArgumentError(`Illegal base64 character ${(char.codePointAt(0) ?? 0).toString(16)}`)
  }
  const remainder = body.length % 4
  if (remainder === 1) {
    throw new IllegalArgumentError(
      body.length === 1 ? 'Input byte[] should at least have 2 bytes for base64 bytes' : 'Last unit does not have enough valid bits',
    )
  }
  if (padding !== '') {
    const expected = remainder === 2 ? '==' : remainder === 3 ? '=' : ''
    if (padding !== expected) {
      const extra = padding.replace(/^=+/, '')
      const at = padAt + padding.length - extra.length
      if (extra !== '') throw new IllegalArgumentError(`Input byte array has incorrect ending byte at ${at}`)
      throw new IllegalArgumentError('Input byte array has wrong 4-byte ending unit')
    }
  }
  return Buffer.from(body, 'base64')
}
