// The Diff view end to end: browser mode in Debian Chromium with its default local cluster (ZooDesk, 3 members)
// and an Apache ZooKeeper 3.8 cluster made through the contract. Compare two subtrees of one cluster, look at a
// changed node in Monaco's diff editor, apply picked entries while another client changes the target (that
// transaction aborts with BADVERSION, nothing of it written), mirror, and compare again (no differences left).
// Then mirror a subtree of the ZooDesk cluster onto the Apache one. Screenshots light and dark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZooKeeperClient } from '../../engine/client'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { currentTheme } from './support/page-scripts'
import { connectZooKeeper } from './support/second-client'

const APACHE = 'e2e-diffs-apache'
const ui = useBrowserApp({ width: 1500, height: 1000, removeClusters: [APACHE] })
const { byTest, showView } = ui
/** Another client of the local cluster, on its own session: the concurrent writer. */
let other: ZooKeeperClient

beforeAll(async () => {
  other = await connectZooKeeper(ui.connectString)
  const acl = [{ perms: 1 | 2 | 16, id: { scheme: 'world', id: 'anyone' } }]
  for (const [path, data] of [
    ['/e2e-src', 'root'],
    ['/e2e-src/config', '{\n  "replicas": 3,\n  "mode": "blue"\n}'],
    ['/e2e-src/same', 'equal'],
    ['/e2e-src/only-in-source', 'new'],
    ['/e2e-src/only-in-source/child', 'newer'],
    ['/e2e-dst', 'root'],
    ['/e2e-dst/config', '{\n  "replicas": 2,\n  "mode": "blue"\n}'],
    ['/e2e-dst/same', 'equal'],
    ['/e2e-dst/only-in-target', 'old'],
  ] as const) {
    await other.create(path, data)
  }
  await other.create('/e2e-src/locked', 'x', { acl })
  await other.create('/e2e-dst/locked', 'x')
})

afterAll(async () => {
  await other?.close().catch(() => {})
})

const countOf = async (status: string): Promise<number> => Number(((await byTest(`diff-count-${status}`).textContent()) ?? '').replace(/[^0-9]/g, ''))

async function compare(source: string, target: string): Promise<void> {
  await byTest('diff-source-path').fill(source)
  await byTest('diff-target-path').fill(target)
  const before = (await byTest('diff-summary').count()) === 0 ? null : await byTest('diff-summary').getAttribute('data-diff-id')
  const startedAt = Date.now()
  await byTest('diff-compare').click()
  // A new diff id once the compare is back (the last one stays on screen meanwhile).
  await expect.poll(async () => ((await byTest('diff-summary').count()) === 0 ? null : await byTest('diff-summary').getAttribute('data-diff-id')), { timeout: 30_000 }).not.toBe(before)
  await expect.poll(() => byTest('diff-summary').getAttribute('data-diff-id'), { timeout: 30_000 }).not.toBeNull()
  console.log(`compare ${source} → ${target}: ${Date.now() - startedAt} ms from the click`)
}

describe('Diff view', () => {
  it('compares two subtrees, shows a data diff, applies picked entries and reports a concurrent change', async () => {
    await showView('diffs')
    await expect.poll(() => byTest('diff-source-connection').inputValue(), { timeout: 30_000 }).not.toBe('')
    await compare('/e2e-src', '/e2e-dst')
    await expect.poll(() => countOf('added')).toBe(2)
    expect(await countOf('changed')).toBe(2)
    expect(await countOf('removed')).toBe(1)
    expect(await countOf('unchanged')).toBe(2)
    expect(await byTest('diff-row-locked').getAttribute('data-status')).toBe('changed')
    expect(await byTest('diff-row-locked').textContent()).toContain('ACL')

    await byTest('diff-row-config').click()
    await expect.poll(() => ui.page.locator('[data-test="monaco-diff"] .view-lines').count(), { timeout: 30_000 }).toBe(2)
    // Monaco renders spaces as no-break spaces.
    await expect.poll(async () => ((await ui.page.locator('[data-test="monaco-diff"]').textContent()) ?? '').replace(/\u00a0/g, ' ')).toContain('"replicas": 3')
    await screenshot(ui.page, 'diffs-01-compared-light')

    // Pick config and the nested added child (its added parent comes along); preview lists the exact writes.
    await byTest('diff-pick-config').check()
    await byTest('diff-pick-only-in-source/child').check()
    await byTest('diff-apply-picked').click()
    await expect.poll(() => byTest('diff-plan-counts').textContent()).toBe('2 creates, 1 setDatas, 0 setACLs, 0 deletes in 1 transactions')
    expect(await byTest('diff-op-0').textContent()).toContain('/e2e-dst/config')
    await screenshot(ui.page, 'diffs-02-preview')
    // Meanwhile another client changes the target's config: the transaction must abort, not overwrite it.
    await other.setData('/e2e-dst/config', '{"replicas": 5}')
    await byTest('diff-apply-confirm').click()
    await expect.poll(() => byTest('diff-report').isVisible(), { timeout: 30_000 }).toBe(true)
    expect(await byTest('diff-batch-0').textContent()).toContain('BADVERSION at /e2e-dst/config')
    expect((await other.getData('/e2e-dst/config')).data?.toString()).toBe('{"replicas": 5}')
    expect(await other.exists('/e2e-dst/only-in-source')).toBeNull()
    await screenshot(ui.page, 'diffs-03-aborted')

    // Compare again and mirror everything: then nothing differs.
    await compare('/e2e-src', '/e2e-dst')
    await byTest('diff-mirror').click()
    await expect.poll(() => byTest('diff-plan-counts').textContent()).toBe('2 creates, 1 setDatas, 1 setACLs, 1 deletes in 3 transactions')
    await byTest('diff-apply-confirm').click()
    await expect.poll(() => byTest('diff-report').textContent(), { timeout: 30_000 }).toContain('5 writes applied, 0 aborted')
    await compare('/e2e-src', '/e2e-dst')
    await expect.poll(() => countOf('unchanged')).toBe(6)
    expect([await countOf('added'), await countOf('changed'), await countOf('removed')]).toEqual([0, 0, 0])
    expect(ui.browser.errors).toEqual([])
  }, 180_000)

  it('imports an export file only through a preview: the tree’s Import opens the diff, applying picked entries imports them', async () => {
    const exported = await ui.contract.api.znodes.export({ connectionId: (await ui.contract.api.connections.list())[0]!.connectionId, path: '/e2e-src', format: 'json' })
    await other.create('/e2e-imp', 'root')
    await other.create('/e2e-imp/same', 'equal')
    await other.create('/e2e-imp/only-here', 'kept')
    await ui.openPath('/e2e-imp')
    await ui.row('/e2e-imp').click({ button: 'right' })
    const chooser = ui.page.waitForEvent('filechooser')
    await byTest('menu-import').click()
    await (await chooser).setFiles({ name: 'e2e-src.json', mimeType: 'application/json', buffer: Buffer.from(exported.content) })
    await expect.poll(() => byTest('diff-summary').isVisible(), { timeout: 30_000 }).toBe(true)
    expect(await byTest('diff-view').textContent()).toContain('e2e-src.json')
    expect(await other.exists('/e2e-imp/config')).toBeNull()
    await expect.poll(() => countOf('added')).toBe(4)
    expect(await countOf('removed')).toBe(1)
    await screenshot(ui.page, 'diffs-05-import-preview')
    // Import what the file adds; the node only the target has stays (nothing removed unless picked).
    for (const path of ['config', 'locked', 'only-in-source/child']) await byTest(`diff-pick-${path}`).check()
    await byTest('diff-apply-picked').click()
    await byTest('diff-apply-confirm').click()
    await expect.poll(() => byTest('diff-report').textContent(), { timeout: 30_000 }).toContain('0 aborted')
    expect((await other.getData('/e2e-imp/config')).data?.toString()).toContain('"replicas": 3')
    expect((await other.getData('/e2e-imp/only-in-source/child')).data?.toString()).toBe('newer')
    expect((await other.getData('/e2e-imp/only-here')).data?.toString()).toBe('kept')
  }, 120_000)

  it('mirrors a subtree of the ZooDesk cluster onto an Apache ZooKeeper 3.8 cluster', async () => {
    const apache = await ui.contract.api.clusters.create({ name: APACHE, voters: 1, kind: 'apache', tickTimeMs: 500 })
    const probe = await connectZooKeeper(apache.connectString)
    await probe.create('/copy', 'stale')
    await probe.create('/copy/extra', 'only here')
    await probe.close()
    await byTest('quick-connect-input').fill(apache.connectString)
    await byTest('quick-connect').click()
    await showView('diffs')
    await expect.poll(() => ui.page.locator(`[data-test="diff-target-connection"] option`).count(), { timeout: 30_000 }).toBe(2)
    await byTest('diff-target-connection').selectOption({ index: 1 })
    await compare('/e2e-src', '/copy')
    expect([await countOf('added'), await countOf('changed'), await countOf('removed')]).toEqual([5, 1, 1])
    await byTest('diff-mirror').click()
    await byTest('diff-apply-confirm').click()
    await expect.poll(() => byTest('diff-report').textContent(), { timeout: 30_000 }).toContain('0 aborted')
    await compare('/e2e-src', '/copy')
    await expect.poll(() => countOf('unchanged')).toBe(6)
    await byTest('theme-toggle').click()
    await expect.poll(() => ui.page.evaluate<string>(currentTheme())).toBe('dark')
    await byTest('diff-count-unchanged').click()
    await screenshot(ui.page, 'diffs-04-cross-cluster-dark')
    await byTest('theme-toggle').click()
    expect(ui.browser.errors).toEqual([])
  }, 240_000)
})
