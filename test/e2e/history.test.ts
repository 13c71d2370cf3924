// End to end: the node panel's History tab in browser mode (headless Debian Chromium) on the default local cluster
// (3 ZooDesk members). Two other clients, each on its own member, change a node; the tab lists every version from a
// member's txn log with the sessions that made them, shows two versions in Monaco's diff, restores a version (the
// data equals that version), and refuses a restore after a concurrent change (BADVERSION shown, nothing overwritten).
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZooKeeperClient } from '../../engine/client'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const ui = useBrowserApp({ width: 1400, height: 900 })
const { byTest, openPath } = ui
let first: ZooKeeperClient
let second: ZooKeeperClient
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
})

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
})
