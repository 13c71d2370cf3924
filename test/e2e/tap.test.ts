// The Tap view end to end: browser mode in Debian Chromium with its default local cluster (ZooDesk, 3 members).
// Attach from the view to the cluster's connection, run writes from a second client (its own session), and see them
// stream into the table with counts and the rates chart; filter, pause, detach. Then an Apache ZooKeeper 3.8
// cluster made through the contract, tapped by a connect string typed into the view. Screenshots light and dark.
import { afterAll, describe, expect, it } from 'vitest'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { currentTheme } from './support/page-scripts'
import { connectZooKeeper } from './support/second-client'

const ui = useBrowserApp({ width: 1400, height: 1000, removeClusters: ['e2e-tap-apache'] })
const { byTest, showView } = ui

// Runs before the app closes (after-hooks run as a stack): no tap left attached to a cluster about to go.
afterAll(async () => {
  for (const tap of (await ui.contract?.api.tap.list().catch(() => [])) ?? []) await ui.contract.api.tap.detach({ tapId: tap.tapId }).catch(() => {})
})

const count = async (type: string): Promise<number> => {
  const chip = ui.page.locator(`[data-test="tap-count"][data-type="${type}"] b`)
  return (await chip.count()) === 0 ? 0 : Number((await chip.textContent())!.replace(/[^0-9]/g, ''))
}

async function writeLoad(connectString: string, root: string, nodes: number): Promise<number> {
  const client = await connectZooKeeper(connectString)
  try {
    await client.create(root, 'r')
    for (let i = 0; i < nodes; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, nodes - i) }, (_, j) => client.create(`${root}/n${i + j}`, `v${i + j}`)))
      await Promise.all(Array.from({ length: Math.min(25, nodes - i) }, (_, j) => client.setData(`${root}/n${i + j}`, 'changed')))
    }
    return 1 + 2 * nodes
  } finally {
    await client.close()
  }
}

describe('Tap view', () => {
  it('attaches to the local cluster through its connection and streams another client’s writes with rates', async () => {
    await showView('tap')
    await expect.poll(() => byTest('tap-connection').inputValue(), { timeout: 30_000 }).not.toBe('')
    const attachedAt = Date.now()
    await byTest('tap-attach').click()
    await expect.poll(() => byTest('tap-state').getAttribute('data-phase'), { timeout: 60_000 }).toBe('live')
    console.log(`tap live ${Date.now() - attachedAt} ms after the click`)
    expect(await byTest('tap-leader').textContent()).toMatch(/^[123]$/)

    const [cluster] = await ui.contract.api.clusters.list()
    const writes = await writeLoad(cluster!.connectString, '/e2e-tap', 300)
    await expect.poll(() => count('setData'), { timeout: 30_000 }).toBe(300)
    await expect.poll(() => count('create'), { timeout: 30_000 }).toBe(301)
    expect(await count('createSession')).toBeGreaterThanOrEqual(1)
    expect(writes).toBe(601)
    const rows = ui.page.locator('[data-test="tap-row"]')
    expect(await rows.count()).toBeGreaterThan(10)
    expect(await rows.count()).toBeLessThan(200) // virtualised: a screenful, not 600 rows
    await expect.poll(async () => (await byTest('tap-rows').textContent()) ?? '').toContain('/e2e-tap/n')

    // Filter by path and type, then pause: new txns count but the table holds still.
    await byTest('tap-filter-type').selectOption('create')
    await byTest('tap-filter-path').fill('/e2e-tap/n29')
    await expect.poll(() => ui.page.locator('[data-test="tap-row"][data-type="create"]').count()).toBe(11) // n29, n290…n299
    expect(await ui.page.locator('[data-test="tap-row"][data-type="setData"]').count()).toBe(0)
    await screenshot(ui.page, 'tap-01-filtered')
    await byTest('tap-filter-path').fill('')
    await byTest('tap-filter-type').selectOption('')
    await byTest('tap-pause').click()
    const shownBefore = await byTest('tap-shown').textContent()
    await writeLoad(cluster!.connectString, '/e2e-tap-paused', 20)
    await expect.poll(() => count('setData'), { timeout: 30_000 }).toBe(320)
    expect(await byTest('tap-shown').textContent()).toBe(shownBefore)
    await byTest('tap-pause').click()
    await expect.poll(() => byTest('tap-shown').textContent()).not.toBe(shownBefore)
    // The rates chart has a line per type plus the total.
    await expect.poll(() => ui.page.locator('[data-test="tap-rates"] .u-legend .u-series').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(4)
    await screenshot(ui.page, 'tap-02-live-light')
    await byTest('theme-toggle').click()
    await expect.poll(() => ui.page.evaluate<string>(currentTheme())).toBe('dark')
    await screenshot(ui.page, 'tap-03-live-dark')
    await byTest('theme-toggle').click()

    await byTest('tap-detach').click()
    await expect.poll(() => byTest('tap-state').getAttribute('data-phase')).toBe('stopped')
    expect(await ui.contract.api.tap.list()).toEqual([])
    expect(ui.browser.errors).toEqual([])
  }, 180_000)

  it('taps an Apache ZooKeeper 3.8 cluster by a connect string typed into the view', async () => {
    const apache = await ui.contract.api.clusters.create({ name: 'e2e-tap-apache', voters: 3, kind: 'apache', tickTimeMs: 500 })
    // Serving once a client gets a session (the tap's own leader search retries too).
    const probe = await connectZooKeeper(apache.connectString)
    await probe.close()
    await byTest('tap-source').selectOption('connectString')
    await byTest('tap-connect-string').fill(apache.connectString)
    await byTest('tap-attach').click()
    await expect.poll(() => byTest('tap-state').getAttribute('data-phase'), { timeout: 60_000 }).toBe('live')
    await writeLoad(apache.connectString, '/e2e-apache-tap', 100)
    await expect.poll(() => count('setData'), { timeout: 30_000 }).toBe(100)
    await expect.poll(async () => (await byTest('tap-rows').textContent()) ?? '').toContain('/e2e-apache-tap/n')
    await screenshot(ui.page, 'tap-04-apache')
    await byTest('tap-detach').click()
    await expect.poll(() => byTest('tap-state').getAttribute('data-phase')).toBe('stopped')
  }, 240_000)
})
