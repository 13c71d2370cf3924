/**
 * Encrypts the secrets of saved profiles at rest. Sealed values are opaque text, safe to write to a JSON file;
 * only main ever opens them.
 */
export interface SecretBox {
  readonly kind: 'safeStorage' | 'keyfile'
  seal(plain: string): string
  open(sealed: string): string
}
