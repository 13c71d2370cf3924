// Browser mode for the UI's end-to-end tests: the built renderer (rebuilt when its sources are newer), `zoodesk web`
// as a real process on a fresh user-data folder (127.0.0.1, a free port, its token URL), and headless Debian
// Chromium driven by playwright-core.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, type Page, chromium } from 'playwright-core'

export const ROOT = join(__dirname, '..', '..', '..')
const CLI = join(ROOT, 'out', 'cli', 'zoodesk.cjs')
const WEB_BUNDLE = join(ROOT, 'out', 'web', 'zoodesk-web.cjs')
const RENDERER_INDEX = join(ROOT, 'out', 'renderer', 'index.html')
export const CHROMIUM = process.env['ZOODESK_CHROMIUM'] ?? '/usr/bin/chromium'

function newestMtimeMs(dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stat = statSync(path)
    newest = Math.max(newest, stat.isDirectory() ? newestMtimeMs(path) : stat.mtimeMs)
  }
  return newest
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Builds what browser mode serves when it is missing or older than its sources (one build at a time). */
export function ensureBuilt(): void {
  const lock = join(ROOT, 'out', '.e2e-build.lock')
  mkdirSync(join(ROOT, 'out'), { recursive: true })
  const deadline = Date.now() + 300_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`the build lock ${lock} stayed for 5 minutes`)
      sleepMs(250)
    }
  }
  try {
    const sources = Math.max(newestMtimeMs(join(ROOT, 'renderer')), newestMtimeMs(join(ROOT, 'main', 'contract')))
    if (!existsSync(RENDERER_INDEX) || statSync(RENDERER_INDEX).mtimeMs < sources) {
      const built = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' })
      if (built.status !== 0) throw new Error(`electron-vite build failed:\n${built.stdout}\n${built.stderr}`)
    }
    if (!existsSync(CLI) || !existsSync(WEB_BUNDLE)) {
      const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
      for (const config of ['vite.cli.config.mts', 'vite.web.config.mts']) {
        const built = spawnSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' })
        if (built.status !== 0) throw new Error(`vite build --config ${config} failed:\n${built.stdout}\n${built.stderr}`)
      }
    }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export interface BrowserMode {
  url: string
  /** ws://…/<token>/rpc, for a second client in the test. */
  rpcUrl: string
  dataDir: string
  child: ChildProcess
  output(): string
  close(): Promise<void>
}

/** Starts `zoodesk web` (with the default local cluster unless told otherwise) and waits for its URL. */
export async function startBrowserMode(options: { defaultCluster?: boolean; env?: Record<string, string> } = {}): Promise<BrowserMode> {
  ensureBuilt()
  const dataDir = mkdtempSync(join(tmpdir(), 'zoodesk-e2e-'))
  const args = [CLI, 'web', '--data-dir', dataDir, ...(options.defaultCluster === false ? ['--no-cluster'] : [])]
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zoodesk web printed no URL in 120 s:\n${output}`)), 120_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\//.exec(output)
      if (match !== null && output.includes('ZooDesk is running')) {
        clearTimeout(timer)
        resolve(match[0])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`zoodesk web exited (${code ?? signal}):\n${output}`))
    })
  })
  return {
    url,
    rpcUrl: `${url.replace('http:', 'ws:')}rpc`,
    dataDir,
    child,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface Browser {
  context: BrowserContext
  page: Page
  /** Errors the page reported (uncaught exceptions, console errors). */
  errors: string[]
  close(): Promise<void>
}

/** Headless Debian Chromium on a fresh profile, one page open at `url`. */
export async function openBrowser(url: string, options: { locale?: string; colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'zoodesk-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
    viewport: { width: options.width ?? 1400, height: options.height ?? 860 },
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  await page.goto(url)
  await page.locator('.app[data-ready="true"]').waitFor({ timeout: 60_000 })
  return {
    context,
    page,
    errors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Where screenshots go: a temp folder (kept out of git), printed so that a person can look at them. */
export function screenshotDir(): string {
  const dir = process.env['ZOODESK_SCREENSHOTS'] ?? join(tmpdir(), 'zoodesk-e2e-screenshots')
  mkdirSync(dir, { recursive: true })
  return dir
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotDir(), `${name}.png`)
  await page.screenshot({ path })
  console.log(`screenshot: ${path}`)
  return path
}
