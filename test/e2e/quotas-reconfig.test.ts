// Quotas and reconfig end to end: browser mode in Debian Chromium with its default local cluster (ZooDesk, 3
// members). Quotas: set one from the view's form, grow the subtree from a second client and see the bars reach the
// soft and then the hard limit. Reconfig: the ZooDesk ensemble shows its members and quorum with a clear "not
// supported by our engine"; then a real Apache ZooKeeper 3.8 ensemble started with reconfigEnabled=true: remove its
// observer after a preview, see the new config, and add it back. Screenshots light and dark.
import type { Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../../engine/cluster'
import type { ApiClient } from '../../renderer/api/client'
import { type Browser, type BrowserMode, openBrowser, screenshot, startBrowserMode } from './support/browser-mode'
import { connectZooKeeper, openContractClient } from './support/second-client'

let web: BrowserMode
let browser: Browser
let page: Page
let contract: ApiClient
let apache: LocalCluster | undefined

beforeAll(async () => {
  web = await startBrowserMode()
  browser = await openBrowser(web.url, { width: 1400, height: 900 })
  page = browser.page
  contract = await openContractClient(web.rpcUrl)
}, 240_000)

afterAll(async () => {
  contract?.close()
  await browser?.close()
  await web?.close()
  await apache?.close()
}, 90_000)

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page !== undefined) await screenshot(page, `failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {})
})

const byTest = (id: string): Locator => page.locator(`[data-test="${id}"]`)

describe('Quotas view', () => {
  it('sets a quota from the form and shows usage reaching the soft and hard limits', async () => {
    const [cluster] = await contract.api.clusters.list()
    const client = await connectZooKeeper(cluster!.connectString)
    try {
      await client.create('/e2e-quota', 'abc')
      await byTest('view-quotas').click()
      await expect.poll(() => byTest('quotas-connection').inputValue(), { timeout: 30_000 }).not.toBe('')
      await byTest('quotas-path').fill('/e2e-quota')
      await byTest('quotas-count').fill('3')
      await byTest('quotas-count-hard').fill('5')
      await byTest('quotas-bytes').fill('64')
      await byTest('quotas-set').click()
      const card = page.locator('[data-test="quota-card"]', { hasText: '/e2e-quota' })
      await expect.poll(() => card.getAttribute('data-level'), { timeout: 15_000 }).toBe('ok')

      for (let i = 0; i < 2; i++) await client.create(`/e2e-quota/n${i}`, 'x'.repeat(10))
      await byTest('quotas-refresh').click()
      await expect.poll(() => card.getAttribute('data-level'), { timeout: 15_000 }).toBe('soft')
      expect(await card.locator('[data-test="quota-soft"]').textContent()).toBe('Soft limit reached')
      for (let i = 2; i < 4; i++) await client.create(`/e2e-quota/n${i}`, 'x'.repeat(10))
      await byTest('quotas-refresh').click()
      await expect.poll(() => card.getAttribute('data-level'), { timeout: 15_000 }).toBe('hard')
      expect(await card.locator('[data-test="quota-bar-numbers"]').first().textContent()).toBe('5 / 3 soft · 5 hard')
      await screenshot(page, 'quotas-light')
    } finally {
      await client.close()
    }
  }, 120_000)
})

describe('Reconfig view', () => {
  it('shows the ZooDesk ensemble’s quorum and explains that our engine cannot reconfigure yet', async () => {
    await byTest('view-reconfig').click()
    await expect.poll(async () => (await byTest('reconfig-unsupported').count()) > 0, { timeout: 30_000 }).toBe(true)
    expect(await byTest('reconfig-unsupported').textContent()).toContain('does not implement dynamic reconfiguration')
    expect(await page.locator('[data-test="quorum-summary"]').first().textContent()).toBe('voters 3 · observers 0 · majority 2 · tolerates 1 failed')
    expect(await byTest('reconfig-apply').isDisabled()).toBe(true)
  }, 60_000)

  it('removes the observer of an Apache ensemble after a preview and adds it back', async () => {
    apache = await LocalCluster.create({
      voters: 3,
      observers: 1,
      kind: 'apache',
      reconfigEnabled: true,
      apache: { jvmFlags: ['-Dzookeeper.skipACL=yes'], heapMb: 256 },
      tickTimeMs: 500,
      initLimit: 10,
      syncLimit: 5,
    })
    await apache.start()
    await apache.waitForServing(90_000)
    await contract.api.connections.open({ kind: 'adHoc', connection: { connectString: `127.0.0.1:${apache.member(1).clientPort}`, name: 'Apache reconfig' } })
    await page.reload()
    await byTest('view-reconfig').click()
    const select = byTest('reconfig-connection')
    await expect.poll(async () => (await select.locator('option', { hasText: 'Apache reconfig' }).count()) > 0, { timeout: 30_000 }).toBe(true)
    await select.selectOption({ label: 'Apache reconfig' })
    await expect.poll(() => page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(4)
    expect(await byTest('reconfig-unsupported').count()).toBe(0)
    const observerSpec = (await byTest('reconfig-member-4').locator('code').textContent())!

    await byTest('reconfig-leave-4').check()
    await byTest('reconfig-preview').click()
    await expect.poll(() => byTest('reconfig-after').textContent(), { timeout: 15_000 }).toBe('voters 3 · observers 0 · majority 2 · tolerates 1 failed')
    expect(await byTest('reconfig-change-4').getAttribute('data-change')).toBe('leaving')
    await screenshot(page, 'reconfig-preview-light')
    await byTest('reconfig-apply').click()
    await byTest('confirm-ok').click()
    await expect.poll(() => page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(3)
    expect(await byTest('reconfig-text').textContent()).not.toContain('server.4=')

    await byTest('reconfig-joining').fill(`server.4=${observerSpec}`)
    await byTest('reconfig-preview').click()
    await expect.poll(() => byTest('reconfig-change-4').getAttribute('data-change'), { timeout: 15_000 }).toBe('joining')
    await byTest('reconfig-apply').click()
    await byTest('confirm-ok').click()
    await expect.poll(() => page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(4)
    expect(await byTest('reconfig-text').textContent()).toContain(`server.4=${observerSpec}`)
    await byTest('theme-toggle').click()
    await screenshot(page, 'reconfig-dark')
    await byTest('theme-toggle').click()
  }, 240_000)
})
