import { type SpawnSyncReturns, execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Builds the CLI with `npm run build:cli` into a private directory, so tests of other helpers that build or run
 * out/cli at the same time never see a half-written bundle.
 */
export const ROOT = join(__dirname, '..', '..', '..')

export function buildCli(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'zoodesk-cli-build-'))
  // The CLI bundle alone (build:cli also builds browser mode's host, which these tests do not need).
  execFileSync('npx', ['vite', 'build', '--config', 'vite.cli.config.mts', '--logLevel', 'warn', '--outDir', outDir], { cwd: ROOT, stdio: 'pipe' })
  return join(outDir, 'zoodesk.cjs')
}

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

export function runCliSync(cliPath: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60000): CliRun {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, JVMFLAGS: '', SERVER_JVMFLAGS: '', ...env },
    timeout: timeoutMs,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

export function runCli(cliPath: string, args: string[], timeoutMs = 120000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, JVMFLAGS: '', SERVER_JVMFLAGS: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}
