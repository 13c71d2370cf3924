import { ErrorCode, KeeperException, type ZooKeeperClient } from '../../../engine/client'
import { createQuota, deleteQuota } from '../../../engine/shell/commands/quota-commands'
import type { CommandIo } from '../../../engine/shell/commands/command'
import { IllegalArgumentError, JavaKeeperError, JavaRuntimeError } from '../../../engine/shell/errors'
import { LIMIT_NODE, QUOTA_ROOT, STAT_NODE, StatsTrack, limitPath, statPath } from '../../../engine/shell/stats-track'
import { ShellZk } from '../../../engine/shell/zk'
import type { ParsedArgs } from '../../contract/contract'
import type { QuotaView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { AuditLog } from '../audit-log'
import type { Connections } from '../connections/connections'
import { quotaView } from './quota-view'

/** Quota trees are small; this bounds a walk of a damaged or hostile /zookeeper/quota. */
const MAX_QUOTA_NODES = 20_000
const CONNECT_WAIT_MS = 10_000

/**
 * Quotas of any connection, kept where zkCli keeps them (/zookeeper/quota<path>/zookeeper_limits and
 * zookeeper_stats). Setting and deleting run zkCli's own setquota / delquota logic (engine/shell), so other tools
 * and the server read exactly what Java's zkCli would have written; listing walks the quota tree.
 */
export class Quotas {
  constructor(
    private readonly connections: Connections,
    private readonly audit: AuditLog,
  ) {}

  private record(connectionId: string, operation: string, path: string, detail: string): void {
    const connection = this.connections.get(connectionId)
    this.audit.record({ connectionId, connectionName: connection.name, operation, path, oldVersion: null, newVersion: null, detail })
  }

  async list(connectionId: string): Promise<QuotaView[]> {
    const client = this.connections.get(connectionId).client
    const quotas: QuotaView[] = []
    const pending = [QUOTA_ROOT]
    let visited = 0
    while (pending.length > 0 && visited < MAX_QUOTA_NODES) {
      const node = pending.pop()!
      visited++
      let children: string[]
      try {
        children = await client.getChildren(node)
      } catch (error) {
        if (error instanceof KeeperException && error.code === ErrorCode.NONODE) continue
        throw error
      }
      if (children.includes(LIMIT_NODE)) {
        const path = node.slice(QUOTA_ROOT.length)
        quotas.push(quotaView(path, await readText(client, limitPath(path)), await readText(client, statPath(path))))
      }
      for (const child of children) if (child !== LIMIT_NODE && child !== STAT_NODE) pending.push(`${node}/${child}`)
    }
    return quotas.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /** Sets the given limits (others stay as they are), as `setquota -n/-b/-N/-B`; returns zkCli's warnings too. */
  async set(args: ParsedArgs<'quotas.set'>): Promise<{ quota: QuotaView; warnings: string[] }> {
    const client = this.connections.writable(args.connectionId).client
    if (args.path.startsWith(QUOTA_ROOT)) throw fail.badArguments('path', `cannot set a quota under the path: ${QUOTA_ROOT}`)
    const quota = new StatsTrack()
    quota.count = BigInt(args.count ?? -1)
    quota.bytes = BigInt(args.bytes ?? -1)
    quota.countHardLimit = BigInt(args.countHard ?? -1)
    quota.byteHardLimit = BigInt(args.bytesHard ?? -1)
    const { io, warnings } = shellIo(client)
    await runShell(() => createQuota(io, args.path, quota))
    this.record(args.connectionId, 'setquota', args.path, quota.toString())
    const view = quotaView(args.path, await readText(client, limitPath(args.path)), await readText(client, statPath(args.path)))
    return { quota: view, warnings }
  }

  /** Without `limits` removes the quota (as `delquota path`); with them resets those limits (`delquota -n …`). */
  async delete(args: ParsedArgs<'quotas.delete'>): Promise<{ deleted: boolean }> {
    const client = this.connections.writable(args.connectionId).client
    if ((await client.exists(limitPath(args.path))) === null) return { deleted: false }
    const flagOf = { count: 'n', bytes: 'b', countHard: 'N', bytesHard: 'B' } as const
    const { io } = shellIo(client)
    await runShell(() => deleteQuota(io, args.path, (args.limits ?? []).map((limit) => flagOf[limit])))
    this.record(args.connectionId, 'delquota', args.path, (args.limits ?? []).join(',') || 'all')
    return { deleted: true }
  }
}

async function readText(client: ZooKeeperClient, path: string): Promise<string> {
  try {
    return (await client.getData(path)).data?.toString('utf8') ?? ''
  } catch (error) {
    if (error instanceof KeeperException && error.code === ErrorCode.NONODE) return ''
    throw error
  }
}

/** zkCli's streams for a command run on the connection's session: stdout lines are its warnings. */
function shellIo(client: ZooKeeperClient): { io: CommandIo; warnings: string[] } {
  const warnings: string[] = []
  const zk = new ShellZk(client, () => {}, CONNECT_WAIT_MS)
  const io: CommandIo = {
    zk,
    println: (text) => warnings.push(text),
    print: (text) => warnings.push(text),
    eprintln: (text) => warnings.push(text),
  }
  return { io, warnings }
}

/** zkCli's failures as contract errors: refusals of setquota (no node, a parent/child quota) are CONFLICTs. */
async function runShell(run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    if (error instanceof JavaKeeperError) throw new KeeperException(error.code, error.path)
    if (error instanceof IllegalArgumentError || error instanceof JavaRuntimeError) throw fail.conflict(error.message.replace(/^java\.lang\.\w+: /, ''))
    throw error
  }
}
