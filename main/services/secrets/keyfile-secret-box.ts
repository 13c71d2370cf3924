import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SecretBox } from './secret-box'

const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const PREFIX = 'k1:'

/** Reads the key, creating it (readable by the user alone) on first use. */
function loadOrCreateKey(keyFile: string): Buffer {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
  try {
    const fd = openSync(keyFile, 'wx', 0o600)
    try {
      const key = randomBytes(KEY_BYTES)
      writeSync(fd, key.toString('hex'))
      return key
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  // Someone widened its permissions: narrow them back before trusting it (no-op on Windows).
  if (process.platform !== 'win32' && (statSync(keyFile).mode & 0o077) !== 0) chmodSync(keyFile, 0o600)
  const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex')
  if (key.length !== KEY_BYTES) throw new Error(`secret key file ${keyFile} is damaged (expected ${KEY_BYTES} bytes of hex)`)
  return key
}

/**
 * Browser mode's secret store: AES-256-GCM with a random key in a file only the user can read (mode 0600). It keeps
 * secrets out of plain text on disk and out of exported profiles; it does not protect against the user's own
 * account (Electron's safeStorage, used in the app, ties the key to the OS keychain instead).
 */
export class KeyFileSecretBox implements SecretBox {
  readonly kind = 'keyfile' as const
  private readonly key: Buffer

  constructor(readonly keyFile: string) {
    this.key = loadOrCreateKey(keyFile)
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a secret sealed with the key file')
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64')
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES))
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
  }
}
