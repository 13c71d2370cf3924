// Drives Debian's python3-kazoo: a client nobody here wrote, so it checks our wire protocol
// against someone else's reading of it.
import { fileURLToPath } from 'node:url'
import { spawnTracked, terminate, waitForClose } from './child'
import type { Json, JsonObject } from './json'

/** Debian's python has kazoo; the pyenv python first on PATH does not. */
export const PYTHON = '/usr/bin/python3'
export const KAZOO_PRELUDE = fileURLToPath(new URL('./kazoo_prelude.py', import.meta.url))

const MARK = '@@obs '

export interface KazooOptions {
  /** Kill the script after this long. Default 60 s. */
  timeoutMs?: number
  /** Any JSON, available to the script as `ARGS`. */
  args?: Json
}

/**
 * Runs a kazoo scenario (Python source; indentation is removed) against `connectString` and
 * returns what it recorded, in order. Inside the script, besides kazoo itself:
 *
 * - `zk = connect()`: a started KazooClient (closed at the end); `HOSTS`, `ARGS`
 * - `op(step, fn, *args)`: call and record `{step, ok}` or `{step, error, code}`
 * - `emit(step, value, **fields)`: record `{step, value, ...}`
 * - `watcher(tag)` + `wait_events(tag, n)`: collect watch events, record `{step: tag, events}`
 * - `to_json(x)`: stats become `{czxid, mzxid, ctime, ...}`, bytes utf-8 text (or `{hex}`),
 *   ints past 2^53 decimal strings
 *
 * A script that raises fails the call, with its traceback.
 */
export async function runKazoo(connectString: string, script: string, options: KazooOptions = {}): Promise<JsonObject[]> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZK_HOSTS: connectString,
    ZK_ARGS: JSON.stringify(options.args ?? null),
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
  }
  // A pyenv environment must not leak into the system python.
  delete env['PYTHONPATH']
  delete env['PYTHONHOME']
  const child = spawnTracked(PYTHON, [KAZOO_PRELUDE], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  // If python dies before reading, the write fails with EPIPE: the exit status tells why.
  child.stdin?.on('error', () => {})
  child.stdin?.end(script)

  const timeoutMs = options.timeoutMs ?? 60_000
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void terminate(child, 1000)
  }, timeoutMs)
  const status = await waitForClose(child).finally(() => clearTimeout(timer))

  const observations = parseObservations(stdout)
  if (timedOut || status.code !== 0) {
    const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with code ${status.code} (signal ${status.signal})`
    throw new Error(
      `kazoo scenario ${why}\n--- stderr ---\n${stderr}\n--- observations so far ---\n${observations.map((o) => JSON.stringify(o)).join('\n')}`,
    )
  }
  return observations
}

function parseObservations(stdout: string): JsonObject[] {
  const out: JsonObject[] = []
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(MARK)) continue
    out.push(JSON.parse(line.slice(MARK.length)) as JsonObject)
  }
  return out
}
