// End to end: the node panel's History tab in browser mode (headless Debian Chromium) on the default local cluster
// (3 ZooDesk members). Two other clients, each on its own member, change a node; the tab lists every version from a
// member's txn log with the sessions that made them, shows two versions in Monaco's diff, restores a version (the
// data equals that version), and refuses a restore after a concurrent change (BADVERSION shown, nothing overwritten).
// The chart of data sizes picks versions for the diff. Then an Apache ZooKeeper 3.8 local cluster (its members' txn
// logs read the same way), and a standalone Apache server that is no local cluster: a partial timeline from a watch,
// labelled so, growing while the tab is open.
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZooKeeperClient } from '../../engine/client'
import { type TestServer, startApache } from '../compat/harness/servers'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const APACHE_CLUSTER = 'e2e-history-apache'
const ui = useBrowserApp({ width: 1400, height: 900, removeClusters: [APACHE_CLUSTER] })
const { byTest, openPath } = ui
let first: ZooKeeperClient
let second: ZooKeeperClient
let standalone: TestServer | undefined
const path = '/e2e-history'
const hex = (value: bigint) => `0x${value.toString(16)}`

beforeAll(async () => {
  const [m1, m2] = ui.cluster?.members ?? []
  first = await connectZooKeeper(`127.0.0.1:${m1?.clientPort ?? 0}`)
  second = await connectZooKeeper(`127.0.0.1:${m2?.clientPort ?? 0}`)
})

afterAll(async () => {
  await first?.close().catch(() => {})
  await second?.close().catch(() => {})
  await standalone?.stop()
})

/** Connects the page to `connectString` with the quick-connect box (it becomes the active connection). */
async function quickConnect(connectString: string): Promise<void> {
  await ui.byTest('quick-connect-input').fill(connectString)
  await ui.byTest('quick-connect').click()
}

const historyRows = (): Locator => ui.page.locator('[data-test^="history-row-"]')

describe('History tab on a local cluster', () => {
  it('lists every version with its session, diffs two, and restores one', async () => {
    await first.create(path, Buffer.from('{"replicas": 1}'))
    await second.setData(path, Buffer.from('{"replicas": 2}'), 0)
    await first.setData(path, Buffer.from('{"replicas": 3, "zone": "b"}'), 1)
    await openPath(path)
    await byTest('tab-history').click()
    await expect.poll(() => historyRows().count(), { timeout: 30_000 }).toBe(3)
    expect(await byTest('history-source').textContent()).toContain('txn log')
    const kinds = await historyRows().evaluateAll((rows) => rows.map((one) => one.getAttribute('data-kind')))
    expect(kinds).toEqual(['setData', 'setData', 'create'])
    const who = await ui.page.locator('[data-test="history-who"]').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title')))
    expect(who).toEqual([hex(first.sessionId), hex(second.sessionId), hex(first.sessionId)])
    await byTest('history-diff').locator('.monaco-editor').first().waitFor()
    await expect.poll(() => byTest('history-diff').locator('.monaco-editor .view-lines').last().textContent()).toContain('zone')
    console.log(`history tab: ${await ui.page.locator('.history .bar .faint').last().textContent()}`)
    console.log(`screenshot: ${await screenshot(ui.page, 'history-versions-diff')}`)

    // The chart: a click at its left edge picks the oldest version (the create) as B.
    const plot = byTest('history-chart').locator('.u-over')
    await plot.waitFor()
    const box = (await plot.boundingBox())!
    await ui.page.mouse.move(box.x + 1, box.y + box.height / 2)
    await ui.page.mouse.down()
    await ui.page.mouse.up()
    const createdZxid = (await historyRows().last().getAttribute('data-test'))!.replace('history-row-', '')
    await expect.poll(() => ui.page.locator('input[name="history-right"]:checked').inputValue()).toBe(createdZxid)
    await expect.poll(async () => ((await byTest('history-diff').locator('.monaco-editor .view-lines').last().textContent()) ?? '').replace(/\u00a0/g, ' ')).toContain('"replicas": 1')

    const created = historyRows().last()
    await created.locator('[data-test^="history-restore-"]').click()
    await byTest('confirm-ok').click()
    await expect.poll(async () => (await first.getData(path)).data?.toString()).toBe('{"replicas": 1}')
    await expect.poll(() => historyRows().count()).toBe(4)
    console.log(`screenshot: ${await screenshot(ui.page, 'history-restored')}`)
  })

  it('refuses a restore after a concurrent change: BADVERSION shown, nothing overwritten', async () => {
    await expect.poll(() => historyRows().count()).toBe(4)
    // Someone else writes after the tab read the history (its current version is now stale).
    const { stat } = await first.getData(path)
    await second.setData(path, Buffer.from('{"replicas": 9}'), stat.version)
    await historyRows().nth(1).locator('[data-test^="history-restore-"]').click()
    await byTest('confirm-ok').click()
    await byTest('history-refused').waitFor()
    expect(await byTest('history-refused').textContent()).toContain('BADVERSION')
    expect((await first.getData(path)).data?.toString()).toBe('{"replicas": 9}')
    console.log(`screenshot: ${await screenshot(ui.page, 'history-badversion')}`)
  })
  it('reads the txn logs of an Apache ZooKeeper 3.8 local cluster the same way', async () => {
    const apache = await ui.contract.api.clusters.create({ name: APACHE_CLUSTER, voters: 3, kind: 'apache', tickTimeMs: 500 })
    const writer = await connectZooKeeper(apache.connectString)
    try {
      await writer.create(path, Buffer.from('a'))
      await writer.setData(path, Buffer.from('bb'), 0)
      await quickConnect(apache.connectString)
      await openPath(path)
      await byTest('tab-history').click()
      await expect.poll(() => historyRows().count(), { timeout: 30_000 }).toBe(2)
      expect(await byTest('history-source').textContent()).toContain('txn log')
      const who = await ui.page.locator('[data-test="history-who"]').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title')))
      expect(who).toEqual([hex(writer.sessionId), hex(writer.sessionId)])
      console.log(`screenshot: ${await screenshot(ui.page, 'history-apache-cluster')}`)
    } finally {
      await writer.close()
    }
  }, 180_000)

  it('on a server that is no local cluster: a partial timeline from a watch, growing while the tab is open', async () => {
    standalone = await startApache({ name: 'e2e-history-standalone', tickTime: 500 })
    const writer = await connectZooKeeper(standalone.connectString)
    try {
      await writer.create(path, Buffer.from('one'))
      await quickConnect(standalone.connectString)
      await openPath(path)
      await byTest('tab-history').click()
      await expect.poll(() => byTest('history-source').textContent(), { timeout: 30_000 }).toContain('Partial')
      await expect.poll(() => historyRows().count()).toBe(1)
      await writer.setData(path, Buffer.from('two'), 0)
      await expect.poll(() => historyRows().count(), { timeout: 15_000 }).toBe(2)
      console.log(`screenshot: ${await screenshot(ui.page, 'history-partial')}`)
    } finally {
      await writer.close()
    }
  }, 120_000)
})
