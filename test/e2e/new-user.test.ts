// A new user's walk, part 2 (issue 6, acceptance 4), for the flows the other e2e files do not cover: a node whose
// ACL hides one child still expands (the child is marked), Delete on a node with children goes to the recursive
// delete, an open connection takes its profile's new name and colour, the console's first prompt shows the real
// state, and zero times of system nodes read "not recorded". Browser mode on a real local cluster, headless Chromium.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Perms, type ZooKeeperClient } from '../../engine/client'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const ui = useBrowserApp({ failurePrefix: 'nu-failed', escapeAfterEach: true })
const { byTest, row, showView, expand } = ui
let other: ZooKeeperClient

beforeAll(async () => {
  other = await connectZooKeeper(ui.connectString)
})

afterAll(async () => {
  await other?.close().catch(() => {})
})

describe('a new user’s walk, part 2', () => {
  it('expands a node with a child only other credentials can read, and marks that child', async () => {
    await other.create('/nu', null)
    await other.create('/nu/open', null)
    const digest = createHash('sha1').update('admin:secret').digest('base64')
    await other.create('/nu/secret', Buffer.from('top secret'), { acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: `admin:${digest}` } }] })
    await showView('explorer')
    await expand('/')
    await expand('/nu')
    await row('/nu/secret').waitFor()
    await expect.poll(() => row('/nu/secret').locator('[data-test="tree-unreadable"]').count()).toBe(1)
    expect(await row('/nu/open').locator('[data-test="tree-unreadable"]').count()).toBe(0)
    await row('/nu/secret').click()
    await expect.poll(() => byTest('data-load-error').textContent()).toContain('NOAUTH')
    expect(await byTest('data-load-error').textContent()).toContain('credentials')
    await screenshot(ui.page, 'nu-01-unreadable-child')
  })

  it('Delete on a node with children offers the recursive delete', async () => {
    await row('/nu').click()
    await byTest('tree').press('Delete')
    const dialog = byTest('confirm-dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('Delete recursively')
    await screenshot(ui.page, 'nu-02-delete-with-children')
    await byTest('confirm-cancel').click()
    expect(await other.exists('/nu')).not.toBeNull()
  })

  it('an open connection takes its profile’s new name and colour', async () => {
    await byTest('profile-new').click()
    await byTest('profile-name').fill('Prod')
    await byTest('profile-connect-string').fill(ui.connectString)
    await byTest('profile-save-connect').click()
    await byTest('tab-Prod').waitFor()
    const profile = ui.page.locator('li.profile[data-test="profile-Prod"]')
    await profile.hover()
    await profile.locator('[data-test="profile-edit"]').click()
    await byTest('profile-open-note').waitFor()
    await byTest('profile-name').fill('Production')
    await ui.page.locator('.swatch').nth(4).click()
    await byTest('profile-save').click()
    await byTest('tab-Production').waitFor()
    const tag = await byTest('tab-Production').locator('.tag').first().getAttribute('style')
    console.log(`tab colour after the edit: ${tag}`)
    expect(tag).toContain('rgb(142, 68, 173)')
    expect(await byTest('tab-Prod').count()).toBe(0)
    await screenshot(ui.page, 'nu-03-profile-relabelled')
  })

  it('the console’s first prompt shows the real state', async () => {
    await showView('console')
    const rows = byTest('terminal').locator('.xterm-rows')
    await expect.poll(() => rows.innerText(), { timeout: 10_000 }).toMatch(/\(CONNECTED\) 0\]/)
    expect(await rows.innerText()).not.toContain('(CONNECTING)')
    await screenshot(ui.page, 'nu-04-console-first-prompt')
  })

  it('shows a zero time of a system node as not recorded', async () => {
    await showView('explorer')
    await row('/zookeeper').click()
    await byTest('tab-stat').click()
    await expect.poll(() => ui.page.locator('[data-field="ctime"] [data-test="stat-value"]').textContent()).toBe('not recorded')
    await screenshot(ui.page, 'nu-05-stat-zero-time')
    await byTest('tab-data').click()
    expect(ui.browser.errors).toEqual([])
  })
})
