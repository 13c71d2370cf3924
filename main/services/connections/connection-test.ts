import { lookup } from 'node:dns/promises'
import { type Socket, connect as connectTcp } from 'node:net'
import { type ConnectionOptions, connect as connectTls } from 'node:tls'
import { ConnectStringError, type HostAndPort, ZooKeeperClient, isKeeperException, parseConnectString } from '../../../engine/client'
import type { ConnectionTestReport, ConnectionTestStep, ConnectionTestStepResult } from '../../contract/model'
import { digestAuth, tlsOptions } from './client-options'
import type { ResolvedProfile } from './profile-store'
import { type SshTunnel, openSshTunnel } from './ssh-tunnel'

const TCP_TIMEOUT_MS = 3000
const HANDSHAKE_TIMEOUT_CAP_MS = 10_000

function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code !== undefined && !error.message.includes(code) ? `${error.message} (${code})` : error.message
  }
  return String(error)
}

function socketOnce(socket: Socket, readyEvent: 'connect' | 'secureConnect', timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once(readyEvent, () => {
      clearTimeout(timer)
      socket.destroy()
      resolve()
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
  })
}

class Steps {
  readonly results: ConnectionTestStepResult[] = []

  async run(step: ConnectionTestStep, body: () => Promise<string>): Promise<boolean> {
    const began = performance.now()
    try {
      const detail = await body()
      this.results.push({ step, ok: true, durationMs: Math.round(performance.now() - began), detail })
      return true
    } catch (error) {
      this.results.push({ step, ok: false, durationMs: Math.round(performance.now() - began), detail: reason(error) })
      return false
    }
  }

  report(): ConnectionTestReport {
    const failed = this.results.find((result) => !result.ok)
    const names: Record<ConnectionTestStep, string> = {
      dns: 'Name lookup (DNS)',
      tcp: 'TCP connection',
      tls: 'TLS handshake',
      ssh: 'SSH tunnel',
      handshake: 'ZooKeeper session handshake',
      auth: 'Authentication',
    }
    return {
      ok: failed === undefined,
      steps: this.results,
      failedStep: failed?.step ?? null,
      message: failed === undefined ? 'Connected: every step succeeded.' : `${names[failed.step]} failed: ${failed.detail}`,
    }
  }
}

/**
 * Tries a profile one step at a time, stopping at the first failure, so the user is told which step broke: the
 * name lookup, the TCP connection, the TLS handshake, the ZooKeeper session handshake, or authentication.
 */
export async function testConnection(profile: ResolvedProfile): Promise<ConnectionTestReport> {
  const steps = new Steps()
  let hosts: readonly HostAndPort[] = []
  const parsedOk = await steps.run('dns', async () => {
    try {
      hosts = parseConnectString(profile.connectString).hosts
    } catch (error) {
      throw new Error(`the connect string is not valid: ${error instanceof ConnectStringError ? error.message : reason(error)}`)
    }
    const resolved: string[] = []
    const failures: string[] = []
    // Through SSH the servers' names are resolved by the SSH host; here only the SSH host's own name.
    const names = profile.ssh === null ? hosts : [{ host: profile.ssh.host, port: profile.ssh.port }]
    for (const host of names) {
      try {
        const addresses = await lookup(host.host, { all: true })
        resolved.push(`${host.host} → ${addresses.map((address) => address.address).join(', ')}`)
      } catch (error) {
        failures.push(`${host.host}: ${reason(error)}`)
      }
    }
    if (resolved.length === 0) throw new Error(`no server name could be resolved (${failures.join('; ')})`)
    return [...resolved, ...failures.map((failure) => `not resolved: ${failure}`)].join('; ')
  })
  if (!parsedOk) return steps.report()

  if (profile.ssh !== null) return testThroughSsh(profile, profile.ssh, hosts, steps)

  const reachable: HostAndPort[] = []
  const tcpOk = await steps.run('tcp', async () => {
    const failures: string[] = []
    await Promise.all(
      hosts.map(async (host) => {
        try {
          await socketOnce(connectTcp({ host: host.host, port: host.port }), 'connect', TCP_TIMEOUT_MS)
          reachable.push(host)
        } catch (error) {
          failures.push(`${host.host}:${host.port} ${reason(error)}`)
        }
      }),
    )
    if (reachable.length === 0) throw new Error(`no server accepted a TCP connection (${failures.join('; ')})`)
    return `${reachable.map((host) => `${host.host}:${host.port}`).join(', ')} accepted${failures.length > 0 ? `; refused: ${failures.join('; ')}` : ''}`
  })
  if (!tcpOk) return steps.report()

  const tls = tlsOptions(profile)
  if (tls !== undefined) {
    const tlsOk = await steps.run('tls', async () => {
      const host = reachable[0]!
      await socketOnce(connectTls({ host: host.host, port: host.port, ...tls }), 'secureConnect', TCP_TIMEOUT_MS)
      return `${host.host}:${host.port} completed the TLS handshake`
    })
    if (!tlsOk) return steps.report()
  }

  await sessionSteps(profile, profile.connectString, tls, steps)
  return steps.report()
}

/** SSH host name lookup done; then the SSH login, each server reached through it, and the session through it. */
async function testThroughSsh(profile: ResolvedProfile, ssh: NonNullable<ResolvedProfile['ssh']>, hosts: readonly HostAndPort[], steps: Steps): Promise<ConnectionTestReport> {
  let tunnel: SshTunnel | undefined
  try {
    const sshOk = await steps.run('ssh', async () => {
      tunnel = await openSshTunnel(ssh, hosts, parseConnectString(profile.connectString).chroot)
      return `logged in to ${ssh.user}@${ssh.host}:${ssh.port} with ${ssh.auth === 'password' ? 'a password' : 'a private key'}`
    })
    if (!sshOk || tunnel === undefined) return steps.report()
    const open = tunnel
    const tcpOk = await steps.run('tcp', async () => {
      const reached: string[] = []
      const failures: string[] = []
      for (const host of hosts) {
        try {
          await open.probe(host, TCP_TIMEOUT_MS)
          reached.push(`${host.host}:${host.port}`)
        } catch (error) {
          failures.push(reason(error))
        }
      }
      if (reached.length === 0) throw new Error(`no server could be reached through the SSH host (${failures.join('; ')})`)
      return `${reached.join(', ')} reached through ${ssh.host}${failures.length > 0 ? `; not reached: ${failures.join('; ')}` : ''}`
    })
    if (!tcpOk) return steps.report()
    await sessionSteps(profile, open.connectString, tlsOptions(profile, hosts[0]?.host), steps)
    return steps.report()
  } finally {
    ;(tunnel as SshTunnel | undefined)?.close()
  }
}

/** The ZooKeeper handshake and, with credentials, authentication, on `connectString`. */
async function sessionSteps(profile: ResolvedProfile, connectString: string, tls: ConnectionOptions | undefined, steps: Steps): Promise<void> {
  let client: ZooKeeperClient | undefined
  try {
    const handshakeTimeoutMs = Math.min(profile.sessionTimeoutMs, HANDSHAKE_TIMEOUT_CAP_MS)
    const handshakeOk = await steps.run('handshake', async () => {
      try {
        const options = { sessionTimeoutMs: profile.sessionTimeoutMs, connectTimeoutMs: handshakeTimeoutMs, canBeReadOnly: profile.readOnly }
        client = await ZooKeeperClient.connect(connectString, tls === undefined ? options : { ...options, tls })
      } catch (error) {
        const detail = isKeeperException(error) ? error.message : reason(error)
        throw new Error(
          `the server accepted TCP but no ZooKeeper session was established within ${handshakeTimeoutMs} ms (${detail}). ` +
            `Is this a ZooKeeper client port${tls === undefined ? ', and does it require TLS' : ''}?`,
        )
      }
      return `session 0x${client.sessionId.toString(16)} on ${client.connectedHost?.host}:${client.connectedHost?.port}, timeout ${client.negotiatedTimeoutMs} ms${client.state === 'CONNECTEDREADONLY' ? ' (read-only server)' : ''}`
    })
    if (!handshakeOk || client === undefined) return
    const connected = client
    if (profile.credentials.length > 0) {
      await steps.run('auth', async () => {
        for (const credential of profile.credentials) await connected.addAuth('digest', digestAuth(credential))
        const identities = await connected.whoAmI().catch(() => null)
        const shown = identities === null ? '' : ` (server sees: ${identities.map((info) => `${info.authScheme}:${info.user}`).join(', ')})`
        return `digest credentials for ${profile.credentials.map((credential) => credential.user).join(', ')} accepted${shown}`
      })
    }
  } finally {
    await (client as ZooKeeperClient | undefined)?.close(2000).catch(() => {})
  }
}
