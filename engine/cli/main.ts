import { isMainThread, workerData } from 'node:worker_threads'
import { BENCH_WORKER_ROLE, serveBenchWorker } from '../bench/client-group'
import { runCli } from './cli'

/**
 * Entry of out/cli/zoodesk.cjs. The same file also runs as the benchmark's client worker threads (one bundle, so
 * workers need no second build output), recognised by their workerData.
 */
function isBenchWorker(): boolean {
  return !isMainThread && (workerData as { role?: unknown } | null)?.role === BENCH_WORKER_ROLE
}

if (isBenchWorker()) {
  serveBenchWorker()
} else {
  const scriptPath = typeof __filename === 'string' ? __filename : (process.argv[1] ?? '')
  runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    scriptPath,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`zoodesk: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exit(1)
    },
  )
}
