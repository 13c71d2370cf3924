// End to end in browser mode on the default local cluster (headless Debian Chromium): the server-side subtree search
// (progress, click a result → the tree reveals and selects it), the client address of an ephemeral node another
// client owns (checked against a TCP proxy's own socket, which is what the server sees), and the health panel's
// requests/s chart under a burst of requests. Each flow saves a screenshot.
import { type AddressInfo, type Socket, createConnection, createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateMode, type ZooKeeperClient } from '../../engine/client'
import type { ProgressEvent } from '../../main/contract/contract'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const ui = useBrowserApp({ escapeAfterEach: true })
const { byTest, row, showView, openPath } = ui
let other: ZooKeeperClient
const progress: ProgressEvent[] = []

beforeAll(async () => {
  ui.contract.on('operations.progress', (event) => progress.push(event))
  other = await connectZooKeeper(ui.connectString)
})

afterAll(async () => {
  await other?.close().catch(() => {})
})

/** A TCP proxy to one member: the member sees the proxy's outgoing socket as the client. */
async function startProxy(targetPort: number): Promise<{ port: number; upstream: string[]; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const upstream: string[] = []
  const server = createServer((client) => {
    const socket = createConnection({ host: '127.0.0.1', port: targetPort })
    socket.once('connect', () => upstream.push(`127.0.0.1:${socket.localPort}`))
    for (const one of [client, socket]) {
      sockets.add(one)
      one.on('error', () => {})
    }
    client.pipe(socket).pipe(client)
    client.on('close', () => socket.destroy())
    socket.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    upstream,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

describe('search, session owner and requests/s in browser mode', () => {
  it('searches a subtree on the server with progress; clicking a result reveals and selects it', async () => {
    await other.create('/srch', null)
    await other.create('/srch/bulk', null)
    const NODES = 5000
    for (let start = 0; start < NODES; start += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => other.create(`/srch/bulk/n${String(start + i).padStart(5, '0')}`, Buffer.from(`value ${start + i}`))))
    }
    await other.create('/srch/app', null)
    await other.create('/srch/app/deep', null)
    await other.create('/srch/app/deep/settings', Buffer.from('{"needle": true}'))

    await openPath('/srch')
    await row('/srch').click({ button: 'right' })
    await byTest('menu-search').click()
    const panel = byTest('subtree-search')
    await panel.waitFor()
    expect(await byTest('search-root').inputValue()).toBe('/srch')
    await byTest('search-query').fill('needle')
    await byTest('search-match').selectOption('data')
    // What the status line says while it runs, as the page saw it.
    await ui.page.evaluate(`(() => {
      window.__searchStatus = []
      const observer = new MutationObserver(() => {
        const text = document.querySelector('[data-test="search-status"]')?.textContent?.trim()
        if (text && window.__searchStatus.at(-1) !== text) window.__searchStatus.push(text)
      })
      observer.observe(document.querySelector('[data-test="subtree-search"]'), { subtree: true, childList: true, characterData: true })
    })()`)
    const started = Date.now()
    await byTest('search-start').click()
    await expect.poll(() => byTest('search-status').textContent(), { timeout: 60_000 }).toMatch(/found among/)
    const statuses = (await ui.page.evaluate('window.__searchStatus')) as string[]
    console.log(`searching data of ${NODES + 5} nodes took ${Date.now() - started} ms; the status line went: ${statuses.join(' → ')}`)
    expect(statuses.some((text) => /^Searching… [\d,]+ nodes read$/.test(text))).toBe(true)
    expect(await byTest('search-status').textContent()).toContain(`1 found among ${(NODES + 5).toLocaleString('en-US')} nodes`)
    const searchEvents = progress.filter((event) => event.kind === 'search' && event.path === '/srch')
    expect(searchEvents.at(-1)).toMatchObject({ phase: 'done', done: NODES + 5 })

    const result = ui.page.locator('[data-test="search-result"][data-path="/srch/app/deep/settings"]')
    await result.waitFor()
    await result.click()
    await expect.poll(() => byTest('node-path').textContent()).toBe('/srch/app/deep/settings')
    await expect.poll(() => row('/srch/app/deep/settings').getAttribute('class')).toContain('selected')
    await screenshot(ui.page, 'h2-01-subtree-search')

    // A name search from the filter box (Enter) over the same subtree: the tree's own filter leaves it visible.
    await row('/srch').click()
    await byTest('tree-filter').fill('n0499')
    await byTest('tree-filter').press('Enter')
    await expect.poll(() => byTest('search-query').inputValue()).toBe('n0499')
    await byTest('search-start').click()
    await expect.poll(() => ui.page.locator('[data-test="search-result"]').count(), { timeout: 30_000 }).toBe(10)
    await screenshot(ui.page, 'h2-02-search-from-filter')
    await byTest('search-close').click()
    await byTest('tree-filter').fill('')
    expect(ui.browser.errors).toEqual([])
  })

  it('shows the client address of an ephemeral node created by another client', async () => {
    const members = (await ui.contract.api.clusters.list()).find((cluster) => cluster.isDefault)!.members
    const target = members[members.length - 1]!
    const proxy = await startProxy(target.clientPort)
    const owner = await connectZooKeeper(`127.0.0.1:${proxy.port}`)
    try {
      await owner.create('/owned-by-other', Buffer.from('held'), { mode: CreateMode.EPHEMERAL })
      await openPath('/owned-by-other')
      await byTest('tab-stat').click()
      await byTest('session-owner').waitFor()
      expect(BigInt((await byTest('session-id').textContent()) ?? '0')).toBe(owner.sessionId)
      await byTest('session-lookup').click()
      const address = byTest('session-address')
      await address.waitFor({ timeout: 15_000 })
      expect(proxy.upstream).toHaveLength(1)
      expect(await address.textContent()).toBe(`${proxy.upstream[0]}, connected to 127.0.0.1:${target.clientPort}`)
      expect(await byTest('session-details').textContent()).toContain('last operation')
      await screenshot(ui.page, 'h2-03-ephemeral-owner-address')
      await byTest('tab-data').click()
    } finally {
      await owner.close().catch(() => {})
      await proxy.close()
    }
  })

  it('shows requests per second in the health panel', async () => {
    await showView('health')
    const chart = ui.page.locator('figure', { has: ui.page.locator('figcaption', { hasText: 'Requests per second' }) })
    await chart.waitFor()
    const requestFigures = async (): Promise<number[]> =>
      (await ui.page.locator('[data-test="member-requests"]').allTextContents()).map((text) => Number(text.replace(/,/g, ''))).filter((value) => Number.isFinite(value))
    // Rates need two rounds; then a steady load from another client, which the cards and the chart show.
    await expect.poll(async () => (await requestFigures()).length, { timeout: 15_000 }).toBeGreaterThan(0)
    let loading = true
    const load = (async () => {
      while (loading) await Promise.all(Array.from({ length: 200 }, () => other.exists('/srch')))
    })()
    try {
      await expect.poll(async () => Math.max(0, ...(await requestFigures())), { timeout: 15_000 }).toBeGreaterThan(100)
      // A few more rounds of load so that the chart draws a line, not a dot.
      const seen = await ui.page.locator('[data-test="member-card"]').count()
      // A chart is drawn only while it is on screen (TimeChart).
      await chart.scrollIntoViewIfNeeded()
      await expect.poll(async () => (await chart.locator('canvas').count()) > 0 && seen === 3, { timeout: 5000 }).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 3000))
    } finally {
      loading = false
      await load
    }
    console.log(`requests/s shown per member under load: ${(await requestFigures()).join(', ')}`)
    await chart.scrollIntoViewIfNeeded()
    await screenshot(ui.page, 'h2-04-health-requests-per-second')
    expect(ui.browser.errors).toEqual([])
  })
})
