// One e2e file's app: `zoodesk web` (with or without its default local cluster), headless Chromium on it, a contract
// client beside it, and the helpers every flow uses (elements by data-test, tree rows, views, opening a path). Call
// `useBrowserApp()` at the top of a test file: it registers the file's beforeAll/afterAll/afterEach hooks and returns
// a handle whose fields are filled when beforeAll has run. The file's own hooks come after: its beforeAll runs once
// the app is up, its afterAll before the app is closed (vitest runs after-hooks as a stack).
import type { Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import type { ClusterView } from '../../../main/contract/model'
import type { ApiClient } from '../../../renderer/api/client'
import { TOOL_VIEWS, type ViewName } from '../../../renderer/lib/views'
import { type Browser, type BrowserMode, openBrowser, screenshot, startBrowserMode } from './browser-mode'
import { openContractClient } from './second-client'

export interface BrowserAppOptions {
  /** Start the default local cluster (3 ZooDesk members) with browser mode; default true. */
  defaultCluster?: boolean
  /** Extra environment of `zoodesk web` (its cluster members inherit it). */
  env?: Record<string, string>
  width?: number
  height?: number
  /** Failure screenshots are named `<prefix>-<test name>`; default `failed`. */
  failurePrefix?: string
  /** Press Escape twice after every test, so that a failed flow leaves no menu or dialog over the next one. */
  escapeAfterEach?: boolean
  /** Clusters the file made through the contract, removed with their data at the end: by name, or every one. */
  removeClusters?: readonly string[] | 'all'
  /**
   * Runs once `zoodesk web` and the contract client are up, before the page opens (`page` and `browser` are not set
   * yet): for what the app must find when it starts, such as files in its data dir.
   */
  beforeBrowser?: (app: BrowserApp) => void | Promise<void>
}

export interface BrowserApp {
  web: BrowserMode
  browser: Browser
  page: Page
  contract: ApiClient
  /** The default local cluster (undefined with `defaultCluster: false`). */
  cluster: ClusterView | undefined
  /** Its connect string ('' without one). */
  connectString: string
  byTest(id: string): Locator
  /** The explorer's row of `path`. */
  row(path: string): Locator
  /** Shows a view: a click on its tab, or on the Tools menu button and then on the tool. */
  showView(view: ViewName): Promise<void>
  /** Shows the explorer, expands the ancestors of `path` and selects it (the node panel shows its path). */
  openPath(path: string): Promise<void>
  /** Expands the explorer's row of `path` (waits for it first). */
  expand(path: string): Promise<void>
  /** Replaces the text of the Monaco editor in `scope` (the data editor unless told) by typing it. */
  typeInMonaco(text: string, scope?: Locator): Promise<void>
  /** The text Monaco shows in `scope` (the data editor unless told), its non-breaking spaces as spaces. */
  editorText(scope?: Locator): Promise<string>
}

export function useBrowserApp(options: BrowserAppOptions = {}): BrowserApp {
  const app = {
    cluster: undefined,
    connectString: '',
    byTest: (id: string) => app.page.locator(`[data-test="${id}"]`),
    row: (path: string) => app.page.locator(`[data-test="tree-row"][data-path="${path}"]`),
    showView: (view: ViewName) => showView(app.page, view),
    openPath: (path: string) => openPath(app, path),
    expand: (path: string) => expand(app, path),
    typeInMonaco: (text: string, scope?: Locator) => typeInMonaco(app.page, scope ?? app.byTest('data-editor'), text),
    editorText: async (scope?: Locator) => ((await (scope ?? app.byTest('data-editor')).locator('.view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' '),
  } as Partial<BrowserApp> as BrowserApp

  beforeAll(async () => {
    const startedAt = Date.now()
    app.web = await startBrowserMode({ defaultCluster: options.defaultCluster, env: options.env })
    const webAt = Date.now()
    app.contract = await openContractClient(app.web.rpcUrl)
    app.cluster = (await app.contract.api.clusters.list()).find((cluster) => cluster.isDefault)
    app.connectString = app.cluster?.connectString ?? ''
    await options.beforeBrowser?.(app)
    app.browser = await openBrowser(app.web.url, { width: options.width, height: options.height })
    app.page = app.browser.page
    console.log(`browser app up in ${Date.now() - startedAt} ms (zoodesk web with its cluster ${webAt - startedAt} ms, then Chromium and the first screen)`)
  }, 240_000)

  afterAll(async () => {
    if (options.removeClusters !== undefined && app.contract !== undefined) {
      const made = await app.contract.api.clusters.list().catch(() => [])
      for (const cluster of made) {
        if (options.removeClusters !== 'all' && !options.removeClusters.includes(cluster.name)) continue
        await app.contract.api.clusters.remove({ clusterId: cluster.clusterId, deleteData: true, confirm: cluster.name }).catch(() => {})
      }
    }
    app.contract?.close()
    await app.browser?.close()
    await app.web?.close()
  }, 90_000)

  afterEach(async ({ task }) => {
    if (app.page === undefined) return
    if (task.result?.state === 'fail') await screenshot(app.page, `${options.failurePrefix ?? 'failed'}-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {})
    if (options.escapeAfterEach === true) {
      await app.page.keyboard.press('Escape').catch(() => {})
      await app.page.keyboard.press('Escape').catch(() => {})
    }
  })

  return app
}

/** A tab is clicked; a tool is picked from the Tools menu (opened first unless it is open already). */
export async function showView(page: Page, view: ViewName): Promise<void> {
  if (TOOL_VIEWS.includes(view)) {
    const menu = page.locator('[data-test="view-tools-menu"]')
    if ((await menu.count()) === 0) await page.locator('[data-test="view-tools"]').click()
    await menu.locator(`[data-test="view-${view}"]`).click()
    await expect.poll(() => page.locator('[data-test="view-tools"]').getAttribute('data-active-view')).toBe(view)
  } else {
    await page.locator(`[data-test="view-tabs"] [data-test="view-${view}"]`).click()
  }
}

async function typeInMonaco(page: Page, scope: Locator, text: string): Promise<void> {
  await scope.locator('.monaco-editor .view-lines').first().click()
  await page.keyboard.press('Control+A')
  await page.keyboard.press('Delete')
  await page.keyboard.type(text)
}

async function expand(app: BrowserApp, path: string): Promise<void> {
  const row = app.row(path)
  await row.waitFor()
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.dblclick()
}

async function openPath(app: BrowserApp, path: string): Promise<void> {
  await app.showView('explorer')
  let at = ''
  for (const part of path.split('/').filter((one) => one !== '')) {
    await expand(app, at === '' ? '/' : at)
    at = `${at}/${part}`
  }
  await app.row(path).waitFor()
  await app.row(path).click()
  await expect.poll(() => app.byTest('node-path').textContent()).toBe(path)
}
