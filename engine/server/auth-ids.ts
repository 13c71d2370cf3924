import type { ClientInfo, Id } from '../proto'
import { digestOfAuth } from '../tree/auth-providers'

/**
 * A connection's auth ids, kept in the order Apache's `ConcurrentHashMap`-backed set iterates them, because whoAmI
 * (and zkCli's `whoami`) lists them in that order: by hash bucket, then insertion order within a bucket.
 */
export class AuthIdSet {
  private ids: Id[] = []

  constructor(initial: readonly Id[] = []) {
    for (const id of initial) this.add(id)
  }

  has(id: Id): boolean {
    return this.ids.some((held) => held.scheme === id.scheme && held.id === id.id)
  }

  add(id: Id): void {
    if (this.has(id)) return
    this.ids.push(id)
    const buckets = tableSize(this.ids.length)
    // Stable sort: insertion order survives within a bucket.
    this.ids = this.ids
      .map((held, order) => ({ held, order, bucket: spread(idHash(held)) & (buckets - 1) }))
      .sort((a, b) => a.bucket - b.bucket || a.order - b.order)
      .map((entry) => entry.held)
  }

  /** A snapshot for one request: later auth packets must not change what an earlier request was checked with. */
  list(): readonly Id[] {
    return this.ids
  }
}

/** Java's `String.hashCode` over UTF-16 code units. */
export function javaStringHash(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0
  return hash
}

/** The jute-generated `Id.hashCode`. */
function idHash(id: Id): number {
  let result = 17
  result = (Math.imul(37, result) + javaStringHash(id.scheme)) | 0
  return (Math.imul(37, result) + javaStringHash(id.id)) | 0
}

function spread(hash: number): number {
  return (hash ^ (hash >>> 16)) & 0x7fffffff
}

/** ConcurrentHashMap starts with 16 bins and doubles when more than three quarters are used. */
function tableSize(count: number): number {
  let size = 16
  while (count > (size * 3) / 4) size *= 2
  return size
}

/** `AuthUtil.getClientInfos`: the user is what the scheme's provider calls the user; unknown schemes give "". */
export function clientInfos(ids: readonly Id[]): ClientInfo[] {
  return ids.map((id) => ({ authScheme: id.scheme, user: userOf(id) }))
}

function userOf(id: Id): string {
  switch (id.scheme) {
    case 'digest':
      return id.id.split(':')[0] ?? ''
    case 'ip':
      return id.id
    default:
      return ''
  }
}

/** The result of an auth packet: ids to add, or failure (reply AUTHFAILED and close). */
export function authenticate(
  scheme: string,
  credentials: Buffer | null,
  remoteAddress: string,
  superDigest: string | undefined,
): Id[] | undefined {
  switch (scheme) {
    case 'digest': {
      const id = digestOfAuth((credentials ?? Buffer.alloc(0)).toString('utf8'))
      return id === superDigest ? [{ scheme: 'super', id: '' }, { scheme: 'digest', id }] : [{ scheme: 'digest', id }]
    }
    case 'ip':
      return [{ scheme: 'ip', id: remoteAddress }]
    default:
      return undefined
  }
}
