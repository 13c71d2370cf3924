// End to end: the Data dir view in browser mode (headless Debian Chromium) on data directories written by real
// servers — Apache ZooKeeper 3.8 (Debian) and ZooDesk — with a tiny snapCount: open by typed path, see snapshots and
// logs, browse the tree as of the last zxid and as of a zxid half-way, filter the txn log, read a txn decoded, export
// the tree and the txns as JSON, and see a damaged copy's error (file, offset, last good zxid). Screenshots of each.
import { cpSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ForensicDataDir, txnTypeName } from '../../engine/forensics'
import { readAllTxns } from '../../engine/txn'
import { type TestServer, startApache, startZooDesk } from '../compat/harness/servers'
import { type WorkloadResult, lowFreePort, runWorkload } from '../integration/forensics/workload'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'

const ui = useBrowserApp({ defaultCluster: false })
const { byTest, showView } = ui
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
}, 300_000)

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true })
})

const treeRow = (path: string): Locator => ui.page.locator(`[data-test="forensics-tree-row"][data-path="${path}"]`)

async function openDataDir(path: string): Promise<void> {
  await showView('forensics')
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
      await screenshot(ui.page, `forensics-${kind}-tree-end`)

      // As of the zxid half-way: the value then, and the ephemerals of the session that closed later.
      await byTest('forensics-zxid').fill(`0x${workload.middle.zxid.toString(16)}`)
      await byTest('forensics-as-of').click()
      await expect.poll(() => byTest('forensics-tree-info').textContent()).toContain(`As of 0x${workload.middle.zxid.toString(16)}`)
      await selectNode('/f/data')
      expect(await byTest('forensics-data-text').textContent()).toBe('v10')
      await selectNode('/f/eph')
      // The rows of the tree as of the end are replaced as the new tree's children load.
      await expect.poll(() => treeRow('/f/m1').count()).toBe(0)

      // Tree export: a ZooDesk export document of the tree as of that zxid.
      await selectNode('/f')
      const treeDownload = ui.page.waitForEvent('download')
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
      await ui.page.locator('[data-test="forensics-txn-row"][data-type="multi"]').click()
      await expect.poll(() => byTest('forensics-txn-detail').locator('[data-test="forensics-txn-body"][data-type="setData"]').count()).toBe(1)
      expect(await byTest('forensics-txn-detail').textContent()).toContain('/f/m1')
      await screenshot(ui.page, `forensics-${kind}-txn-multi`)

      // All txns of the session that closed: its createSession, its ephemerals, its closeSession.
      await byTest('forensics-type-multi').uncheck()
      await byTest('forensics-filter-types').locator('summary').click()
      await byTest('forensics-filter-path').fill('')
      await byTest('forensics-filter-session').fill(`0x${BigInt.asUintN(64, workload.closedSessionId).toString(16)}`)
      await byTest('forensics-filter-apply').click()
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe('4 txns')
      const types = await ui.page.locator('[data-test="forensics-txn-row"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')))
      expect(types).toEqual(['createSession', expect.stringMatching(/^create2?$/), expect.stringMatching(/^create2?$/), 'closeSession'])
      const txnDownload = ui.page.waitForEvent('download')
      await byTest('forensics-export-txns').click()
      const txns = JSON.parse(readFileSync(await (await txnDownload).path(), 'utf8')) as { txns: { type: string; body: { paths2Delete?: string[] } }[] }
      expect(txns.txns.map((txn) => txn.type)).toEqual(types)
      expect(txns.txns.at(-1)?.body.paths2Delete?.length).toBe(2)
      await screenshot(ui.page, `forensics-${kind}-txns-session`)
      await byTest('forensics-filter-session').fill('')
      await byTest('forensics-filter-apply').click()

      // Over all txns: txns per second on a chart above the list, and counts by type — those of a full read of the logs.
      const logged = await readAllTxns(join(dir, 'version-2'))
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe(`${logged.length} txns`)
      await expect.poll(() => byTest('forensics-rate-plot').getAttribute('data-drawn')).toBe('true')
      const byType = new Map<string, number>()
      for (const entry of logged) byType.set(txnTypeName(entry.header.type), (byType.get(txnTypeName(entry.header.type)) ?? 0) + 1)
      const counts = await ui.page.locator('[data-test="forensics-type-count"]').evaluateAll((chips) => chips.map((chip) => [chip.getAttribute('data-type'), chip.querySelector('b')?.textContent]))
      expect(new Map(counts.map(([type, count]) => [type, Number(count?.replace(/,/g, ''))]))).toEqual(byType)
      await screenshot(ui.page, `forensics-${kind}-rate`)

      // A range dragged across the chart's right part becomes the time filter (whole seconds): the list then holds
      // exactly the logged txns of that range.
      const plot = await ui.page.locator('[data-test="forensics-rate-plot"] .u-over').boundingBox()
      expect(plot).not.toBeNull()
      const y = plot!.y + plot!.height / 2
      const buckets = Number(await byTest('forensics-rate-plot').getAttribute('data-buckets'))
      await ui.page.mouse.move(plot!.x + plot!.width * 0.7, y)
      await ui.page.mouse.down()
      await ui.page.mouse.move(plot!.x + plot!.width * 0.85, y, { steps: 5 })
      await ui.page.mouse.move(plot!.x + plot!.width - 2, y, { steps: 5 })
      await ui.page.mouse.up()
      await byTest('forensics-rate-widen').waitFor()
      const from = new Date(await byTest('forensics-filter-from').inputValue()).getTime()
      const to = new Date(await byTest('forensics-filter-to').inputValue()).getTime() + 999
      const inRange = logged.filter((entry) => entry.header.time >= from && entry.header.time <= to)
      expect(inRange.length).toBeGreaterThan(0)
      // The workload spans a second or a few: with more than one bucket, the right part leaves the first one out.
      if (buckets > 1) expect(inRange.length).toBeLessThan(logged.length)
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe(`${inRange.length} txns`)
      await screenshot(ui.page, `forensics-${kind}-rate-dragged`)
      await byTest('forensics-rate-widen').click()
      await expect.poll(() => byTest('forensics-txn-total').textContent()).toBe(`${logged.length} txns`)
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
    expect(await ui.page.locator(`[data-test="forensics-log"][data-name="${biggest.file.name}"] .badge`).textContent()).toBe('Corrupt')
    await screenshot(ui.page, 'forensics-damaged')
    expect(ui.browser.errors.filter((error) => !error.includes('favicon'))).toEqual([])
  })
})
