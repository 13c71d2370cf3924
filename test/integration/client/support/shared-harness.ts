import { type ServerOptions, type TestServer, startApache, startZooDesk } from '../../../compat/harness/servers'
import type { EnsembleOptions, ServerFactory, TestEnsemble, TestMember } from './server-factory'

type Start = (options: ServerOptions) => Promise<TestServer>

/**
 * A standalone server from the shared harness (test/compat/harness), seen as a one-member TestEnsemble. Ensembles and
 * TLS go to `fallback` (the harness runs one plain server only); without a fallback they fail loudly.
 */
export function sharedHarnessFactory(name: string, start: Start, fallback?: ServerFactory): ServerFactory {
  return {
    name,
    async start(options: EnsembleOptions = {}): Promise<TestEnsemble> {
      if ((options.size ?? 1) > 1 || options.tls !== undefined) {
        if (fallback !== undefined) return fallback.start(options)
        throw new Error(`${name}: ensembles and TLS are not available from the shared harness yet`)
      }
      const config: Record<string, string> = { ...options.extraConfig }
      if (options.minSessionTimeoutMs !== undefined) config['minSessionTimeout'] = String(options.minSessionTimeoutMs)
      if (options.maxSessionTimeoutMs !== undefined) config['maxSessionTimeout'] = String(options.maxSessionTimeoutMs)
      const server = await start({
        name: 'client',
        tickTime: options.tickTimeMs ?? 500,
        config,
        systemProperties: { 'zookeeper.extendedTypesEnabled': 'true', ...options.systemProperties },
      })
      return new StandaloneEnsemble(server)
    },
  }
}

class StandaloneEnsemble implements TestEnsemble {
  readonly members: readonly TestMember[]

  constructor(private readonly server: TestServer) {
    this.members = [
      {
        id: 0,
        host: server.host,
        clientPort: server.port,
        quorumPort: 0,
        electionPort: 0,
        securePort: undefined,
      },
    ]
  }

  connectString(chroot = ''): string {
    return this.server.connectString + chroot
  }

  secureConnectString(): string {
    throw new Error('no secure client port on a shared-harness server')
  }

  memberIndexByPort(port: number): number {
    return port === this.server.port ? 0 : -1
  }

  async stopMember(): Promise<void> {
    await this.server.kill9()
  }

  async startMember(): Promise<void> {
    await this.server.restart()
  }

  async close(): Promise<void> {
    await this.server.stop()
  }
}

export const sharedApache = (fallback: ServerFactory): ServerFactory =>
  sharedHarnessFactory('apache-3.8.0', startApache, fallback)
export const sharedZooDesk: ServerFactory = sharedHarnessFactory('zoodesk', startZooDesk)
