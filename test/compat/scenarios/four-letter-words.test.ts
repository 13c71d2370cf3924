// Four-letter words and the AdminServer (reference §5): each output is reduced to what must
// match — line formats, key sets in order, value types, and the values that follow from the
// server's state (znode, session, watch and connection counts) — while what legitimately
// differs (version string, latencies, uptime, addresses, paths, clocks, JVM vs Node
// environment values) becomes a type placeholder. All words are whitelisted here; Apache's
// default whitelist is the subject of four-letter-whitelist.test.ts.
import { describe } from 'vitest'
import { CreateRequest, GetDataRequest } from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { compatTopology } from '../harness/ensemble'
import { pairTest, useServerPair } from '../harness/pair'
import { rawSession } from '../harness/raw'
import type { RawConnection } from '../harness/raw'
import { fourLetter } from '../harness/servers'
import type { TestServer } from '../harness/servers'

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]

/** The type of a 4lw value as Apache prints it: Java long, Java double, or text. */
function valueType(value: string): string {
  if (/^-?\d+$/.test(value)) return '<int>'
  if (/^-?\d+\.\d+(E-?\d+)?$/.test(value) || value === 'NaN' || value === 'Infinity') return '<double>'
  return '<text>'
}

const VERSION_RE = /^\d+\.\d+\.\d+-\S+, built on \d{4}-\d\d-\d\d \d\d:\d\d \S+$/

/** Session ids inside free text become `sid=0x…`, which the normalizer ranks like any session id. */
function markSessionIds(text: string): string {
  return text.replace(/(^|[^=\w])(0x[0-9a-f]{9,16})\b/gm, '$1sid=$2')
}

/** srvr / stat text: values that vary become their type; counts that follow from state stay. */
function normalizeServerText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const version = /^Zookeeper version: (.*)$/.exec(line)
      if (version !== null) return `Zookeeper version: ${VERSION_RE.test(version[1] ?? '') ? '<version>' : `UNEXPECTED ${version[1]}`}`
      const latency = /^Latency min\/avg\/max: (\S+)\/(\S+)\/(\S+)$/.exec(line)
      if (latency !== null) return `Latency min/avg/max: ${valueType(latency[1] ?? '')}/${valueType(latency[2] ?? '')}/${valueType(latency[3] ?? '')}`
      const counter = /^(Received|Sent): (\S+)$/.exec(line)
      if (counter !== null) return `${counter[1]}: ${valueType(counter[2] ?? '')}`
      // A leader's proposal sizes stay as they are: both leaders' PROPOSALs carry the same txns with a TxnDigest each.
      return normalizeConnectionLine(line)
    })
    .join('\n')
}

/**
 * A stat/cons connection line: the address and the clocks become placeholders; interest ops,
 * queue and packet counts, session id, last op, timeout, cxid and zxid stay.
 */
function normalizeConnectionLine(line: string): string {
  const m = /^ \/[\d.]+:\d+\[(\d+)\]\((.*)\)$/.exec(line)
  if (m === null) return line
  const fields = (m[2] ?? '').split(',').map((field) => {
    const [key, value = ''] = field.split('=')
    switch (key) {
      case 'est':
      case 'lresp':
        return `${key}=<clock>`
      case 'llat':
      case 'minlat':
      case 'avglat':
      case 'maxlat':
        return `${key}=${valueType(value)}`
      default:
        return field
    }
  })
  return ` <addr>[${m[1]}](${fields.join(',')})`
}

/** Connection lines in a stable order (Apache lists them in hash order). */
function sortConnectionBlock(text: string): string {
  const lines = text.split('\n')
  const first = lines.findIndex((l) => l.startsWith(' <addr>'))
  if (first === -1) return text
  let end = first
  while (end < lines.length && (lines[end] ?? '').startsWith(' <addr>')) end++
  return [...lines.slice(0, first), ...lines.slice(first, end).sort(), ...lines.slice(end)].join('\n')
}

/** mntr: keys in order with value types; values that follow from state kept. */
const MNTR_STATE_KEYS = new Set([
  'zk_server_state',
  'zk_ephemerals_count',
  'zk_num_alive_connections',
  'zk_outstanding_requests',
  'zk_znode_count',
  'zk_global_sessions',
  'zk_local_sessions',
  'zk_watch_count',
  'zk_approximate_data_size',
  'zk_connection_drop_probability',
  'zk_auth_failed_count',
  'zk_max_file_descriptor_count',
])

function normalizeMntr(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const [key = '', value = ''] = line.split('\t')
      if (key === 'zk_version') return `${key}\t${VERSION_RE.test(value) ? '<version>' : `UNEXPECTED ${value}`}`
      return `${key}\t${MNTR_STATE_KEYS.has(key) ? value : valueType(value)}`
    })
}

/** A JSON value reduced to its shape: objects keep their (sorted) keys, leaves their type. */
function shape(value: unknown, keep: ReadonlySet<string> = new Set(), key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => shape(v, keep, key))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) out[k] = shape((value as Record<string, unknown>)[k], keep, k)
    return out
  }
  if (keep.has(key)) return value
  return value === null ? null : `<${typeof value}>`
}

/**
 * GET /commands/<cmd> and parse it keeping 64-bit numbers exact: integers of 16+ digits (session
 * ids) become decimal strings, as a JavaScript number would round them.
 */
async function adminJson(server: TestServer, cmd: string, params: Record<string, string> = {}): Promise<unknown> {
  const query = new URLSearchParams(params).toString()
  const response = await fetch(`http://${server.host}:${server.adminPort ?? 0}/commands/${cmd}${query === '' ? '' : `?${query}`}`, { signal: AbortSignal.timeout(5000) })
  const text = await response.text()
  return { status: response.status, contentType: response.headers.get('content-type'), body: JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"')) as unknown }
}

/** {id: value} keyed by session id → [{session_id, value}] sorted by id, so ids can be normalized. */
function bySession(map: unknown, valueKey: string): unknown[] {
  return Object.entries((map ?? {}) as Record<string, unknown>)
    .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))
    .map(([id, value]) => ({ session_id: id, [valueKey]: Array.isArray(value) ? [...(value as string[])].sort() : value }))
}

/**
 * wchc / wchp text: blocks (a header line, then tab-indented lines) in a stable order: each
 * block's lines sorted, and the blocks themselves too unless `sortBlocksToo` is false.
 */
function sortBlocks(text: string, sortBlocksToo = true): string {
  const blocks: string[][] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('\t')) blocks.at(-1)?.push(line)
    else blocks.push([line])
  }
  const sorted = blocks.map(([head = '', ...rest]) => [head, ...rest.sort()].join('\n'))
  return (sortBlocksToo ? sorted.sort() : sorted).join('\n') + '\n'
}

async function closeSession(conn: RawConnection): Promise<void> {
  await conn.request(-11)
  await conn.waitClosed(2000)
  conn.destroy()
}

/** Two sessions with ephemerals and watches: a state every 4lw can describe. */
async function populate(server: TestServer, prefix: string): Promise<RawConnection[]> {
  const { conn: a } = await rawSession(server.connectString, { timeOut: 30_000 })
  const { conn: b } = await rawSession(server.connectString, { timeOut: 60_000 })
  await a.call(1, CreateRequest, { path: prefix, data: Buffer.from('data'), acl: OPEN, flags: 0 })
  await a.call(1, CreateRequest, { path: `${prefix}/ea`, data: null, acl: OPEN, flags: 1 })
  await b.call(1, CreateRequest, { path: `${prefix}/eb`, data: null, acl: OPEN, flags: 1 })
  await a.call(4, GetDataRequest, { path: prefix, watch: true })
  await a.call(8, GetDataRequest, { path: prefix, watch: true })
  await b.call(4, GetDataRequest, { path: `${prefix}/ea`, watch: true })
  await b.call(3, GetDataRequest, { path: `${prefix}/absent`, watch: true })
  return [a, b]
}

describe('four-letter words and the AdminServer', () => {
  // A long tick makes it unlikely that one session's requests straddle two expiry buckets.
  const pair = useServerPair('4lw', { admin: true, tickTime: 10_000 })
  const word = (server: TestServer, cmd: string, payload?: Buffer): Promise<string> =>
    fourLetter(server.host, server.port, cmd, payload === undefined ? {} : { payload })
  const admin = async (server: TestServer, cmd: string, params: Record<string, string> = {}): Promise<unknown> =>
    ((await adminJson(server, cmd, params)) as { body: unknown }).body

  // First in the file: the server has had no session yet, so every expiry bucket is this
  // test's own. Apache keeps a bucket, emptied, until its time comes (ExpiryQueue removes a
  // session from its old set but drops the set only when the expirer polls it), so `dump`
  // shows "0 expire at" lines for a closed session's bucket.
  pairTest(pair, 'dump and AdminServer dump, before and after a session closes', async (server) => {
    const normalizeDump = async (): Promise<string> => {
      const text = markSessionIds(await word(server, 'dump'))
        .replace(/expire at [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ \d{4}:/g, 'expire at <date>:')
        .replace(/ip: \/[\d.]+:\d+/g, 'ip: <addr>')
      // Apache lists sessions with ephemerals in the hash order of their (random) ids, and a
      // bucket's connections in identity-hash order: sort those sections' blocks.
      const [head = '', rest = ''] = text.split('Sessions with Ephemerals ')
      const [ephemerals = '', connections = ''] = rest.split('Connections dump:\n')
      const [countLine = '', ...ephemeralLines] = ephemerals.split('\n')
      // Connection buckets emptied by closed connections linger too, among them those of the
      // harness's start-up probes while they are younger than 10 s: their number depends on
      // timing, so empty connection buckets are left out of the comparison.
      const [rawConnHeader = '', ...allConnLines] = connections.split('\n')
      const connHeader = rawConnHeader.replace(/^Connections Sets \(\d+\)/, 'Connections Sets (<buckets>)')
      const connLines = allConnLines.filter((line) => line !== '0 expire at <date>:')
      // Session buckets emptied by touches linger the same way (a leader moves sessions on every learner ping):
      // empty ones are left out, and the bucket count with them.
      const sessionHead = head
        .replace(/^Session Sets \(\d+\)/m, 'Session Sets (<buckets>)')
        .split('\n')
        .filter((line) => line !== '0 expire at <date>:')
        .join('\n')
      return [
        `${sessionHead}Sessions with Ephemerals ${countLine}`,
        sortBlocks(ephemeralLines.join('\n')).replace(/\n$/, ''),
        'Connections dump:',
        connHeader,
        sortBlocks(connLines.join('\n'), false).replace(/\n$/, ''),
      ].join('\n')
    }
    const adminDump = async (): Promise<unknown> => {
      const json = (await admin(server, 'dump')) as { expiry_time_to_session_ids?: Record<string, string[]>; session_id_to_ephemeral_paths?: unknown }
      return {
        // Bucket times come from each server's own monotonic clock: their order and contents matter.
        buckets: Object.entries(json.expiry_time_to_session_ids ?? {})
          .sort(([a], [b]) => Number(a) - Number(b))
          .filter(([, ids]) => ids.length > 0)
          .map(([, ids]) => ({ session_ids: [...ids].sort() })),
        ephemerals: bySession(json.session_id_to_ephemeral_paths, 'paths'),
        keys: Object.keys(json as object),
      }
    }
    const [a, b] = await populate(server, '/fl-dump')
    const out: unknown[] = [await normalizeDump(), await adminDump()]
    if (a !== undefined) await closeSession(a)
    out.push(await normalizeDump(), await adminDump())
    if (b !== undefined) await closeSession(b)
    return out
  }, { normalize: { sessionKeys: ['session_ids'] } })

  pairTest(pair, 'ruok, isro, gtmk, stmk, and a word nobody knows', async (server) => {
    const mask = Buffer.alloc(8)
    mask.writeBigInt64BE(0x1ffn)
    const out = [await word(server, 'ruok'), await word(server, 'isro'), await word(server, 'gtmk'), await word(server, 'stmk', mask), await word(server, 'gtmk')]
    mask.writeBigInt64BE(306n)
    out.push(await word(server, 'stmk', mask), await word(server, 'xxxx'), await word(server, 'RUOK'))
    return out
  })

  pairTest(pair, 'srvr and stat: lines, counts and client list', async (server) => {
    const sessions = await populate(server, '/fl-srvr')
    const out = [normalizeServerText(await word(server, 'srvr')), sortConnectionBlock(normalizeServerText(await word(server, 'stat')))]
    for (const s of sessions) await closeSession(s)
    out.push(normalizeServerText(await word(server, 'srvr')))
    return out
  })

  pairTest(pair, 'mntr and AdminServer monitor: the same keys in the same order, value types, state values', async (server) => {
    const sessions = await populate(server, '/fl-mntr')
    const mntr = normalizeMntr(await word(server, 'mntr'))
    const monitor = await admin(server, 'monitor')
    for (const s of sessions) await closeSession(s)
    const keep = new Set([...MNTR_STATE_KEYS].map((k) => k.slice(3)).concat(['command', 'error']))
    return [mntr, shape(monitor, keep)]
  })

  pairTest(pair, 'conf and AdminServer configuration', async (server) => {
    const conf = (await word(server, 'conf'))
      .split('\n')
      .map((line) =>
        line
          .replace(/^(clientPort|dataDir|dataLogDir|electionPort|quorumPort)=.*$/, '$1=<local>')
          .replace(/^(dataDirSize|dataLogSize)=(.*)$/, (_m, k: string, v: string) => `${k}=${valueType(v)}`)
          // An ensemble member's membership lines: the harness picks the quorum and election ports.
          .replace(/^(server\.\d+=[^:]+):\d+:\d+/, '$1:<port>:<port>'),
      )
    const configuration = await admin(server, 'configuration')
    return [conf, shape(configuration, new Set(['tick_time', 'max_client_cnxns', 'min_session_timeout', 'max_session_timeout', 'server_id', 'client_port_listen_backlog', 'command', 'error']))]
  })

  pairTest(pair, 'cons, crst and AdminServer connections and connection_stat_reset', async (server) => {
    const sessions = await populate(server, '/fl-cons')
    const out: unknown[] = [sortConnectionBlock((await word(server, 'cons')).split('\n').map(normalizeConnectionLine).join('\n'))]
    const connections = shape(await admin(server, 'connections'), new Set(['interest_ops', 'outstanding_requests', 'packets_received', 'packets_sent', 'last_operation', 'session_timeout', 'last_cxid', 'session_id', 'last_zxid', 'command', 'error'])) as { connections?: unknown[] }
    // Apache lists connections in hash order.
    connections.connections?.sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1))
    out.push(connections)
    out.push(await word(server, 'crst'))
    out.push(sortConnectionBlock((await word(server, 'cons')).split('\n').map(normalizeConnectionLine).join('\n')))
    out.push(await admin(server, 'connection_stat_reset'))
    for (const s of sessions) await closeSession(s)
    return out
  }, { normalize: { sessionKeys: ['session_id'], zxidKeys: ['last_zxid'] } })

  pairTest(pair, 'srst, and AdminServer server_stats, stats and stat_reset', async (server) => {
    const sessions = await populate(server, '/fl-srst')
    const keep = new Set(['read_only', 'server_state', 'outstanding_requests', 'num_alive_client_connections', 'node_count', 'provider_null', 'command', 'error'])
    const out: unknown[] = [shape(await admin(server, 'server_stats'), keep), shape(await admin(server, 'stats'), keep)]
    out.push(await word(server, 'srst'))
    out.push(normalizeServerText(await word(server, 'srvr')))
    out.push(shape(await admin(server, 'stat_reset'), keep))
    for (const s of sessions) await closeSession(s)
    return out
  })

  pairTest(pair, 'envi and AdminServer environment: the same keys', async (server) => {
    const envi = (await word(server, 'envi')).split('\n').map((line) => line.replace(/=.*$/, '=<value>'))
    return [envi, shape(await admin(server, 'environment'), new Set(['command', 'error']))]
  })

  pairTest(pair, 'wchs, wchc, wchp and AdminServer watch_summary, watches, watches_by_path', async (server) => {
    const sessions = await populate(server, '/fl-wch')
    const out: unknown[] = []
    out.push(await word(server, 'wchs'))
    // Apache prints sessions and paths in hash order.
    for (const cmd of ['wchc', 'wchp']) out.push(markSessionIds(sortBlocks(await word(server, cmd))))
    out.push(await admin(server, 'watch_summary'))
    const watches = (await admin(server, 'watches')) as { session_id_to_watched_paths?: unknown }
    out.push({ ...watches, session_id_to_watched_paths: bySession(watches.session_id_to_watched_paths, 'paths') })
    const byPath = (await admin(server, 'watches_by_path')) as { path_to_session_ids?: Record<string, string[]> }
    out.push({
      ...byPath,
      path_to_session_ids: Object.entries(byPath.path_to_session_ids ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([path, ids]) => ({ path, session_ids: ids })),
    })
    for (const s of sessions) await closeSession(s)
    out.push(await word(server, 'wchs'))
    return out
  }, { normalize: { sessionKeys: ['session_ids'] } })

  pairTest(pair, 'dirs, hash and the other AdminServer commands; unknown command; the /commands index', async (server) => {
    const dirs = (await word(server, 'dirs')).replace(/: \d+/g, ': <int>')
    const out: unknown[] = [dirs, await word(server, 'hash')]
    for (const cmd of ['dirs', 'hash', 'is_read_only', 'ruok', 'get_trace_mask', 'leader', 'observers', 'voting_view', 'zabstate', 'observer_connection_stat_reset', 'initial_configuration', 'no_such_command']) {
      out.push({ cmd, shape: shape(await admin(server, cmd), new Set(['command', 'error', 'read_only', 'tracemask', 'is_leader', 'voting', 'zabstate', 'synced_observers'])) })
    }
    // Aliases answer as their primary command.
    for (const cmd of ['mntr', 'srvr', 'stat', 'conf', 'config', 'cons', 'crst', 'srst', 'envi', 'env', 'wchc', 'wchp', 'wchs', 'isro', 'gtmk', 'lsnp', 'icfg', 'lead', 'obsr', 'orst', 'sysp']) {
      const body = (await admin(server, cmd)) as { command?: unknown; error?: unknown }
      out.push({ alias: cmd, command: body.command, error: body.error })
    }
    // Apache 3.8 writes snapshot.0 when it starts: the last snapshot is that one, taken just now.
    const snapshot = (await admin(server, 'last_snapshot')) as { zxid?: string; timestamp?: number }
    if (compatTopology() === 'standalone') {
      out.push({ lastSnapshot: { zxid: `0x${snapshot.zxid ?? ''}`, takenInTheLastHour: Math.abs((snapshot.timestamp ?? 0) - Date.now() / 1000) < 3600 } })
    } else {
      // An ensemble member's last snapshot depends on how it synced, which depends on when it reached the leader:
      // by DIFF before the leader was established (snapshot.0 of its start), or by SNAP after (a snapshot at the
      // epoch's first zxid, whose timestamp Apache reports as 0: it reads the file's mtime before renaming it into
      // place). Either is right on either server.
      out.push({ lastSnapshot: { zxid: /^(0|100000000)$/.test(snapshot.zxid ?? '') ? '0x0 or the epoch start' : `0x${snapshot.zxid ?? ''}` } })
    }
    out.push({ setTraceMask: await admin(server, 'set_trace_mask', { traceMask: '306' }) })
    const index = await fetch(`http://${server.host}:${server.adminPort ?? 0}/commands`)
    out.push({ indexStatus: index.status, indexBody: await index.text() })
    const missing = await fetch(`http://${server.host}:${server.adminPort ?? 0}/nothing-here`)
    out.push({ otherPathStatus: missing.status })
    return out
  })
})
