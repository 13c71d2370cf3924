import { createServer } from 'node:net'
import { HIGHEST_PORT, LOOPBACK, type PortLayout, layoutSpan, planPorts } from './port-layout'

/** A port of the layout that something else already holds. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly use: string,
  ) {
    super(`port ${port} (${use}) is already in use on ${LOOPBACK}; choose another base port`)
    this.name = 'PortInUseError'
  }
}

/** Whether we could listen on 127.0.0.1:port a moment ago (the answer may be stale by the time anyone binds). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/**
 * The first port of the layout that is taken, or undefined (link ports only when `withLinks`). Checks a few at a
 * time to stay light.
 */
export async function findBusyPort(layout: PortLayout, withLinks = true): Promise<{ port: number; use: string } | undefined> {
  const batchSize = 16
  const ports = withLinks ? layout.all : layout.all.filter((entry) => !entry.link)
  for (let start = 0; start < ports.length; start += batchSize) {
    const batch = ports.slice(start, start + batchSize)
    const free = await Promise.all(batch.map((entry) => isPortFree(entry.port)))
    const busyIndex = free.indexOf(false)
    if (busyIndex >= 0) return batch[busyIndex]
  }
  return undefined
}

/** Throws PortInUseError naming the first busy port of the layout. */
export async function assertPortsFree(layout: PortLayout, withLinks = true): Promise<void> {
  const busy = await findBusyPort(layout, withLinks)
  if (busy !== undefined) throw new PortInUseError(busy.port, busy.use)
}

/**
 * Random layouts stay below Linux's ephemeral range (32768–60999 by default): a port there can be taken at any
 * moment as the local end of some outgoing connection, and a member restarted after a kill could no longer bind it.
 */
export const RANDOM_BASE_LOW = 20000
export const RANDOM_BASE_HIGH = 32000

/**
 * A layout at a random base in 20000–32000 whose ports were all free a moment ago. Tries a handful of bases; each
 * try costs one bind per port.
 */
export async function planFreePorts(memberCount: number, attempts = 20): Promise<PortLayout> {
  const span = layoutSpan(memberCount)
  // The whole block stays below 32768, not just its base.
  const highestBase = Math.max(RANDOM_BASE_LOW + 1, Math.min(RANDOM_BASE_HIGH, 32768 - span, HIGHEST_PORT - span + 1))
  let lastBusy: { port: number; use: string } | undefined
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = RANDOM_BASE_LOW + Math.floor(Math.random() * (highestBase - RANDOM_BASE_LOW))
    const layout = planPorts(base, memberCount)
    lastBusy = await findBusyPort(layout)
    if (lastBusy === undefined) return layout
  }
  throw new Error(`no free block of ${span} ports found in ${RANDOM_BASE_LOW}-${RANDOM_BASE_HIGH} after ${attempts} tries (last busy: ${lastBusy?.port})`)
}
