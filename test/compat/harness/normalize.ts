// Makes Apache's and ZooDesk's observations comparable with toEqual: values that legitimately
// differ between two runs (zxids, session ids, wall-clock times) become placeholders, while
// what must match (which values are equal, and their order) is kept.
import type { Json } from './json'

export type VolatileKind = 'zxid' | 'session' | 'time'

export interface NormalizeOptions {
  /** Leave these kinds untouched, e.g. ['zxid'] to compare exact zxids. */
  keep?: readonly VolatileKind[]
  /** More object keys holding zxids / session ids / times, besides the defaults below. */
  zxidKeys?: readonly string[]
  sessionKeys?: readonly string[]
  timeKeys?: readonly string[]
}

const ZXID_KEYS = ['czxid', 'mzxid', 'pzxid', 'zxid', 'lastZxid', 'last_zxid', 'lastProcessedZxid']
const SESSION_KEYS = ['ephemeralOwner', 'sessionId', 'session_id']
const TIME_KEYS = ['ctime', 'mtime']

/** Volatile values inside text: zkCli's `stat` and `get -s`, 4lw srvr/stat/cons. */
const TEXT_RULES: readonly { re: RegExp; kind: VolatileKind }[] = [
  { re: /\b([cmp]Zxid = )(0x[0-9a-f]+)/g, kind: 'zxid' },
  { re: /\b(ephemeralOwner = )(0x[0-9a-f]+)/g, kind: 'session' },
  { re: /\b([cm]time = )([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ \d{4})/g, kind: 'time' },
  { re: /^(Zxid: )(0x[0-9a-f]+)/gm, kind: 'zxid' },
  { re: /\b(lzxid=)(0x[0-9a-f]+)/g, kind: 'zxid' },
  { re: /\b(sid=)(0x[0-9a-f]+)/g, kind: 'session' },
]

/**
 * Zxids and session ids become `Z1, Z2, …` and `S1, S2, …` by numeric rank over the whole
 * list, so equal values stay equal and their order is still checked; 0 (no zxid, no owner)
 * and negative values are kept. Non-zero times become `<time>` (milliseconds differ between
 * runs; only their presence is compared). The same value is recognised whether it appears as
 * a number, a decimal string or `0x…` text, so kazoo, node-zookeeper-client and zkCli
 * observations of one scenario share placeholders.
 *
 * Input is anything JSON-serialisable; it is round-tripped through JSON first (so Buffers,
 * undefined fields and class instances compare as their JSON forms).
 */
export function normalize(observations: readonly unknown[], options: NormalizeOptions = {}): Json[] {
  const plain = JSON.parse(JSON.stringify(observations)) as Json[]
  const keep = new Set(options.keep ?? [])
  const keyKinds = new Map<string, VolatileKind>()
  for (const key of [...ZXID_KEYS, ...(options.zxidKeys ?? [])]) keyKinds.set(key, 'zxid')
  for (const key of [...SESSION_KEYS, ...(options.sessionKeys ?? [])]) keyKinds.set(key, 'session')
  for (const key of [...TIME_KEYS, ...(options.timeKeys ?? [])]) keyKinds.set(key, 'time')

  const seen: Record<'zxid' | 'session', Set<bigint>> = { zxid: new Set(), session: new Set() }
  const collect = (kind: VolatileKind, value: bigint): void => {
    if (kind !== 'time' && value > 0n) seen[kind].add(value)
  }
  walk(plain, undefined, keyKinds, keep, (kind, value) => {
    collect(kind, value)
    return null
  })

  const labels: Record<'zxid' | 'session', Map<bigint, string>> = {
    zxid: rankLabels(seen.zxid, 'Z'),
    session: rankLabels(seen.session, 'S'),
  }
  return walk(plain, undefined, keyKinds, keep, (kind, value) => {
    if (value <= 0n) return null // keep 0 / -1 as they are
    return kind === 'time' ? '<time>' : (labels[kind].get(value) ?? null)
  }) as Json[]
}

function rankLabels(values: Set<bigint>, prefix: string): Map<bigint, string> {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return new Map(sorted.map((value, i) => [value, `${prefix}${i + 1}`]))
}

/** Parses a number, a decimal string or `0x…` as a 64-bit value. */
function asBigInt(value: Json): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value)
  if (typeof value === 'string' && /^(-?\d+|0x[0-9a-fA-F]+)$/.test(value)) return BigInt(value)
  return undefined
}

/**
 * Rebuilds `value`, offering each volatile value to `replace` (null = keep). Volatile values
 * are those under a known key, and those matched by TEXT_RULES inside strings.
 */
function walk(
  value: Json,
  key: string | undefined,
  keyKinds: ReadonlyMap<string, VolatileKind>,
  keep: ReadonlySet<VolatileKind>,
  replace: (kind: VolatileKind, value: bigint) => string | null,
): Json {
  if (Array.isArray(value)) return value.map((item) => walk(item, key, keyKinds, keep, replace))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k, keyKinds, keep, replace)
    return out
  }
  const kind = key === undefined ? undefined : keyKinds.get(key)
  if (kind !== undefined && !keep.has(kind)) {
    const big = asBigInt(value)
    if (big !== undefined) return replace(kind, big) ?? value
  }
  if (typeof value === 'string') return normalizeText(value, keep, replace)
  return value
}

/**
 * An ensemble member's membership lines (`server.N=host:quorumPort:electionPort:type`, in /zookeeper/config, zkCli's
 * `config`, `conf`): the harness picks the ports, so they become `<port>`.
 */
const MEMBERSHIP_PORTS = /\b(server\.\d+=[^:\s]+):\d+:\d+/g

function normalizeText(
  text: string,
  keep: ReadonlySet<VolatileKind>,
  replace: (kind: VolatileKind, value: bigint) => string | null,
): string {
  let out = text.replace(MEMBERSHIP_PORTS, '$1:<port>:<port>')
  for (const rule of TEXT_RULES) {
    if (keep.has(rule.kind)) continue
    out = out.replace(rule.re, (whole, prefix: string, raw: string) => {
      // A time's text is a Java Date: only "is it the epoch" (ctime 0, as on /) matters.
      const value = rule.kind === 'time' ? (/^Thu Jan 01 00:00:00 \S+ 1970$/.test(raw) ? 0n : 1n) : BigInt(raw)
      const label = replace(rule.kind, value)
      return label === null ? whole : prefix + label
    })
  }
  return out
}
