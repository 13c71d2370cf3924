import type { HostAndPort } from './connect-string'

/** Apache's reconnect pacing (ClientCnxn.startConnect / StaticHostProvider.next). */
export interface ReconnectPacing {
  /** Random delay in [0, this) before every connect but the first (Java: 1000). */
  readonly reconnectJitterMsMax: number
  /** Extra pause after cycling once through the host list without success (Java's spinDelay: 1000). */
  readonly cycleDelayMs: number
}

export const APACHE_RECONNECT_PACING: ReconnectPacing = { reconnectJitterMsMax: 1000, cycleDelayMs: 1000 }

export interface NextHost {
  readonly host: HostAndPort
  /** How long to wait before connecting; the provider never sleeps itself (the caller owns the timers). */
  readonly delayMs: number
}

/**
 * StaticHostProvider: the hosts are shuffled once, then tried round robin. Coming back round to the host we were last
 * connected to means every host failed, so a cycle pause is added.
 */
export class HostProvider {
  private readonly hosts: HostAndPort[]
  private currentIndex = -1
  private lastIndex = -1
  private firstConnect = true

  constructor(
    hosts: readonly HostAndPort[],
    private readonly pacing: ReconnectPacing = APACHE_RECONNECT_PACING,
    private readonly random: () => number = Math.random,
  ) {
    if (hosts.length === 0) throw new Error('HostProvider needs at least one host')
    this.hosts = shuffle([...hosts], random)
  }

  get size(): number {
    return this.hosts.length
  }

  get order(): readonly HostAndPort[] {
    return this.hosts
  }

  next(): NextHost {
    this.currentIndex = (this.currentIndex + 1) % this.hosts.length
    const host = this.hosts[this.currentIndex]!
    let delayMs = 0
    if (this.currentIndex === this.lastIndex) delayMs += this.pacing.cycleDelayMs
    if (this.lastIndex === -1) this.lastIndex = 0
    if (this.firstConnect) this.firstConnect = false
    else delayMs += Math.floor(this.random() * this.pacing.reconnectJitterMsMax)
    return { host, delayMs }
  }

  onConnected(): void {
    this.lastIndex = this.currentIndex
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = items[i]!
    items[i] = items[j]!
    items[j] = swap
  }
  return items
}
