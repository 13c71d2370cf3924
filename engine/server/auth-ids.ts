import type { ClientInfo, Id } from '../proto'
import { digestOfAuth } from '../tree/auth-providers'
import { javaIdHashBucket, javaTableSize } from '../tree/java-hash'

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
    const buckets = javaTableSize(this.ids.length)
    // Stable sort: insertion order survives within a bucket.
    this.ids = this.ids
      .map((held, order) => ({ held, order, bucket: javaIdHashBucket(held, buckets) }))
      .sort((a, b) => a.bucket - b.bucket || a.order - b.order)
      .map((entry) => entry.held)
  }

  /** A snapshot for one request: later auth packets must not change what an earlier request was checked with. */
  list(): readonly Id[] {
    return this.ids
  }
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
