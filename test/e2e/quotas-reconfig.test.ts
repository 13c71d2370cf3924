// Quotas and reconfig end to end: browser mode in Debian Chromium with its default local cluster (ZooDesk, 3
// members). Quotas: set one from the view's form, grow the subtree from a second client and see the bars reach the
// soft and then the hard limit. Reconfig: the default ZooDesk ensemble shows its members and quorum, and refuses a
// change (reconfigEnabled is off) with Apache's RECONFIGDISABLED; then a ZooDesk and an Apache ZooKeeper 3.8 ensemble
// made with reconfigEnabled: remove the observer after a preview, see the new config, and add it back. Screenshots
// light and dark.
import { describe, expect, it } from 'vitest'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const RECONFIG_CLUSTER = 'e2e-reconfig'
const ui = useBrowserApp({ width: 1400, height: 900, removeClusters: [`${RECONFIG_CLUSTER}-zoodesk`, `${RECONFIG_CLUSTER}-apache`] })
const { byTest, showView } = ui

describe('Quotas view', () => {
  it('sets a quota from the form and shows usage reaching the soft and hard limits', async () => {
    const [cluster] = await ui.contract.api.clusters.list()
    const client = await connectZooKeeper(cluster!.connectString)
    try {
      await client.create('/e2e-quota', 'abc')
      await showView('quotas')
      await expect.poll(() => byTest('quotas-connection').inputValue(), { timeout: 30_000 }).not.toBe('')
      await byTest('quotas-path').fill('/e2e-quota')
      await byTest('quotas-count').fill('3')
      await byTest('quotas-count-hard').fill('5')
      await byTest('quotas-bytes').fill('64')
      await byTest('quotas-set').click()
      const card = ui.page.locator('[data-test="quota-card"]', { hasText: '/e2e-quota' })
      await expect.poll(() => card.getAttribute('data-level'), { timeout: 15_000 }).toBe('ok')

      for (let i = 0; i < 2; i++) await client.create(`/e2e-quota/n${i}`, 'x'.repeat(10))
      await byTest('quotas-refresh').click()
      await expect.poll(() => card.getAttribute('data-level'), { timeout: 15_000 }).toBe('soft')
      expect(await card.locator('[data-test="quota-soft"]').textContent()).toBe('Soft limit reached')
      for (let i = 2; i < 4; i++) await client.create(`/e2e-quota/n${i}`, 'x'.repeat(10))
      await byTest('quotas-refresh').click()
      await expect.poll(() => card.getAttribute('data-level'), { timeout: 15_000 }).toBe('hard')
      expect(await card.locator('[data-test="quota-bar-numbers"]').first().textContent()).toBe('5 / 3 soft · 5 hard')
      await screenshot(ui.page, 'quotas-light')
    } finally {
      await client.close()
    }
  }, 120_000)
})

describe('Reconfig view', () => {
  it('shows the default ZooDesk cluster’s quorum, and its refusal (reconfigEnabled is off) when a change is applied', async () => {
    await showView('reconfig')
    await expect.poll(() => ui.page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(3)
    expect(await ui.page.locator('[data-test="quorum-summary"]').first().textContent()).toBe('voters 3 · observers 0 · majority 2 · tolerates 1 failed')
    await byTest('reconfig-leave-3').check()
    await byTest('reconfig-preview').click()
    await expect.poll(() => byTest('reconfig-after').textContent(), { timeout: 15_000 }).toBe('voters 2 · observers 0 · majority 2 · tolerates 0 failed')
    await byTest('reconfig-apply').click()
    await byTest('confirm-ok').click()
    await expect.poll(() => ui.page.locator('.toast').last().textContent(), { timeout: 15_000 }).toContain('RECONFIGDISABLED')
    expect(await ui.page.locator('[data-test^="reconfig-member-"]').count()).toBe(3)
  }, 60_000)

  for (const kind of ['zoodesk', 'apache'] as const) {
    it(`removes the observer of a ${kind} ensemble made with reconfigEnabled after a preview, and adds it back`, async () => {
      const made = await ui.contract.api.clusters.create({ name: `${RECONFIG_CLUSTER}-${kind}`, voters: 3, observers: 1, kind, reconfigEnabled: true, tickTimeMs: 500 })
      await byTest('quick-connect-input').fill(`127.0.0.1:${made.members[0]!.clientPort}`)
      await byTest('quick-connect').click()
      await showView('reconfig')
      const select = byTest('reconfig-connection')
      await expect.poll(() => select.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1)
      await select.selectOption({ index: (await select.locator('option').count()) - 1 })
      await expect.poll(() => ui.page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(4)
      const observerSpec = (await byTest('reconfig-member-4').locator('code').textContent())!

      await byTest('reconfig-leave-4').check()
      await byTest('reconfig-preview').click()
      await expect.poll(() => byTest('reconfig-after').textContent(), { timeout: 15_000 }).toBe('voters 3 · observers 0 · majority 2 · tolerates 1 failed')
      expect(await byTest('reconfig-change-4').getAttribute('data-change')).toBe('leaving')
      await screenshot(ui.page, `reconfig-${kind}-preview-light`)
      await byTest('reconfig-apply').click()
      await byTest('confirm-ok').click()
      await expect.poll(() => ui.page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(3)
      expect(await byTest('reconfig-text').textContent()).not.toContain('server.4=')

      await byTest('reconfig-joining').fill(`server.4=${observerSpec}`)
      await byTest('reconfig-preview').click()
      await expect.poll(() => byTest('reconfig-change-4').getAttribute('data-change'), { timeout: 15_000 }).toBe('joining')
      await byTest('reconfig-apply').click()
      await byTest('confirm-ok').click()
      await expect.poll(() => ui.page.locator('[data-test^="reconfig-member-"]').count(), { timeout: 30_000 }).toBe(4)
      expect(await byTest('reconfig-text').textContent()).toContain(`server.4=${observerSpec}`)
      await byTest('theme-toggle').click()
      await screenshot(ui.page, `reconfig-${kind}-dark`)
      await byTest('theme-toggle').click()
    }, 240_000)
  }
})
