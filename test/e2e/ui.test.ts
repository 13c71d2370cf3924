// The UI end to end: browser mode (`zoodesk web`) on a real local cluster, driven in headless Debian Chromium
// (acceptance 2 of issue 6). Each flow saves a screenshot (its path is printed) for a person to look at.
import type { Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Op, type ZooKeeperClient } from '../../engine/client'
import type { ApiClient } from '../../renderer/api/client'
import { type Browser, type BrowserMode, openBrowser, screenshot, startBrowserMode } from './support/browser-mode'
import { currentTheme, expandAndTimeFirstRow, jumpAndTimeLoaded, scrollAndTimeFrames } from './support/page-scripts'
import { connectZooKeeper, openContractClient } from './support/second-client'

let web: BrowserMode
let browser: Browser
let page: Page
let contract: ApiClient
let other: ZooKeeperClient
let connectString = ''

beforeAll(async () => {
  // TTL nodes need extended types; cluster members inherit the environment's JVM-style flags.
  web = await startBrowserMode({ env: { SERVER_JVMFLAGS: '-Dzookeeper.extendedTypesEnabled=true' } })
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

// A failed flow must not leave a menu or dialog over the next one.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page !== undefined) await screenshot(page, `failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {})
  await page?.keyboard.press('Escape').catch(() => {})
  await page?.keyboard.press('Escape').catch(() => {})
})

const byTest = (id: string): Locator => page.locator(`[data-test="${id}"]`)
const row = (path: string): Locator => page.locator(`[data-test="tree-row"][data-path="${path}"]`)

async function view(name: string): Promise<void> {
  await byTest(`view-${name}`).click()
}

/** Expands the ancestors of `path` in the tree and selects it. */
async function openPath(path: string): Promise<void> {
  await view('explorer')
  const parts = path.split('/').filter((part) => part !== '')
  let at = ''
  for (let i = 0; i < parts.length; i++) {
    const parent = at === '' ? '/' : at
    const parentRow = row(parent)
    await parentRow.waitFor()
    if ((await parentRow.getAttribute('aria-expanded')) !== 'true') await parentRow.dblclick()
    at = `${at}/${parts[i]}`
  }
  await row(path).waitFor()
  await row(path).click()
  await expect.poll(() => byTest('node-path').textContent()).toBe(path)
}

/** Replaces the Monaco editor's text inside `scope` by typing. */
async function typeInMonaco(scope: Locator, text: string): Promise<void> {
  await scope.locator('.monaco-editor .view-lines').first().click()
  await page.keyboard.press('Control+A')
  await page.keyboard.press('Delete')
  await page.keyboard.type(text)
}

async function createThroughDialog(parent: string, name: string, mode: string, options: { ttlSeconds?: number; data?: string } = {}): Promise<string> {
  await openPath(parent)
  await byTest('tree-create').click()
  const dialog = byTest('create-dialog')
  await dialog.waitFor()
  await byTest('create-name').fill(name)
  await byTest(`create-mode-${mode}`).check()
  if (options.ttlSeconds !== undefined) await byTest('create-ttl').fill(String(options.ttlSeconds))
  if (options.data !== undefined) await typeInMonaco(dialog, options.data)
  await byTest('create-submit').click()
  await dialog.waitFor({ state: 'detached' })
  // The created node (with its sequence suffix) is selected.
  const prefix = `${parent === '/' ? '' : parent}/${name}`
  await expect.poll(async () => (await byTest('node-path').textContent())?.startsWith(prefix)).toBe(true)
  return (await byTest('node-path').textContent()) ?? ''
}

describe('ZooDesk UI in browser mode', () => {
  it('opens on the local cluster with the tree, no errors', async () => {
    await row('/zookeeper').waitFor()
    await screenshot(page, '01-start')
    expect(browser.errors).toEqual([])
  })

  it('creates a node of every type through the dialog; each shows in the tree with its icon', async () => {
    await createThroughDialog('/', 'e2e', 'PERSISTENT')
    const expected: [string, string, number | undefined, string][] = [
      ['p', 'PERSISTENT', undefined, 'persistent'],
      ['ps-', 'PERSISTENT_SEQUENTIAL', undefined, 'persistent-sequential'],
      ['e', 'EPHEMERAL', undefined, 'ephemeral'],
      ['es-', 'EPHEMERAL_SEQUENTIAL', undefined, 'ephemeral-sequential'],
      ['c', 'CONTAINER', undefined, 'container'],
      ['t', 'PERSISTENT_WITH_TTL', 3600, 'ttl'],
      ['ts-', 'PERSISTENT_SEQUENTIAL_WITH_TTL', 3600, 'ttl-sequential'],
    ]
    const created: string[] = []
    for (const [name, mode, ttl] of expected) created.push(await createThroughDialog('/e2e', name, mode, ttl === undefined ? {} : { ttlSeconds: ttl }))
    expect(created.filter((path) => /\d{10}$/.test(path))).toHaveLength(3)
    for (let i = 0; i < expected.length; i++) {
      const icon = row(created[i]!).locator('[data-test="node-icon"]')
      await expect.poll(() => icon.getAttribute('data-kind')).toBe(expected[i]![3])
    }
    // The server agrees where a client can tell (containers and TTL nodes report owner 0, as on Apache).
    expect((await other.exists('/e2e/e'))?.ephemeralOwner).not.toBe(0n)
    expect((await other.exists('/e2e/c'))?.ephemeralOwner).toBe(0n)
    await row(created[4]!).click()
    await expect.poll(() => byTest('node-kind').getAttribute('data-kind')).toBe('container')
    await screenshot(page, '02-created-every-type')
  }, 120_000)

  it('edits JSON in Monaco, formats, saves with the version read, and reads it back', async () => {
    await openPath('/e2e/p')
    await byTest('data-view').selectOption('json')
    const editorPane = byTest('data-editor')
    await typeInMonaco(editorPane, '{"app": "zoodesk", "replicas": 3, "tags": ["a", "b"]}')
    await byTest('data-dirty').waitFor()
    await byTest('data-format').click()
    await byTest('data-save').click()
    await byTest('data-dirty').waitFor({ state: 'detached' })
    const { data, stat } = await other.getData('/e2e/p')
    expect(JSON.parse(data?.toString('utf8') ?? '')).toEqual({ app: 'zoodesk', replicas: 3, tags: ['a', 'b'] })
    expect(data?.toString('utf8')).toContain('\n  "replicas": 3')
    expect(stat.version).toBe(1)
    // Away and back: the editor shows what the server holds (the value arrives while the editor is read-only).
    await openPath('/e2e')
    await openPath('/e2e/p')
    const shown = async () => ((await editorPane.locator('.view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ')
    await expect.poll(shown).toContain('"replicas": 3')
    await screenshot(page, '03-json-saved')
  }, 60_000)

  it('shows a version conflict with a second client in the diff view and saves the merge', async () => {
    await openPath('/e2e/p')
    await typeInMonaco(byTest('data-editor'), '{"app": "mine"}')
    await byTest('data-dirty').waitFor()
    const theirs = await other.setData('/e2e/p', Buffer.from('{"app": "theirs"}'), -1)
    await byTest('data-changed').waitFor()
    await byTest('data-save').click()
    const conflict = byTest('conflict-view')
    await conflict.waitFor()
    try {
      // Theirs on the left (read-only), yours on the right: merge there.
      const modified = conflict.locator('.editor.modified .view-lines').first()
      await modified.waitFor()
      await screenshot(page, '04-conflict-diff')
      await modified.click({ force: true })
      await page.keyboard.press('Control+A')
      await page.keyboard.press('Delete')
      await page.keyboard.type('{"app": "merged"}')
      await byTest('conflict-save-merged').click()
      await conflict.waitFor({ state: 'detached' })
    } finally {
      // Never leave the editor dirty for the next flows.
      if (await conflict.isVisible()) await byTest('conflict-theirs').click()
    }
    const { data, stat } = await other.getData('/e2e/p')
    expect(data?.toString('utf8')).toBe('{"app": "merged"}')
    expect(stat.version).toBe(theirs.version + 1)
  }, 60_000)

  it('deletes a subtree recursively: count, typed confirmation, progress', async () => {
    await other.create('/e2e-del')
    for (let batch = 0; batch < 10; batch++) {
      await other.multi(Array.from({ length: 500 }, (_, i) => Op.create(`/e2e-del/n${String(batch * 500 + i).padStart(5, '0')}`, null)))
    }
    await view('explorer')
    await row('/e2e-del').waitFor()
    await row('/e2e-del').click({ button: 'right' })
    await byTest('menu-deleteRecursive').click()
    await byTest('confirm-ok').click()
    // Main asks for the path to be typed above confirmDeleteAbove nodes, and says how many.
    const dialog = byTest('confirm-dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('5001')
    await byTest('confirm-phrase').fill('/e2e-del')
    await byTest('confirm-ok').click()
    await byTest('progress-dialog').waitFor({ timeout: 10_000 })
    await screenshot(page, '05-delete-progress')
    await byTest('progress-dialog').waitFor({ state: 'detached', timeout: 60_000 })
    expect(await other.exists('/e2e-del')).toBeNull()
    await row('/e2e-del').waitFor({ state: 'detached' })
  }, 120_000)

  it('sets a persistent recursive watch from the tree and shows another client’s events in the watch log', async () => {
    await view('explorer')
    await row('/e2e').click({ button: 'right' })
    await byTest('menu-watch').hover()
    await byTest('menu-watch:persistentRecursive').click()
    await expect.poll(async () => (await contract.api.watches.list({})).some((watch) => watch.path === '/e2e' && watch.kind === 'persistentRecursive')).toBe(true)
    await other.create('/e2e/w1', Buffer.from('x'))
    await other.setData('/e2e/w1', Buffer.from('y'))
    await other.create('/e2e/w1/deep')
    await other.delete('/e2e/w1/deep')
    await view('watches')
    const events = page.locator('[data-test="watch-event"]')
    await expect.poll(async () => (await events.allTextContents()).join('\n')).toContain('/e2e/w1/deep')
    const text = (await events.allTextContents()).join('\n')
    for (const type of ['NodeCreated', 'NodeDataChanged', 'NodeDeleted']) expect(text).toContain(type)
    await screenshot(page, '06-watch-log')
  }, 60_000)

  it('runs ls / and create -e in the console', async () => {
    await view('console')
    const terminal = byTest('terminal')
    await terminal.locator('.xterm-rows').waitFor()
    await terminal.click()
    await page.keyboard.type('ls /')
    await page.keyboard.press('Enter')
    await expect.poll(() => terminal.locator('.xterm-rows').innerText()).toMatch(/\[[^\]]*e2e, [^\]]*zookeeper\]/)
    await page.keyboard.type('create -e /e2e/console-eph hello')
    await page.keyboard.press('Enter')
    await expect.poll(() => terminal.locator('.xterm-rows').innerText()).toContain('Created /e2e/console-eph')
    const stat = await other.exists('/e2e/console-eph')
    expect(stat?.ephemeralOwner).not.toBe(0n)
    await screenshot(page, '07-console')
  }, 60_000)

  it('kills the leader of a 3-member cluster in the cluster panel; the health panel shows the new leader', async () => {
    await view('cluster')
    await byTest('cluster-new').click()
    await byTest('cluster-name').fill('e2e-three')
    await byTest('cluster-voters').fill('3')
    await byTest('cluster-create').click()
    const members = page.locator('[data-test="cluster-member"]')
    await expect.poll(() => members.count(), { timeout: 90_000 }).toBe(3)
    const leaderRow = page.locator('[data-test="cluster-member"][data-zk-role="leader"]')
    await leaderRow.waitFor({ timeout: 90_000 })
    const killedId = await leaderRow.getAttribute('data-member-id')
    const killedPort = (await leaderRow.locator('td.mono').nth(1).textContent())?.trim()
    await leaderRow.locator('[data-test="member-kill"]').click()
    await page.locator(`[data-test="cluster-member"][data-member-id="${killedId}"] [data-test="member-restart"]`).waitFor({ timeout: 30_000 })
    await view('health')
    const clusters = await contract.api.clusters.list()
    const three = clusters.find((cluster) => cluster.name === 'e2e-three')!
    await byTest('health-target').selectOption(`cluster:${three.clusterId}`)
    const newLeader = page.locator(`[data-test="member-card"][data-role="leader"]:not([data-member$=":${killedPort}"])`)
    await newLeader.waitFor({ timeout: 60_000 })
    await expect.poll(() => byTest('health-leader').textContent()).not.toContain(`:${killedPort}`)
    await page.locator('[data-test="health-alert"][data-kind="leader-change"]').first().waitFor({ timeout: 30_000 })
    await screenshot(page, '08-health-new-leader')
    await view('cluster')
    await screenshot(page, '09-cluster-after-kill')
  }, 240_000)

  it('switches to Chinese and to the dark theme', async () => {
    await view('explorer')
    await byTest('locale-select').selectOption('zh-CN')
    await expect.poll(() => byTest('view-explorer').textContent()).toContain('浏览')
    await byTest('theme-toggle').click()
    await expect.poll(() => page.evaluate<string>(currentTheme())).toBe('dark')
    await openPath('/e2e/p')
    await screenshot(page, '10-chinese-dark')
    expect(browser.errors).toEqual([])
  }, 60_000)

  it('100,000 children of one node: virtualised rows, first-screen and frame times measured', async () => {
    await other.create('/big')
    for (let batch = 0; batch < 100; batch++) {
      await other.multi(Array.from({ length: 1000 }, (_, i) => Op.create(`/big/n${String(batch * 1000 + i).padStart(6, '0')}`, null)))
    }
    await view('explorer')
    await row('/').click()
    await byTest('tree-refresh').click()
    await expect.poll(() => row('/big').locator('.count').textContent(), { timeout: 30_000 }).toBe((100_000).toLocaleString('en-US'))
    const firstScreenMs = await page.evaluate<number>(expandAndTimeFirstRow('/big', '/big/n000000'))
    // Scroll continuously (10 rows a frame, across several unloaded pages), recording each frame's duration.
    const { durations: frames, longTasks } = await page.evaluate<{ durations: number[]; longTasks: number[] }>(scrollAndTimeFrames(400, 240))
    // A jump to the middle: how long until the rows there are loaded (no placeholders on screen).
    const jumpMs = await page.evaluate<number>(jumpAndTimeLoaded(50_000 * 24))
    const sorted = [...frames].sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
    const report = {
      firstScreenMs: Math.round(firstScreenMs),
      frames: frames.length,
      frameP50Ms: Number(at(0.5).toFixed(1)),
      frameP95Ms: Number(at(0.95).toFixed(1)),
      frameMaxMs: Number(sorted[sorted.length - 1]!.toFixed(1)),
      framesOver50Ms: frames.filter((ms) => ms > 50).length,
      longTasks: longTasks.length,
      longTaskMaxMs: Math.round(Math.max(0, ...longTasks)),
      jumpToMiddleLoadedMs: Math.round(jumpMs),
    }
    console.log(`100,000 children: ${JSON.stringify(report)}`)
    await screenshot(page, '11-hundred-thousand-children')
    // The timings are measurements for the record (printed above), not assertions: a loaded CI machine would make
    // them flaky. What keeps the tree fast is asserted: the rows exist and only a screenful of them is in the DOM.
    expect(Number.isFinite(firstScreenMs)).toBe(true)
    expect(report.frames).toBe(frames.length)
    expect(await page.locator('[data-test="tree-row"]').count()).toBeLessThan(500)
  }, 300_000)
})
