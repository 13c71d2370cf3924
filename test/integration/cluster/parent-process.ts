// A separate process that owns local clusters (fixtures/cluster-parent.ts, bundled on the fly), so tests can kill
// it with SIGKILL and check that no member outlives it.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { expect } from 'vitest'
import type { LocalClusterOptions } from '../../../engine/cluster'
import { eventually, isProcessAlive, processesMentioning } from './support'

export interface ParentProcess {
  child: ChildProcessWithoutNullStreams
  /** Every member's pid, in cluster order then id order. */
  pids: number[]
  dataDirs: string[]
}

/** Bundles the parent fixture (and the engine it imports) into one CommonJS file for plain Node. */
export class ParentFixture {
  private outDir: string | undefined
  private script: string | undefined
  private readonly started: ParentProcess[] = []

  async prepare(): Promise<void> {
    this.outDir = mkdtempSync(join(tmpdir(), 'zoodesk-cluster-parent-'))
    await build({
      configFile: false,
      logLevel: 'warn',
      build: {
        ssr: true,
        target: 'node20',
        outDir: this.outDir,
        emptyOutDir: true,
        minify: false,
        rolldownOptions: {
          input: { 'cluster-parent': join(__dirname, 'fixtures', 'cluster-parent.ts') },
          external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
          output: { format: 'cjs', entryFileNames: '[name].cjs' },
        },
      },
    })
    this.script = join(this.outDir, 'cluster-parent.cjs')
  }

  /** Starts a parent owning these clusters; resolves once all their members serve. */
  start(clusters: LocalClusterOptions[]): Promise<ParentProcess> {
    if (this.script === undefined) throw new Error('call prepare() first')
    const child = spawn(process.execPath, [this.script, JSON.stringify(clusters)])
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`the parent did not report its members in time:\n${stderr}`))
      }, 90_000)
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const newline = stdout.indexOf('\n')
        if (newline < 0) return
        clearTimeout(timer)
        const report = JSON.parse(stdout.slice(0, newline)) as { pids: number[]; dataDirs: string[] }
        const parent = { child, ...report }
        this.started.push(parent)
        resolve(parent)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`the parent exited (code ${code}) before its members served:\n${stderr}`))
      })
    })
  }

  /** Kills whatever is left of the parents started so far and removes their clusters' directories. */
  cleanUp(): void {
    for (const parent of this.started.splice(0)) {
      for (const pid of [...parent.pids, parent.child.pid ?? -1]) if (pid > 0 && isProcessAlive(pid)) process.kill(pid, 'SIGKILL')
      for (const dir of parent.dataDirs) rmSync(dir, { recursive: true, force: true })
    }
  }

  dispose(): void {
    this.cleanUp()
    if (this.outDir !== undefined) rmSync(this.outDir, { recursive: true, force: true })
  }
}

/** kill -9 the parent; every member process, and anything else naming the clusters' directories, must go. */
export async function killParentAndExpectNoMemberLeft(parent: ParentProcess): Promise<void> {
  expect(parent.pids.every((pid) => isProcessAlive(pid))).toBe(true)
  const exited = new Promise((resolve) => parent.child.once('exit', resolve))
  process.kill(parent.child.pid as number, 'SIGKILL')
  await exited
  await eventually('every member process gone', () => parent.pids.every((pid) => !isProcessAlive(pid)), 10_000)
  // Watchdogs and setpriv wrappers name the member's directory on their command line.
  await eventually("no process naming the clusters' directories", () => parent.dataDirs.every((dir) => processesMentioning(dir).length === 0))
}
