// An in-process SSH server (ssh2, password login zoo/pw) that forwards tcpip channels to wherever they ask, keeping
// the destinations: what went through the tunnel is then observable.
import { type AddressInfo, createConnection } from 'node:net'
import { Server as SshServer, utils } from 'ssh2'

export interface TestSshServer {
  port: number
  /** How many channels were forwarded so far. */
  forwarded(): number
  /** Every forwarded destination, `host:port`, in order. */
  destinations(): string[]
  close(): Promise<void>
}

export const SSH_LOGIN = { user: 'zoo', auth: 'password', password: 'pw' } as const

export async function startSshServer(): Promise<TestSshServer> {
  const destinations: string[] = []
  const ssh = new SshServer({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (client) => {
    client.on('error', () => {})
    client.on('authentication', (context) =>
      context.method === 'password' && context.username === SSH_LOGIN.user && context.password === SSH_LOGIN.password ? context.accept() : context.reject(['password']),
    )
    client.on('tcpip', (accept, _reject, info) => {
      destinations.push(`${info.destIP}:${info.destPort}`)
      const stream = accept()
      const socket = createConnection({ host: info.destIP, port: info.destPort })
      stream.pipe(socket).pipe(stream)
      socket.on('error', () => stream.destroy())
      stream.on('error', () => socket.destroy())
      stream.on('close', () => socket.destroy())
    })
  })
  await new Promise<void>((resolve) => ssh.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (ssh.address() as AddressInfo).port,
    forwarded: () => destinations.length,
    destinations: () => [...destinations],
    close: () => new Promise<void>((resolve) => ssh.close(() => resolve())),
  }
}
