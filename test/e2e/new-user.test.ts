// A new user's walk, part 2 (issue 6, acceptance 4), for the flows the other e2e files do not cover: a node whose
// ACL hides one child still expands (the child is marked), Delete on a node with children goes to the recursive
// delete, an open connection takes its profile's new name and colour, the console's first prompt shows the real
// state, and zero times of system nodes read "not recorded". Browser mode on a real local cluster, headless Chromium.
import { createHash } from 'node:crypto'
import type { Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Perms, type ZooKeeperClient } from '../../engine/client'
import type { ApiClient } from '../../renderer/api/client'
import { type Browser, type BrowserMode, openBrowser, screenshot, startBrowserMode } from './support/browser-mode'
import { connectZooKeeper, openContractClient } from './support/second-client'

let web: BrowserMode
let browser: Browser
let page: Page
let contract: ApiClient
let other: ZooKeeperClient
let connectString = ''

beforeAll(async () => {
  web = await startBrowserMode()
  browser = await openBrowser(web.url)
  page = browser.page
  contract = await openContractClient(web.rpcUrl)
  const clusters = await contract.api.clusters.list()
  connectString = clusters.find((cluster) => cluster.isDefault)?.connectString ?? ''
  other = await connectZooKeeper(connectString)
}, 240_000)

afterAll(async () => {
  await other?.close().catch(() => {})
  contract?.close()
  await browser?.close()
  await web?.close()
}, 60_000)

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page !== undefined) await screenshot(page, `nu-failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {})
  await page?.keyboard.press('Escape').catch(() => {})
  await page?.keyboard.press('Escape').catch(() => {})
})

const byTest = (id: string): Locator => page.locator(`[data-test="${id}"]`)
const row = (path: string): Locator => page.locator(`[data-test="tree-row"][data-path="${path}"]`)

async function expand(path: string): Promise<void> {
  await row(path).waitFor()
  if ((await row(path).getAttribute('aria-expanded')) !== 'true') await row(path).dblclick()
}

describe('a new user’s walk, part 2', () => {
  it('expands a node with a child only other credentials can read, and marks that child', async () => {
    await other.create('/nu', null)
    await other.create('/nu/open', null)
    const digest = createHash('sha1').update('admin:secret').digest('base64')
    await other.create('/nu/secret', Buffer.from('top secret'), { acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: `admin:${digest}` } }] })
    await byTest('view-explorer').click()
    await expand('/')
    await expand('/nu')
    await row('/nu/secret').waitFor()
    await expect.poll(() => row('/nu/secret').locator('[data-test="tree-unreadable"]').count()).toBe(1)
    expect(await row('/nu/open').locator('[data-test="tree-unreadable"]').count()).toBe(0)
    await row('/nu/secret').click()
    await expect.poll(() => byTest('data-load-error').textContent()).toContain('NOAUTH')
    expect(await byTest('data-load-error').textContent()).toContain('credentials')
    await screenshot(page, 'nu-01-unreadable-child')
  })

  it('Delete on a node with children offers the recursive delete', async () => {
    await row('/nu').click()
    await byTest('tree').press('Delete')
    const dialog = byTest('confirm-dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('Delete recursively')
    await screenshot(page, 'nu-02-delete-with-children')
    await byTest('confirm-cancel').click()
    expect(await other.exists('/nu')).not.toBeNull()
  })

  it('an open connection takes its profile’s new name and colour', async () => {
    await byTest('profile-new').click()
    await byTest('profile-name').fill('Prod')
    await byTest('profile-connect-string').fill(connectString)
    await byTest('profile-save-connect').click()
    await byTest('tab-Prod').waitFor()
    const profile = page.locator('li.profile[data-test="profile-Prod"]')
    await profile.hover()
    await profile.locator('[data-test="profile-edit"]').click()
    await byTest('profile-open-note').waitFor()
    await byTest('profile-name').fill('Production')
    await page.locator('.swatch').nth(4).click()
    await byTest('profile-save').click()
    await byTest('tab-Production').waitFor()
    const tag = await byTest('tab-Production').locator('.tag').first().getAttribute('style')
    console.log(`tab colour after the edit: ${tag}`)
    expect(tag).toContain('rgb(142, 68, 173)')
    expect(await byTest('tab-Prod').count()).toBe(0)
    await screenshot(page, 'nu-03-profile-relabelled')
  })

  it('the console’s first prompt shows the real state', async () => {
    await byTest('view-console').click()
    const rows = byTest('terminal').locator('.xterm-rows')
    await expect.poll(() => rows.innerText(), { timeout: 10_000 }).toMatch(/\(CONNECTED\) 0\]/)
    expect(await rows.innerText()).not.toContain('(CONNECTING)')
    await screenshot(page, 'nu-04-console-first-prompt')
  })

  it('shows a zero time of a system node as not recorded', async () => {
    await byTest('view-explorer').click()
    await row('/zookeeper').click()
    await byTest('tab-stat').click()
    await expect.poll(() => page.locator('[data-field="ctime"] [data-test="stat-value"]').textContent()).toBe('not recorded')
    await screenshot(page, 'nu-05-stat-zero-time')
    await byTest('tab-data').click()
    expect(browser.errors).toEqual([])
  })
})
