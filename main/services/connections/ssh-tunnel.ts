import { type AddressInfo, type Server, type Socket, createServer } from 'node:net'
import { Client, type ConnectConfig } from 'ssh2'
import type { HostAndPort } from '../../../engine/client'
import type { ResolvedProfile } from './profile-store'

type SshSettings = NonNullable<ResolvedProfile['ssh']>

const SSH_READY_TIMEOUT_MS = 10_000

/** An SSH connection that forwards one local port on 127.0.0.1 per ZooKeeper server, through the SSH host. */
export interface SshTunnel {
  /** The profile's connect string with each server replaced by its local forwarding port (chroot kept). */
  readonly connectString: string
  /** For the connection test: reach one server through the tunnel (TCP only). */
  probe(target: HostAndPort, timeoutMs: number): Promise<void>
  /**
   * A local port on 127.0.0.1 forwarding to `target` through the SSH host (made on first use, then kept until
   * close): for what dials other ports than the client ports, such as the observer tap's leader quorum port.
   */
  reach(target: HostAndPort): Promise<HostAndPort>
  /** The remote host:port a local forwarding port stands for (the address itself when it is none of ours). */
  remoteOf(local: HostAndPort): HostAndPort
  close(): void
}

export function sshConnectConfig(ssh: SshSettings): ConnectConfig {
  const config: ConnectConfig = { host: ssh.host, port: ssh.port, username: ssh.user, readyTimeout: SSH_READY_TIMEOUT_MS, keepaliveInterval: 15_000 }
  if (ssh.auth === 'password') {
    if (ssh.password === null) throw new Error('the SSH password is not set')
    config.password = ssh.password
  } else {
    if (ssh.privateKey === null) throw new Error('the SSH private key is not set')
    config.privateKey = ssh.privateKey
    // A passphrase-protected key uses the password field as its passphrase.
    if (ssh.password !== null) config.passphrase = ssh.password
  }
  return config
}

/** Connects and authenticates; rejects with ssh2's reason (auth methods failed, host unreachable, timeout). */
export function connectSsh(ssh: SshSettings): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    const onError = (error: Error) => {
      client.end()
      reject(error)
    }
    client.once('ready', () => {
      client.removeListener('error', onError)
      client.on('error', () => {}) // later failures surface as closed forwarded streams
      resolve(client)
    })
    client.once('error', onError)
    try {
      client.connect(sshConnectConfig(ssh))
    } catch (error) {
      reject(error)
    }
  })
}

function forward(client: Client, local: Socket, target: HostAndPort): void {
  local.pause()
  client.forwardOut('127.0.0.1', local.localPort ?? 0, target.host, target.port, (error, stream) => {
    if (error) {
      local.destroy()
      return
    }
    local.pipe(stream).pipe(local)
    local.on('error', () => stream.destroy())
    stream.on('error', () => local.destroy())
    local.on('close', () => stream.destroy())
    stream.on('close', () => local.destroy())
    local.resume()
  })
}

/** Opens the SSH connection and one local listener per server of `hosts`. */
/** A listener on 127.0.0.1 (a free port) whose every connection is forwarded to `target` through `client`. */
async function listenForwarding(client: Client, target: HostAndPort): Promise<Server> {
  const server = createServer((socket) => forward(client, socket, target))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return server
}

const addressKey = (address: HostAndPort): string => `${address.host}:${address.port}`

export async function openSshTunnel(ssh: SshSettings, hosts: readonly HostAndPort[], chroot: string | undefined): Promise<SshTunnel> {
  const client = await connectSsh(ssh)
  const servers: Server[] = []
  const locals: string[] = []
  /** Local port → the remote address it forwards to; remote address → its local port (for reach). */
  const remoteByLocalPort = new Map<number, HostAndPort>()
  const localByRemote = new Map<string, Promise<HostAndPort>>()
  try {
    for (const target of hosts) {
      const server = await listenForwarding(client, target)
      servers.push(server)
      const port = (server.address() as AddressInfo).port
      locals.push(`127.0.0.1:${port}`)
      remoteByLocalPort.set(port, target)
      localByRemote.set(addressKey(target), Promise.resolve({ host: '127.0.0.1', port }))
    }
  } catch (error) {
    for (const server of servers) server.close()
    client.end()
    throw error
  }
  return {
    connectString: `${locals.join(',')}${chroot ?? ''}`,
    reach(target) {
      const known = localByRemote.get(addressKey(target))
      if (known !== undefined) return known
      const local = listenForwarding(client, target).then((server) => {
        servers.push(server)
        const port = (server.address() as AddressInfo).port
        remoteByLocalPort.set(port, target)
        return { host: '127.0.0.1', port }
      })
      // A failed listen is not remembered: the next attempt tries again.
      local.catch(() => localByRemote.delete(addressKey(target)))
      localByRemote.set(addressKey(target), local)
      return local
    },
    remoteOf(local) {
      return local.host === '127.0.0.1' ? (remoteByLocalPort.get(local.port) ?? local) : local
    },
    probe: (target, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer through the tunnel within ${timeoutMs} ms`)), timeoutMs)
        client.forwardOut('127.0.0.1', 0, target.host, target.port, (error, stream) => {
          clearTimeout(timer)
          if (error) reject(new Error(`the SSH host could not reach ${target.host}:${target.port}: ${error.message}`))
          else {
            stream.destroy()
            resolve()
          }
        })
      }),
    close() {
      for (const server of servers) server.close()
      client.end()
    },
  }
}
