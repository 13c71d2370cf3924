import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { connectNzk } from '../../compat/harness/nzk'

/** kazoo lives in Debian's python only (the pyenv one on PATH lacks it). */
const SYSTEM_PYTHON = '/usr/bin/python3'
const WORKLOAD = join(__dirname, 'digest-workload.py')

/**
 * Runs digest-workload.py with kazoo against `port` (every txn type; see the script). With `leaveExpiring`, one
 * session is left open with an ephemeral for the server to expire.
 */
export async function runDigestWorkload(port: number, options: { leaveExpiring?: boolean } = {}): Promise<void> {
  await promisify(execFile)(SYSTEM_PYTHON, [WORKLOAD], {
    env: { ...process.env, PORT: String(port), EXPIRE: options.leaveExpiring === true ? '1' : '0' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  })
}

/** Runs digest-quirks.py: the txns whose digests Apache's own prep gets wrong (6 mismatches on Apache 3.8.0). */
export async function runDigestQuirks(port: number): Promise<void> {
  await promisify(execFile)(SYSTEM_PYTHON, [join(__dirname, 'digest-quirks.py')], { env: { ...process.env, PORT: String(port) }, timeout: 60_000 })
}

/** Waits (up to `timeoutMs`) until none of `paths` exists: the reaper or a session expiry removed them. */
export async function waitUntilGone(connectString: string, paths: readonly string[], timeoutMs = 20_000): Promise<void> {
  const client = await connectNzk(connectString)
  const deadline = Date.now() + timeoutMs
  try {
    for (const path of paths) {
      while ((await client.exists(path)) !== null) {
        if (Date.now() > deadline) throw new Error(`${path} is still there after ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  } finally {
    await client.close()
  }
}

/** One mntr value by its key (`zk_…`), as printed. */
export function mntrValue(mntr: string, key: string): string | undefined {
  return new RegExp(`^${key}\\t(.*)$`, 'm').exec(mntr)?.[1]
}

/** What Apache logs when a digest differs (RateLogger's warning, and the first mismatch's error). */
export const DIGEST_MISMATCH_LOG = /Digests are not matching|digest mismatch/i
