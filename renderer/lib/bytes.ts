// Bytes ↔ the contract's base64, and the hex form the data editor shows. Znode data is bytes: nothing here assumes
// it is text.

export function base64ToBytes(base64: string | null): Uint8Array {
  if (base64 === null || base64 === '') return new Uint8Array(0)
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Chunked so that a 1 MB node does not build one giant argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(binary)
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

/** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return null
  }
}

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Text that a person would not want to read as text: NUL and other C0 controls besides tab, CR, LF. */
export function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true
    if (code === 0x7f) return true
  }
  return false
}

const HEX_PER_LINE = 16

/** `7b 22 61 22 …`, 16 bytes a line: editable, and parseHex reads it back. */
export function toHex(bytes: Uint8Array): string {
  const lines: string[] = []
  for (let start = 0; start < bytes.length; start += HEX_PER_LINE) {
    const line: string[] = []
    for (let i = start; i < Math.min(start + HEX_PER_LINE, bytes.length); i++) line.push(bytes[i]!.toString(16).padStart(2, '0'))
    lines.push(line.join(' '))
  }
  return lines.join('\n')
}

/** Hex digits in pairs, any whitespace between them; throws with the offending position otherwise. */
export function parseHex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '')
  if (digits.length % 2 !== 0) throw new Error('hex data needs an even number of digits')
  const bad = /[^0-9a-fA-F]/.exec(digits)
  if (bad !== null) throw new Error(`not a hex digit: "${bad[0]}" at digit ${bad.index + 1}`)
  const bytes = new Uint8Array(digits.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

export function parseBase64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new Error('not valid base64')
  return base64ToBytes(compact)
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** `1.2 KB`, `1,048,575 bytes` style sizes in binary units. */
export function formatBytes(count: number): string {
  if (count < 1024) return `${count} B`
  // Below what would print as "1024.0 KB".
  if (count < 1024 * 1023.95) return `${(count / 1024).toFixed(1)} KB`
  return `${(count / (1024 * 1024)).toFixed(2)} MB`
}

/** ZooKeeper's default jute.maxbuffer (0xfffff): the largest znode a default server accepts. */
export const MAX_ZNODE_BYTES = 0xfffff
