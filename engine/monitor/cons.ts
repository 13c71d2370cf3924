// The `cons` four-letter word: one line per client connection of a member, with its session when it has one.
//   /127.0.0.1:47926[1](queued=0,recved=2,sent=2,sid=0x100013802a10000,lop=CREA,est=1795638725252,to=10000,
//   lcxid=0x1,lzxid=0x2,lresp=20449495,llat=86,minlat=0,avglat=72,maxlat=86)
// (Apache's ServerCnxn.dumpConnectionInfo; a connection still in its handshake has no sid and no figures after sent.)

/** One client connection as `cons` lists it. Figures the line does not carry are null. */
export interface ConsConnection {
  /** The client's address as the member sees it, `ip:port` (Java's `/ip:port` without the slash). */
  clientAddress: string
  /** The socket's interest ops, hex (1 read, 4 write). */
  interestOps: string
  queued: number | null
  received: number | null
  sent: number | null
  /** Null for a connection that has not finished its handshake. */
  sessionId: bigint | null
  /** Last operation, as Apache abbreviates it (CREA, GETD, PING, …). */
  lastOperation: string | null
  /** When the connection was established, wall-clock ms. */
  establishedMs: number | null
  /** The negotiated session timeout, ms. */
  timeoutMs: number | null
  lastCxid: bigint | null
  lastZxid: bigint | null
  lastLatencyMs: number | null
  minLatencyMs: number | null
  avgLatencyMs: number | null
  maxLatencyMs: number | null
}

const LINE = /^\s*(\S*)\[([0-9a-fA-F]+)\]\((.*)\)\s*$/

function count(text: string | undefined): number | null {
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return null
  return Number(text)
}

function hexValue(text: string | undefined): bigint | null {
  if (text === undefined || !/^0x[0-9a-fA-F]+$/.test(text)) return null
  // Apache prints negative longs (a session id with the top bit set) as their 64-bit two's complement.
  return BigInt.asUintN(64, BigInt(text))
}

/** `hostname/1.2.3.4:5` or `/1.2.3.4:5` → `1.2.3.4:5` (IPv6 kept as printed). */
function addressOf(text: string): string {
  const slash = text.indexOf('/')
  return slash < 0 ? text : text.slice(slash + 1)
}

/** Parses `cons` output; lines that are not connection lines (the blank last one) are skipped. */
export function parseCons(text: string): ConsConnection[] {
  const connections: ConsConnection[] = []
  for (const line of text.split('\n')) {
    const match = LINE.exec(line)
    if (match === null) continue
    const fields = new Map<string, string>()
    for (const pair of match[3]!.split(',')) {
      const equals = pair.indexOf('=')
      if (equals > 0) fields.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim())
    }
    connections.push({
      clientAddress: addressOf(match[1]!),
      interestOps: match[2]!,
      queued: count(fields.get('queued')),
      received: count(fields.get('recved')),
      sent: count(fields.get('sent')),
      sessionId: hexValue(fields.get('sid')),
      lastOperation: fields.get('lop') ?? null,
      establishedMs: count(fields.get('est')),
      timeoutMs: count(fields.get('to')),
      lastCxid: hexValue(fields.get('lcxid')),
      lastZxid: hexValue(fields.get('lzxid')),
      lastLatencyMs: count(fields.get('llat')),
      minLatencyMs: count(fields.get('minlat')),
      avgLatencyMs: count(fields.get('avglat')),
      maxLatencyMs: count(fields.get('maxlat')),
    })
  }
  return connections
}
