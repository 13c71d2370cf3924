// Parsers for srvr, mntr and the AdminServer's monitor/srvr JSON, into the fields the health view shows.
import type { MemberRole } from './types'

export interface ParsedFigures {
  role?: MemberRole
  zxid?: bigint
  latencyMinMs?: number
  latencyAvgMs?: number
  latencyMaxMs?: number
  outstandingRequests?: number
  connections?: number
  znodes?: number
  watches?: number
  ephemerals?: number
  dataSizeBytes?: number
  syncedFollowers?: number
  pendingSyncs?: number
  /** Cumulative counters (mntr zk_proposal_count, zk_commit_count): rates come from two rounds. */
  proposalCount?: number
  commitCount?: number
  /** Packets the member received from clients, four-letter words included (srvr `Received`, mntr zk_packets_received). */
  packetsReceived?: number
  /** How long the member has run (mntr zk_uptime, 3.6+): tells a restart from a slow round. */
  uptimeMs?: number
}

const ROLES: ReadonlyMap<string, MemberRole> = new Map([
  ['leader', 'leader'],
  ['follower', 'follower'],
  ['observer', 'observer'],
  ['standalone', 'standalone'],
  ['read-only', 'read-only'],
  ['readonly', 'read-only'],
])

function role(text: string | undefined): MemberRole | undefined {
  return text === undefined ? undefined : (ROLES.get(text.trim().toLowerCase()) ?? 'not-serving')
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text.trim())
  return Number.isFinite(value) ? value : undefined
}

/** `srvr` text: `Latency min/avg/max: 0/0.1/3`, `Outstanding: 0`, `Zxid: 0x10000000a`, `Mode: follower`, … */
export function parseSrvr(text: string): ParsedFigures {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  const figures: ParsedFigures = {}
  const latency = fields.get('Latency min/avg/max')?.split('/')
  if (latency !== undefined && latency.length === 3) {
    figures.latencyMinMs = number(latency[0])
    figures.latencyAvgMs = number(latency[1])
    figures.latencyMaxMs = number(latency[2])
  }
  figures.connections = number(fields.get('Connections'))
  figures.outstandingRequests = number(fields.get('Outstanding'))
  figures.znodes = number(fields.get('Node count'))
  figures.packetsReceived = number(fields.get('Received'))
  const zxid = fields.get('Zxid')
  if (zxid !== undefined && /^0x[0-9a-fA-F]+$/.test(zxid)) figures.zxid = BigInt(zxid)
  figures.role = role(fields.get('Mode'))
  return figures
}

/** `mntr` text: `zk_key<TAB>value` lines. */
export function parseMntr(text: string): ParsedFigures {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t')
    if (tab > 0) fields.set(line.slice(0, tab), line.slice(tab + 1))
  }
  return figuresFromMonitorKeys((key) => fields.get(`zk_${key}`))
}

/** The AdminServer's `monitor` command: the mntr keys without `zk_`, as JSON. */
export function parseAdminMonitor(json: Record<string, unknown>): ParsedFigures {
  return figuresFromMonitorKeys((key) => {
    const value = json[key]
    return value === undefined || value === null ? undefined : String(value)
  })
}

function figuresFromMonitorKeys(get: (key: string) => string | undefined): ParsedFigures {
  return {
    role: role(get('server_state')),
    latencyMinMs: number(get('min_latency')),
    latencyAvgMs: number(get('avg_latency')),
    latencyMaxMs: number(get('max_latency')),
    outstandingRequests: number(get('outstanding_requests')),
    connections: number(get('num_alive_connections')),
    znodes: number(get('znode_count')),
    watches: number(get('watch_count')),
    ephemerals: number(get('ephemerals_count')),
    dataSizeBytes: number(get('approximate_data_size')),
    syncedFollowers: number(get('synced_followers')),
    pendingSyncs: number(get('pending_syncs')),
    proposalCount: number(get('proposal_count')),
    commitCount: number(get('commit_count')),
    packetsReceived: number(get('packets_received')),
    uptimeMs: number(get('uptime')),
  }
}

/** The AdminServer's `srvr` command: server_stats.last_processed_zxid and server_state. */
export function parseAdminSrvr(json: Record<string, unknown>): ParsedFigures {
  const stats = json['server_stats']
  if (stats === null || typeof stats !== 'object') return {}
  const record = stats as Record<string, unknown>
  const zxid = record['last_processed_zxid']
  const figures: ParsedFigures = { role: role(typeof record['server_state'] === 'string' ? record['server_state'] : undefined) }
  if (typeof zxid === 'number' && Number.isSafeInteger(zxid)) figures.zxid = BigInt.asUintN(64, BigInt(zxid))
  return figures
}
