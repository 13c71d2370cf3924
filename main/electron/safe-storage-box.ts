import { safeStorage } from 'electron'
import type { SecretBox } from '../services/secrets/secret-box'

const PREFIX = 's1:'

/** Electron's safeStorage (macOS Keychain, Windows DPAPI, Linux Secret Service / KWallet). */
export class SafeStorageSecretBox implements SecretBox {
  readonly kind = 'safeStorage' as const

  /**
   * Whether safeStorage really protects secrets here: on Linux without a keyring Electron falls back to a
   * hard-coded key ('basic_text'), which is no better than plain text; the key file is used instead.
   */
  static usable(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false
    return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'
  }

  seal(plain: string): string {
    return PREFIX + safeStorage.encryptString(plain).toString('base64')
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('this secret was saved by browser mode; enter it again in the app')
    return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'))
  }
}
