// End to end: the Data dir view in browser mode (headless Debian Chromium) on data directories written by real
// servers — Apache ZooKeeper 3.8 (Debian) and ZooDesk — with a tiny snapCount: open by typed path, see snapshots and
// logs, browse the tree as of the last zxid and as of a zxid half-way, filter the txn log, read a txn decoded, export
// the tree and the txns as JSON, and see a damaged copy's error (file, offset, last good zxid). Screenshots of each.
import { cpSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ForensicDataDir } from '../../engine/forensics'
import { type TestServer, startApache, startZooDesk } from '../compat/harness/servers'
import { type WorkloadResult, lowFreePort, runWorkload } from '../integration/forensics/workload'
import { type Browser, type BrowserMode, openBrowser, screenshot, startBrowserMode } from './support/browser-mode'

let web: BrowserMode
let browser: Browser
let page: Page
const made: { kind: 'apache' | 'zoodesk'; dir: string; workload: WorkloadResult }[] = []
const workDirs: string[] = []

async function produce(kind: 'apache' | 'zoodesk'): Promise<void> {
  const options = { name: `e2e-forensics-${kind}`, port: await lowFreePort(), config: { snapCount: 8 }, systemProperties: { 'zookeeper.extendedTypesEnabled': true, 'zookeeper.snapCount': 8 } }
  const server: TestServer = kind === 'apache' ? await startApache(options) : await startZooDesk(options)
  try {
    const workload = await runWorkload(server.connectString)
    await server.kill9()
    await workload.close()
    const dir = mkdtempSync(join(tmpdir(), `zoodesk-e2e-forensics-${kind}-`))
    workDirs.push(dir)
    cpSync(server.dataDir, dir, { recursive: true })
    made.push({ kind, dir, workload })
  } finally {
    await server.stop()
  }
}

beforeAll(async () => {
  await produce('apache')
  await produce('zoodesk')
  web = await startBrowserMode({ defaultCluster: false })
  browser = await openBrowser(web.url)
  page = browser.page
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await web?.close()
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true })
}, 60_000)

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page !== undefined) await screenshot(page, `failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {})
})

const byTest = (id: string): Locator => page.locator(`[data-test="${id}"]`)
const treeRow = (path: string): Locator => page.locator(`[data-test="forensics-tree-row"][data-path="${path}"]`)

async function openDataDir(path: string): Promise<void> {
  await byTest('view-forensics').click()
  await byTest('forensics-path').fill(path)
  await byTest('forensics-open').click()
  await byTest('forensics-summary').waitFor()
  await expect.poll(() => byTest('forensics-summary').textContent()).toContain(path === '' ? '' : 'txns')
}

async function selectNode(path: string): Promise<void> {
  await byTest('forensics-tab-tree').click()
  const parts = path.split('/').filter((part) => part !== '')
  let at = ''
  for (const part of parts) {
    const parent = treeRow(at === '' ? '/' : at)
    await parent.waitFor()
    if ((await parent.getAttribute('aria-expanded')) !== 'true') await parent.dblclick()
    at = `${at}/${part}`
  }
  await treeRow(path).click()
  await expect.poll(() => byTest('forensics-node-path').textContent()).toBe(path)
}

function flipBytes(file: string, offset: number, count: number): void {
  const fd = openSync(file, 'r+')
  try {
    const buf = Buffer.alloc(count)
    readSync(fd, buf, 0, count, offset)
    for (let i = 0; i < count; i++) buf[i] = buf[i]! ^ 0xff
    writeSync(fd, buf, 0, count, offset)
  } finally {
    closeSync(fd)
  }
}

describe('the Data dir view in browser mode', () => {
  for (const kind of ['apache', 'zoodesk'] as const) {
    it(`opens a ${kind} data dir, browses the tree as of the end and half-way, filters and exports`, async () => {
      const { dir, workload } = made.find((one) => one.kind === kind)!
      await openDataDir(dir)
      expect(await byTest('forensics-snapshot').count()).toBeGreaterThanOrEqual(2)
      expect(await byTest('forensics-log').count()).toBeGreaterThanOrEqual(2)
      expect(await byTest('forensics-problem').count()).toBe(0)
      const summary = (await byTest('forensics-summary').textContent()) ?? ''
      expect(summary).toContain(`0x${workload.end.zxid.toString(16)}`)

      // As of the last zxid (built on open): what the client read at the end.
      await expect.poll(() => byTest('forensics-tree-info').textContent()).toContain(`As of 0x${workload.end.zxid.toString(16)}`)
      await selectNode('/f/data')
      expect(await byTest('forensics-data-text').textContent()).toBe('v20')
      expect(await byTest('forensics-stat-version').textContent()).toBe(String(workload.end.tree.get('/f/data')!.version))
      await selectNode('/f/stays')
      await screenshot(page, `forensics-${kind}-tree-end`)

      // As of the zxid half-way: the value then, and the ephemerals of the session that closed later.
      await byTest('forensics-zxid').fill(`0x${workload.middle.zxid.toString(16)}`)
      await byTest('forensics-as-of').click()
      await expect.poll(() => byTest('forensics-tree-info').textContent()).toContain(`As of 0x${workload.middle.zxid.toString(16)}`)
      await selectNode('/f/data')
      expect(await byTest('forensics-data-text').textContent()).toBe('v10')
      await selectNode('/f/eph')
      expect(await treeRow('/f/m1').count()).toBe(0)

      // Tree export: a ZooDesk export document of the tree as of that zxid.
      await selectNode('/f')
      const treeDownload = page.waitForEvent('download')
      await byTest('forensics-export-tree').click()
      const treeFile = await (await treeDownload).path()
      const document = JSON.parse(readFileSync(treeFile, 'utf8')) as { format: string; root: string; nodes: { path: string }[] }
      expect(document.format).toBe('zoodesk-export')
      expect(document.root).toBe('/f')
      expect(document.nodes.map((node) => node.path).sort()).toEqual(
        [...workload.middle.tree.keys()].filter((path) => path.startsWith('/f')).map((path) => (path === '/f' ? '' : path.slice(3))).sort(),
      )

      // Txns of /f/data: every setData of it, the multi that set it too, and its create.
      await selectNode('/f/data')
      await byTest('forensics-node-txns').click()
      await byTest('forensics-txns').waitFor()
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe(`${workload.dataWrites + 1} txns`)
      await byTest('forensics-filter-types').locator('summary').click()
      await byTest('forensics-type-multi').check()
      await byTest('forensics-filter-apply').click()
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe('1 txns')
      await page.locator('[data-test="forensics-txn-row"][data-type="multi"]').click()
      await expect.poll(() => byTest('forensics-txn-detail').locator('[data-test="forensics-txn-body"][data-type="setData"]').count()).toBe(1)
      expect(await byTest('forensics-txn-detail').textContent()).toContain('/f/m1')
      await screenshot(page, `forensics-${kind}-txn-multi`)

      // All txns of the session that closed: its createSession, its ephemerals, its closeSession.
      await byTest('forensics-type-multi').uncheck()
      await byTest('forensics-filter-types').locator('summary').click()
      await byTest('forensics-filter-path').fill('')
      await byTest('forensics-filter-session').fill(`0x${BigInt.asUintN(64, workload.closedSessionId).toString(16)}`)
      await byTest('forensics-filter-apply').click()
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe('4 txns')
      const types = await page.locator('[data-test="forensics-txn-row"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')))
      expect(types).toEqual(['createSession', expect.stringMatching(/^create2?$/), expect.stringMatching(/^create2?$/), 'closeSession'])
      const txnDownload = page.waitForEvent('download')
      await byTest('forensics-export-txns').click()
      const txns = JSON.parse(readFileSync(await (await txnDownload).path(), 'utf8')) as { txns: { type: string; body: { paths2Delete?: string[] } }[] }
      expect(txns.txns.map((txn) => txn.type)).toEqual(types)
      expect(txns.txns.at(-1)?.body.paths2Delete?.length).toBe(2)
      await screenshot(page, `forensics-${kind}-txns-session`)
      await byTest('forensics-filter-session').fill('')
      await byTest('forensics-filter-apply').click()
    })
  }

  it('shows a damaged copy with where it stops and what was readable', async () => {
    const { dir } = made.find((one) => one.kind === 'apache')!
    const damaged = mkdtempSync(join(tmpdir(), 'zoodesk-e2e-forensics-damaged-'))
    workDirs.push(damaged)
    cpSync(dir, damaged, { recursive: true })
    const opened = await ForensicDataDir.open(damaged)
    const biggest = [...opened.logs].sort((x, y) => y.txnCount - x.txnCount)[0]!
    const rows = [...opened.filter({})].filter((row) => opened.index.fileIndex[row] === biggest.fileIndex)
    const victim = rows[Math.floor(rows.length / 2)]!
    const offset = opened.index.offset[victim]!
    const lastGood = opened.index.zxid[victim - 1]!
    await opened.close()
    flipBytes(biggest.file.path, offset + 20, 4)

    await openDataDir(damaged)
    const problem = byTest('forensics-problem').first()
    await problem.waitFor()
    const text = (await problem.textContent()) ?? ''
    expect(text).toContain('Corrupt')
    expect(text).toContain(biggest.file.name)
    expect(text).toContain(`at byte ${offset.toLocaleString('en-US')}`)
    expect(text).toContain(`last good zxid 0x${lastGood.toString(16)}`)
    expect(text).toContain(`${rows.indexOf(victim)} txns readable before`)
    expect(await page.locator(`[data-test="forensics-log"][data-name="${biggest.file.name}"] .badge`).textContent()).toBe('Corrupt')
    await screenshot(page, 'forensics-damaged')
    expect(browser.errors.filter((error) => !error.includes('favicon'))).toEqual([])
  })
})
