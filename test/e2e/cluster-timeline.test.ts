// The cluster panel's ZAB timeline end to end: browser mode in Debian Chromium, a real 3-member ZooDesk cluster made
// through the panel, its first election shown with every vote; kill the leader with a click and watch the new
// election (votes in a new round, the new leader) appear in the election list and on the roles chart. Screenshots in
// light and dark themes.
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { currentTheme } from './support/page-scripts'

const ui = useBrowserApp({ defaultCluster: false, width: 1400, height: 1000, removeClusters: 'all' })
const { byTest, showView } = ui

const newestElection = (): Locator => byTest('cluster-election').first()

describe('cluster panel: election/commit timeline', () => {
  it('shows the election with votes, then the new election and leader after the leader is killed', async () => {
    await showView('cluster')
    await byTest('cluster-new').click()
    await byTest('cluster-name').fill('e2e-zab')
    await byTest('cluster-voters').fill('3')
    await ui.page.locator('[data-test="cluster-create-form"] input[type="number"]').nth(3).fill('500')
    const createdAt = Date.now()
    await byTest('cluster-create').click()
    await expect.poll(() => ui.page.locator('[data-test="cluster-member"]').count(), { timeout: 90_000 }).toBe(3)

    // The first election: a card with a leader and the votes of its members. A member that started after the others
    // had already elected (a slow process start) shows as a card of its own that joined that leader: every member is
    // in one card or the other.
    const firstElection = ui.page.locator('[data-test="cluster-election"][data-kind="election"]').last()
    await expect.poll(() => firstElection.getAttribute('data-leader'), { timeout: 90_000 }).toMatch(/^[123]$/)
    const firstLeader = (await firstElection.getAttribute('data-leader'))!
    console.log(`first election shown ${Date.now() - createdAt} ms after "create" (includes starting 3 members); leader ${firstLeader}`)
    const membersShown = async (): Promise<string[]> =>
      [...new Set(await ui.page.locator('[data-test="cluster-election"] [data-test="election-member"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-member-id') ?? '')))].sort()
    await expect.poll(membersShown).toEqual(['1', '2', '3'])
    const voters = await firstElection.locator('[data-test="election-member"]').count()
    expect(voters).toBeGreaterThanOrEqual(2)
    await expect.poll(() => firstElection.locator('[data-test="election-vote"]').count()).toBeGreaterThanOrEqual(voters)
    for (const join of await ui.page.locator('[data-test="cluster-election"][data-kind="join"]').all()) expect(await join.getAttribute('data-leader')).toBe(firstLeader)
    expect(await byTest('roles-lane').count()).toBe(3)
    await expect.poll(() => ui.page.locator(`[data-test="roles-lane"][data-member-id="${firstLeader}"] [data-current="true"]`).getAttribute('data-state')).toBe('LEADING')
    await screenshot(ui.page, 'zab-01-first-election')

    // Kill the leader with a click.
    const killedAt = Date.now()
    await ui.page.locator(`[data-test="cluster-member"][data-member-id="${firstLeader}"] [data-test="member-kill"]`).click()
    await expect.poll(() => newestElection().getAttribute('data-leader'), { timeout: 60_000 }).toMatch(new RegExp(`^[123]$`))
    await expect
      .poll(async () => {
        const leader = await newestElection().getAttribute('data-leader')
        return leader !== null && leader !== '' && leader !== firstLeader && (await byTest('cluster-election').count()) >= 2
      }, { timeout: 60_000 })
      .toBe(true)
    const newLeader = (await newestElection().getAttribute('data-leader'))!
    console.log(`new election shown ${Date.now() - killedAt} ms after the kill click; leader ${newLeader}`)
    const card = newestElection()
    expect(await card.locator('[data-test="election-member"]').count()).toBe(2)
    expect(await card.locator('[data-test="election-vote"]').count()).toBeGreaterThanOrEqual(2)
    expect(await card.textContent()).toContain(`Leader ${newLeader} elected`)
    expect(await card.textContent()).toMatch(/round \d/)
    // The roles chart: the killed member is down, the new leader leads, two election marks.
    await expect.poll(() => ui.page.locator(`[data-test="roles-lane"][data-member-id="${firstLeader}"] [data-current="true"]`).getAttribute('data-state')).toBe('down')
    await expect.poll(() => ui.page.locator(`[data-test="roles-lane"][data-member-id="${newLeader}"] [data-current="true"]`).getAttribute('data-state')).toBe('LEADING')
    expect(await byTest('roles-elected').count()).toBeGreaterThanOrEqual(2)
    await byTest('cluster-roles-chart').scrollIntoViewIfNeeded()
    await screenshot(ui.page, 'zab-02-after-kill-light')

    // The same history through the contract, as a panel opened late gets it.
    const cluster = (await ui.contract.api.clusters.list()).find((one) => one.name === 'e2e-zab')!
    const { events } = await ui.contract.api.clusters.timeline({ clusterId: cluster.clusterId })
    expect(events.some((e) => e.event.type === 'vote')).toBe(true)
    expect(events.some((e) => e.event.type === 'elected' && e.event.leader === Number(newLeader))).toBe(true)
    const later = await ui.contract.api.clusters.timeline({ clusterId: cluster.clusterId, sinceMs: killedAt })
    expect(later.events.length).toBeLessThan(events.length)
    expect(later.events.every((e) => e.time >= killedAt)).toBe(true)

    // Restart the old leader: it looks, finds the new leader and rejoins (no new leader elected).
    await ui.page.locator(`[data-test="cluster-member"][data-member-id="${firstLeader}"] [data-test="member-restart"]`).click()
    await expect.poll(() => newestElection().textContent(), { timeout: 60_000 }).toContain(`Member ${firstLeader} rejoined leader ${newLeader}`)
    await expect.poll(() => ui.page.locator(`[data-test="roles-lane"][data-member-id="${firstLeader}"] [data-current="true"]`).getAttribute('data-state')).toBe('FOLLOWING')

    // Dark theme.
    await byTest('theme-toggle').click()
    await expect.poll(() => ui.page.evaluate<string>(currentTheme())).toBe('dark')
    await screenshot(ui.page, 'zab-03-rejoined-dark')
    await byTest('theme-toggle').click()
  }, 300_000)
})
