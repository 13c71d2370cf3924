import { ErrorCode, KeeperException, parseConnectString } from '../../../engine/client'
import { fourLetterWord } from '../../../engine/monitor/four-letter'
import type { ParsedArgs } from '../../contract/contract'
import type { EnsembleConfigView, ReconfigPreviewView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { AuditLog } from '../audit-log'
import type { Connections, OpenConnection } from '../connections/connections'
import { type EnsembleConfig, parseEnsembleConfig, previewReconfig, quorumOf } from './ensemble-config'

const SRVR_TIMEOUT_MS = 3_000
const RECONNECT_WAIT_MS = 30_000

/**
 * Dynamic reconfiguration of the ensemble a connection talks to: its config (/zookeeper/config), a preview of an
 * incremental change (joining / leaving) and applying it with the config version it was previewed against, so a
 * concurrent reconfig makes this one fail with BADVERSION instead of being silently combined.
 */
export class Reconfig {
  constructor(
    private readonly connections: Connections,
    private readonly audit: AuditLog,
  ) {}

  async config(connectionId: string): Promise<EnsembleConfigView> {
    const connection = this.connections.get(connectionId)
    const { text, config } = await this.read(connection)
    return { ...config, quorum: quorumOf(config.members), support: await this.support(connection), text }
  }

  async preview(args: ParsedArgs<'reconfig.preview'>): Promise<ReconfigPreviewView> {
    const { config } = await this.read(this.connections.get(args.connectionId))
    return previewReconfig(config, args.joining, args.leaving)
  }

  async apply(args: ParsedArgs<'reconfig.apply'>): Promise<EnsembleConfigView> {
    const connection = this.connections.writable(args.connectionId)
    const { config } = await this.read(connection)
    if (args.fromVersion !== undefined && args.fromVersion !== config.version) {
      throw fail.conflict(`the configuration changed since the preview (version ${args.fromVersion} → ${config.version ?? 'none'}): preview again`)
    }
    const preview = previewReconfig(config, args.joining, args.leaving)
    const problem = preview.problems[0]
    if (problem !== undefined) throw fail.badArguments('', `${problem.code}${problem.subject === '' ? '' : ` ${problem.subject}`}`)
    try {
      await connection.client.reconfig({
        ...(preview.joining === '' ? {} : { joining: preview.joining }),
        ...(preview.leaving === '' ? {} : { leaving: preview.leaving }),
        fromConfig: config.version === null ? -1n : BigInt(`0x${config.version}`),
      })
    } catch (error) {
      // Removing the leader (or the member we talk to) drops the connection before the answer: the outcome is only
      // known from the config once the client is back, so wait for it and answer with what the ensemble has now.
      if (!(error instanceof KeeperException && error.code === ErrorCode.CONNECTIONLOSS)) throw error
      await connection.client.waitForState(['CONNECTED', 'CONNECTEDREADONLY'], RECONNECT_WAIT_MS)
    }
    this.audit.record({
      connectionId: connection.id,
      connectionName: connection.name,
      operation: 'reconfig',
      path: '/zookeeper/config',
      oldVersion: null,
      newVersion: null,
      detail: `joining=${preview.joining} leaving=${preview.leaving} from version ${config.version ?? '-1'}`,
    })
    return this.config(args.connectionId)
  }

  private async read(connection: OpenConnection): Promise<{ text: string; config: EnsembleConfig }> {
    // sync first: /zookeeper/config on the member we talk to may lag a reconfig committed through another one.
    await connection.client.sync('/zookeeper/config').catch(() => {})
    const text = (await connection.client.getConfig()).data?.toString('utf8') ?? ''
    return { text, config: parseEnsembleConfig(text) }
  }

  /** Whether the member answers srvr as a ZooKeeper server (Apache's or ours); 'unknown' when it will not say. */
  private async support(connection: OpenConnection): Promise<EnsembleConfigView['support']> {
    const host = connection.client.connectedHost ?? parseConnectString(connection.effectiveConnectString).hosts[0]
    if (host === undefined) return 'unknown'
    try {
      const srvr = await fourLetterWord(host.host, host.port, 'srvr', SRVR_TIMEOUT_MS)
      return srvr.startsWith('Zookeeper version:') ? 'supported' : 'unknown'
    } catch {
      return 'unknown'
    }
  }
}
