import { createHash } from 'node:crypto'
import type { AuthProvider } from './api'
import { javaParseInt, javaSplit, javaSplitOnce } from './java-text'

/**
 * The auth schemes Apache registers by default (`ProviderRegistry.initialize`): ip and digest.
 * `world` and `auth` are handled by checkACL / fixupACL themselves and `super` has no provider, as in Apache.
 */

/** `IPAuthenticationProvider`: IPv4 only, `a.b.c.d` or `a.b.c.d/bits`, prefix match on the first `bits` bits. */
export const ipAuthProvider: AuthProvider = {
  scheme: 'ip',
  authenticated: false,
  isValid(id) {
    const [address, bitsText] = javaSplitOnce(id, '/')
    if (ipv4Bytes(address) === undefined) return false
    if (bitsText === undefined) return true
    const bits = javaParseInt(bitsText)
    return bits !== undefined && bits >= 0 && bits <= 32
  },
  matches(authId, aclId) {
    const [address, bitsText] = javaSplitOnce(aclId, '/')
    const aclAddress = ipv4Bytes(address)
    if (aclAddress === undefined) return false
    let bits = 32
    if (bitsText !== undefined) {
      const parsed = javaParseInt(bitsText)
      if (parsed === undefined || parsed < 0 || parsed > 32) return false
      bits = parsed
    }
    const remoteAddress = ipv4Bytes(authId)
    if (remoteAddress === undefined) return false
    return maskIpv4(aclAddress, bits) === maskIpv4(remoteAddress, bits)
  },
}

/** Four octets as one unsigned 32-bit number, or undefined (Apache: exactly four dot-separated ints in 0..255). */
function ipv4Bytes(address: string): number | undefined {
  const parts = address.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    const octet = javaParseInt(part)
    if (octet === undefined || octet < 0 || octet > 255) return undefined
    value = value * 256 + octet
  }
  return value
}

function maskIpv4(address: number, bits: number): number {
  if (bits === 0) return 0
  const mask = bits >= 32 ? 0xffffffff : ~((1 << (32 - bits)) - 1) >>> 0
  return (address & mask) >>> 0
}

/** `DigestAuthenticationProvider`: ids are `user:base64(sha1(user:password))`, matched exactly. */
export const digestAuthProvider: AuthProvider = {
  scheme: 'digest',
  authenticated: true,
  // Java's split(":") drops trailing empty parts, so "user:" is invalid and "user:x:" is valid.
  isValid: (id) => javaSplit(id, ':').length === 2,
  matches: (authId, aclId) => authId === aclId,
}

/**
 * A provider for a scheme whose ids are compared exactly (what the sasl and x509 providers do, minus their
 * super-user switches). The server adds these when it enables those schemes.
 */
export function exactMatchAuthProvider(scheme: string, isValid: (id: string) => boolean = () => true): AuthProvider {
  return { scheme, authenticated: true, isValid, matches: (authId, aclId) => authId === aclId }
}

export const DEFAULT_AUTH_PROVIDERS: ReadonlyMap<string, AuthProvider> = new Map([
  [ipAuthProvider.scheme, ipAuthProvider],
  [digestAuthProvider.scheme, digestAuthProvider],
])

/**
 * The digest id for an auth packet's `user:password` text (Apache's `generateDigest`): the part before the first
 * `:` (all of it when there is none), `:`, base64 of SHA-1 over the whole text.
 */
export function digestOfAuth(userPassword: string): string {
  const user = javaSplitOnce(userPassword, ':')[0]
  return user + ':' + createHash('sha1').update(userPassword, 'utf8').digest('base64')
}

/** `user:` + base64(SHA-1("user:password")): the id a digest ACL names and a digest auth packet yields. */
export function digestOf(user: string, password: string): string {
  return digestOfAuth(user + ':' + password)
}
