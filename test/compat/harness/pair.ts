// One Apache ZooKeeper 3.8.0 and one ZooDesk shared by every scenario of a test file: starting
// a JVM per scenario would cost more than most scenarios. Scenarios on a shared pair must not
// interfere: each works under its own znode prefix, and each runs on both servers in the same
// order, so whatever one scenario leaves behind is the same on both sides.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DifferentialOptions, DifferentialResult, Scenario } from './differential'
import { runOn } from './differential'
import { normalize } from './normalize'
import type { NormalizeOptions } from './normalize'
import { compatTopology, startEnsemble } from './ensemble'
import type { EnsembleRole, TestEnsemble, Topology } from './ensemble'
import { startApache, startZooDesk, zoodeskBinary } from './servers'
import type { ServerOptions, TestServer } from './servers'

export interface ServerPair {
  /** The server the scenarios talk to: standalone, or the member with the topology's role. */
  readonly apache: TestServer
  readonly zoodesk: TestServer
  readonly topology: Topology
  /** The whole ensembles when the topology is not standalone. */
  readonly ensembles?: { readonly apache: TestEnsemble; readonly zoodesk: TestEnsemble }
  stop(): Promise<void>
}

export type PairOptions = Omit<ServerOptions, 'name' | 'port' | 'myId'> & {
  /** Default: ZOODESK_COMPAT_TOPOLOGY (standalone when unset). */
  topology?: Topology
}

/**
 * Starts both servers with the same settings, in parallel; if one fails, stops the other. In an ensemble topology
 * it starts a 3-voter + 1-observer ensemble of each kind and hands out, on each side, the member with that role.
 */
export async function startPair(name: string, options: PairOptions = {}): Promise<ServerPair> {
  zoodeskBinary(options) // before paying for a JVM
  const { topology = compatTopology(), ...rest } = options
  if (topology !== 'standalone') return startEnsemblePair(name, topology, rest)
  const serverOptions: ServerOptions = { ...rest, name }
  const started = await Promise.allSettled([startApache(serverOptions), startZooDesk(serverOptions)])
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  for (const s of started) {
    if (s.status === 'rejected') {
      await Promise.all(servers.map((server) => server.stop()))
      throw s.reason
    }
  }
  const [apache, zoodesk] = servers as [TestServer, TestServer]
  return { apache, zoodesk, topology, stop: async () => void (await Promise.all([apache.stop(), zoodesk.stop()])) }
}

async function startEnsemblePair(name: string, role: EnsembleRole, options: Omit<ServerOptions, 'name' | 'port' | 'myId'>): Promise<ServerPair> {
  const started = await Promise.allSettled([startEnsemble('apache', { ...options, name }), startEnsemble('zoodesk', { ...options, name })])
  const ensembles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const stopAll = async (): Promise<void> => void (await Promise.all(ensembles.map((ensemble) => ensemble.stop())))
  for (const s of started) {
    if (s.status === 'rejected') {
      await stopAll()
      throw s.reason
    }
  }
  const [apacheEnsemble, zoodeskEnsemble] = ensembles as [TestEnsemble, TestEnsemble]
  try {
    const [apache, zoodesk] = await Promise.all([apacheEnsemble.member(role), zoodeskEnsemble.member(role)])
    return { apache, zoodesk, topology: role, ensembles: { apache: apacheEnsemble, zoodesk: zoodeskEnsemble }, stop: stopAll }
  } catch (error) {
    await stopAll()
    throw error
  }
}

/**
 * Registers beforeAll/afterAll in the enclosing describe (or file) that start and stop one
 * pair; returns its getter, to call inside tests.
 */
export function useServerPair(name: string, options: PairOptions = {}): () => ServerPair {
  let pair: ServerPair | undefined
  beforeAll(async () => {
    pair = await startPair(name, options)
  })
  afterAll(async () => {
    await pair?.stop()
  })
  return () => {
    if (pair === undefined) throw new Error(`server pair ${name} is not running (its beforeAll failed)`)
    return pair
  }
}

export interface ObserveOptions {
  normalize?: NormalizeOptions
  /**
   * Run the scenario on both servers at the same time (default) or Apache first, then ZooDesk.
   * Parallel halves the wall time of scenarios that wait (expiry, reaping, quiet periods).
   */
  parallel?: boolean
}

/** Runs `scenario` on both servers of the pair and returns the normalized observations. */
export async function observeBoth(pair: ServerPair, name: string, scenario: Scenario, options: ObserveOptions = {}): Promise<DifferentialResult> {
  let rawApache: readonly unknown[]
  let rawZoodesk: readonly unknown[]
  if (options.parallel === false) {
    rawApache = await runOn(name, pair.apache, scenario)
    rawZoodesk = await runOn(name, pair.zoodesk, scenario)
  } else {
    const settled = await Promise.allSettled([runOn(name, pair.apache, scenario), runOn(name, pair.zoodesk, scenario)])
    const [a, z] = settled as [PromiseSettledResult<readonly unknown[]>, PromiseSettledResult<readonly unknown[]>]
    if (a.status === 'rejected') throw a.reason
    if (z.status === 'rejected') throw z.reason
    rawApache = a.value
    rawZoodesk = z.value
  }
  const result: DifferentialResult = {
    apache: normalize(rawApache, options.normalize),
    zoodesk: normalize(rawZoodesk, options.normalize),
    raw: { apache: rawApache, zoodesk: rawZoodesk },
  }
  dumpObservations(name, result)
  return result
}

/** ZOODESK_COMPAT_DUMP=<dir>: write each scenario's normalized observations there, to read them. */
function dumpObservations(name: string, result: DifferentialResult): void {
  const dir = process.env['ZOODESK_COMPAT_DUMP']
  if (dir === undefined || dir === '') return
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 80)}.json`)
  writeFileSync(file, JSON.stringify({ apache: result.apache, zoodesk: result.zoodesk }, null, 1))
}

/** observeBoth, then asserts ZooDesk's normalized observations equal Apache's. */
export async function sameOnBoth(pair: ServerPair, name: string, scenario: Scenario, options: ObserveOptions = {}): Promise<DifferentialResult> {
  const result = await observeBoth(pair, name, scenario, options)
  expect(result.zoodesk, `${name}: ZooDesk observations differ from Apache ZooKeeper 3.8.0`).toEqual(result.apache)
  return result
}

export type PairTestOptions = ObserveOptions & { timeoutMs?: number }

/** `it(name, …)` running `scenario` on the pair and asserting identical observations. */
export function pairTest(getPair: () => ServerPair, name: string, scenario: Scenario, options: PairTestOptions = {}): void {
  const { timeoutMs, ...rest } = options
  it(name, async () => {
    await sameOnBoth(getPair(), name, scenario, rest)
  }, timeoutMs)
}

export interface VersionDifference {
  /** The Apache change (JIRA id and title) that makes 3.8.6 differ from 3.8.0. */
  change: string
  /** What Debian's Apache ZooKeeper 3.8.0 observes (normalized). */
  apache380: readonly unknown[]
  /** What ZooDesk, following 3.8.6, must observe (normalized). */
  zoodesk386: readonly unknown[]
}

/**
 * A scenario whose outcome changed between Apache 3.8.0 (the reference on this machine) and
 * 3.8.6 (which ZooDesk follows): instead of hiding the difference, the test states both sides,
 * asserting Apache's observations against 3.8.0's behaviour and ZooDesk's against 3.8.6's.
 */
export function versionDifferenceTest(
  getPair: () => ServerPair,
  name: string,
  scenario: Scenario,
  expected: VersionDifference,
  options: PairTestOptions = {},
): void {
  const { timeoutMs, ...rest } = options
  it(`${name} [3.8.0 vs 3.8.6: ${expected.change}]`, async () => {
    const result = await observeBoth(getPair(), name, scenario, rest)
    expect(result.apache, `${name}: Apache 3.8.0 no longer behaves as this test states`).toEqual(expected.apache380)
    expect(result.zoodesk, `${name}: ZooDesk does not behave as Apache 3.8.6 (${expected.change})`).toEqual(expected.zoodesk386)
  }, timeoutMs)
}

export type { DifferentialOptions }
