import { runSimulation } from './simulation'

/**
 * The long-run driver behind `npm run sim` (scripts/sim.cjs bundles this file):
 *
 *   npm run sim -- --seeds 100000 [--first 1] [--progress 5000]   many seeds, a progress line now and then
 *   npm run sim -- --seed 1234                                     replay one seed and print its trace
 *   --strict-sync   also hold synced reads answered by a deposed leader to linearizability (ZooKeeper does not)
 *
 * Exits 1 when any seed violates an invariant (the first few are printed with their replay command).
 */
interface Args {
  seeds: number
  first: number
  progressEvery: number
  single: number | null
  strictSync: boolean
}

const MAX_FAILURES_PRINTED = 10

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 1_000, first: 1, progressEvery: 5_000, single: null, strictSync: false }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = Number(argv[i + 1])
    const needNumber = (): number => {
      if (!Number.isSafeInteger(value)) throw new Error(`${flag} needs an integer, got ${argv[i + 1]}`)
      i++
      return value
    }
    if (flag === '--seeds') args.seeds = needNumber()
    else if (flag === '--first') args.first = needNumber()
    else if (flag === '--progress') args.progressEvery = needNumber()
    else if (flag === '--seed') args.single = needNumber()
    else if (flag === '--strict-sync') args.strictSync = true
    else throw new Error(`unknown argument ${flag} (use --seeds N, --first S, --progress N, --seed S, --strict-sync)`)
  }
  return args
}

export function replayCommand(seed: number): string {
  return `npm run sim -- --seed ${seed}   (or: ZOODESK_SIM_SEED=${seed} npx vitest run test/sim/sim.test.ts)`
}

function replay(seed: number, strictSync: boolean): number {
  const result = runSimulation(seed, { strictSync })
  console.log(`seed ${seed}: ${result.description}\n${JSON.stringify(result.stats)}`)
  if (result.violations.length === 0) {
    console.log('no violations')
    return 0
  }
  console.log(`\n${result.violations.join('\n')}\n\n${result.trace()}`)
  return 1
}

function many(args: Args): number {
  const startedMs = performance.now()
  const startedCpu = process.cpuUsage()
  const last = args.first + args.seeds - 1
  const failed: number[] = []
  let events = 0
  let simulatedMs = 0
  const totals = { operations: 0, linearizabilityChecked: 0, syncedReads: 0, syncedReadsByDeposedLeader: 0, unknownOutcomes: 0, sessions: 0, committed: 0 }
  for (let seed = args.first; seed <= last; seed++) {
    const result = runSimulation(seed, { strictSync: args.strictSync })
    events += result.stats.events
    simulatedMs += result.stats.simulatedMs
    const clients = result.stats.clients
    totals.operations += clients.operations
    totals.linearizabilityChecked += clients.linearizabilityChecked
    totals.syncedReads += clients.syncedReads
    totals.syncedReadsByDeposedLeader += clients.syncedReadsByDeposedLeader
    totals.unknownOutcomes += clients.unknownOutcomes
    totals.sessions += clients.sessions
    totals.committed += result.stats.committed
    if (result.violations.length > 0) {
      failed.push(seed)
      if (failed.length <= MAX_FAILURES_PRINTED) {
        console.log(`FAIL seed ${seed} (${result.description}):\n  ${result.violations.slice(0, 3).join('\n  ')}\n  replay: ${replayCommand(seed)}`)
      }
    }
    const done = seed - args.first + 1
    if (done % args.progressEvery === 0 && seed !== last) {
      const elapsedS = (performance.now() - startedMs) / 1_000
      console.log(`${done}/${args.seeds} seeds (up to ${seed}), ${failed.length} failing, ${elapsedS.toFixed(0)} s, ${(done / elapsedS).toFixed(1)} seeds/s`)
    }
  }
  const elapsedS = (performance.now() - startedMs) / 1_000
  const cpu = process.cpuUsage(startedCpu)
  const cpuS = (cpu.user + cpu.system) / 1e6
  console.log(
    `\nseeds ${args.first}..${last}: ${args.seeds - failed.length} passed, ${failed.length} failed in ${elapsedS.toFixed(1)} s, ${cpuS.toFixed(1)} s of CPU ` +
      `(${(simulatedMs / 3_600_000).toFixed(1)} simulated hours, ${(events / 1e6).toFixed(1)} M events)`,
  )
  console.log(
    `clients: ${totals.operations} operations in ${totals.sessions} sessions (${totals.unknownOutcomes} with unknown outcome), ` +
      `${totals.linearizabilityChecked} checked for linearizability, ${totals.syncedReads} synced reads ` +
      `(${totals.syncedReadsByDeposedLeader} answered by a deposed leader); ${totals.committed} txns committed`,
  )
  if (failed.length > 0) console.log(`failing seeds: ${failed.slice(0, 100).join(', ')}${failed.length > 100 ? ', …' : ''}`)
  return failed.length > 0 ? 1 : 0
}

function main(argv: readonly string[]): number {
  let args: Args
  try {
    args = parseArgs(argv)
  } catch (error) {
    console.error((error as Error).message)
    return 2
  }
  return args.single !== null ? replay(args.single, args.strictSync) : many(args)
}

process.exitCode = main(process.argv.slice(2))
