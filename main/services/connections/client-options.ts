import type { ConnectionOptions } from 'node:tls'
import type { ResolvedProfile } from './profile-store'

/**
 * node:tls options for a profile's TLS settings, or undefined for plain TCP. `serverName`: the name to check the
 * certificate against when the socket dials something else (an SSH tunnel's local port).
 */
export function tlsOptions(profile: ResolvedProfile, serverName?: string): ConnectionOptions | undefined {
  const tls = profile.tls
  if (tls === null) return undefined
  const options: ConnectionOptions = {}
  if (serverName !== undefined) options.servername = serverName
  if (tls.ca !== null) options.ca = tls.ca
  if (tls.cert !== null) options.cert = tls.cert
  if (tls.key !== null) options.key = tls.key
  if (tls.passphrase !== null) options.passphrase = tls.passphrase
  // The chain is always verified; only the name check can be turned off (servers addressed by IP on a LAN).
  if (!tls.verifyHostname) options.checkServerIdentity = () => undefined
  return options
}

/** `user:password` as ZooKeeper's digest provider wants it. */
export function digestAuth(credential: { user: string; password: string }): string {
  return `${credential.user}:${credential.password}`
}
