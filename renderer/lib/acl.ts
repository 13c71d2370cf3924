// ACL permissions, presets and the digest scheme's id (user:base64(sha1(user:password))).
import type { AclEntry } from '../../main/contract/model'

export const PERMS = [
  { bit: 1, letter: 'r', name: 'READ' },
  { bit: 2, letter: 'w', name: 'WRITE' },
  { bit: 4, letter: 'c', name: 'CREATE' },
  { bit: 8, letter: 'd', name: 'DELETE' },
  { bit: 16, letter: 'a', name: 'ADMIN' },
] as const
export const ALL_PERMS = 31

/** zkCli's `cdrwa` order. */
export function permsString(perms: number): string {
  return ['c', 'd', 'r', 'w', 'a'].filter((letter) => (PERMS.find((perm) => perm.letter === letter)!.bit & perms) !== 0).join('')
}

export const ACL_SCHEMES = ['world', 'auth', 'digest', 'ip', 'x509', 'sasl'] as const

export type AclPreset = 'open' | 'creator' | 'read'

/** ZooDefs.Ids: OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE. */
export function aclPreset(preset: AclPreset): AclEntry[] {
  switch (preset) {
    case 'open':
      return [{ scheme: 'world', id: 'anyone', perms: ALL_PERMS }]
    case 'creator':
      return [{ scheme: 'auth', id: '', perms: ALL_PERMS }]
    case 'read':
      return [{ scheme: 'world', id: 'anyone', perms: 1 }]
  }
}

/** Why an entry would be refused (INVALIDACL) or is likely wrong, or null. */
export function aclEntryProblem(entry: AclEntry): string | null {
  if (entry.perms < 0 || entry.perms > ALL_PERMS) return 'permissions out of range'
  switch (entry.scheme) {
    case 'world':
      return entry.id === 'anyone' ? null : 'the world scheme has only the id "anyone"'
    case 'auth':
      return null
    case 'digest':
      return /^[^:]+:[A-Za-z0-9+/]{27}=$/.test(entry.id) ? null : 'a digest id is user:base64(sha1(user:password)) — use the generator'
    case 'ip': {
      const [address, bits] = entry.id.split('/')
      const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address ?? '')
      const ok = (v4 !== null && v4.slice(1).every((part) => Number(part) <= 255)) || (address ?? '').includes(':')
      if (!ok) return 'an ip id is an address, optionally /bits'
      if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return 'the /bits part must be a number'
      return null
    }
    default:
      return entry.id === '' ? 'an id is required' : null
  }
}

/** DigestAuthenticationProvider.generateDigest: `user:` + base64(SHA-1(`user:password`)). */
export async function digestId(user: string, password: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(`${user}:${password}`))
  let binary = ''
  for (const byte of new Uint8Array(hash)) binary += String.fromCharCode(byte)
  return `${user}:${btoa(binary)}`
}
