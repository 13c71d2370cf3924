// The differential check: one scenario, run against Apache ZooKeeper 3.8.0 and against
// ZooDesk started with the same settings; the normalized observations must be equal.
import { expect, it } from 'vitest'
import type { Json } from './json'
import { normalize } from './normalize'
import type { NormalizeOptions } from './normalize'
import { startApache, startZooDesk, zoodeskBinary } from './servers'
import type { ServerKind, ServerOptions, TestServer } from './servers'

/** Drives one server and returns what it saw (anything JSON-serialisable, in order). */
export type Scenario = (server: TestServer) => Promise<readonly unknown[]>

export interface DifferentialOptions extends Omit<ServerOptions, 'name' | 'port'> {
  normalize?: NormalizeOptions
}

export interface DifferentialResult {
  apache: Json[]
  zoodesk: Json[]
  /** Before normalization, for debugging. */
  raw: { apache: readonly unknown[]; zoodesk: readonly unknown[] }
}

/**
 * Starts a fresh Apache and a fresh ZooDesk (in parallel), runs `scenario` against Apache and
 * then against ZooDesk (one at a time, so neither run's timing is disturbed by the other),
 * stops both, and asserts the normalized observations are equal. Fails, never skips, when the
 * ZooDesk binary is missing. Call it inside a vitest test.
 */
export async function differential(name: string, scenario: Scenario, options: DifferentialOptions = {}): Promise<DifferentialResult> {
  zoodeskBinary(options) // before paying for a JVM
  const serverOptions: ServerOptions = { ...options, name }
  const started = await Promise.allSettled([startApache(serverOptions), startZooDesk(serverOptions)])
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  try {
    for (const s of started) if (s.status === 'rejected') throw s.reason
    const [apache, zoodesk] = servers as [TestServer, TestServer]
    const rawApache = await runOn(name, apache, scenario)
    const rawZoodesk = await runOn(name, zoodesk, scenario)
    const result: DifferentialResult = {
      apache: normalize(rawApache, options.normalize),
      zoodesk: normalize(rawZoodesk, options.normalize),
      raw: { apache: rawApache, zoodesk: rawZoodesk },
    }
    expect(result.zoodesk, `${name}: ZooDesk observations differ from Apache ZooKeeper 3.8.0`).toEqual(result.apache)
    return result
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

/** Runs a scenario on one server; a failure names the server and the scenario. */
export async function runOn(name: string, server: TestServer, scenario: Scenario): Promise<readonly unknown[]> {
  try {
    return await scenario(server)
  } catch (error) {
    const label: Record<ServerKind, string> = { apache: 'Apache ZooKeeper', zoodesk: 'ZooDesk' }
    throw new Error(`${name}: scenario failed against ${label[server.kind]} (${server.connectString}): ${String(error)}`, {
      cause: error,
    })
  }
}

/** `it(name, () => differential(name, scenario, options))`. */
export function differentialTest(name: string, scenario: Scenario, options: DifferentialOptions & { timeoutMs?: number } = {}): void {
  const { timeoutMs, ...rest } = options
  it(name, async () => {
    await differential(name, scenario, rest)
  }, timeoutMs)
}
