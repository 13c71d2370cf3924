// The Sessions view end to end: browser mode in Debian Chromium with its default local cluster (ZooDesk, 3
// members). Clients connected to different members, each with ephemerals and a watch, appear with their member,
// address and counts; filter and expand; expire one from the view: its client gets Expired and its ephemerals are
// gone on every member. Then an Apache ZooKeeper 3.8 cluster made through the contract: sessions listed, expiring
// disabled with the reason. Screenshots light and dark.
import { afterAll, describe, expect, it } from 'vitest'
import { CreateMode, type ZooKeeperClient } from '../../engine/client'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { currentTheme } from './support/page-scripts'
import { connectZooKeeper } from './support/second-client'

const ui = useBrowserApp({ width: 1400, height: 900, removeClusters: ['e2e-sessions-apache'] })
const { byTest, showView } = ui
const clients: ZooKeeperClient[] = []

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {})
})

const hex = (sessionId: bigint): string => `0x${sessionId.toString(16)}`

interface Joined {
  client: ZooKeeperClient
  events: string[]
  ephemerals: string[]
}

async function join(port: number, root: string, name: string): Promise<Joined> {
  const client = await connectZooKeeper(`127.0.0.1:${port}`)
  clients.push(client)
  const events: string[] = []
  client.on('state', (change) => events.push(change.event))
  const ephemerals = [`${root}/${name}-1`, `${root}/${name}-2`]
  for (const path of ephemerals) await client.create(path, name, { mode: CreateMode.EPHEMERAL })
  await client.exists(`${root}/${name}-watched`, () => undefined)
  return { client, events, ephemerals }
}

async function showCluster(clusterId: string): Promise<void> {
  await showView('sessions')
  await byTest('sessions-source').selectOption(`cluster:${clusterId}`)
  await byTest('sessions-refresh').click()
}

describe('Sessions view', () => {
  it('lists sessions of clients on different members with ephemerals and watches, and expires one on purpose', async () => {
    const [cluster] = await ui.contract.api.clusters.list()
    const root = '/e2e-sessions'
    const setup = await connectZooKeeper(cluster!.connectString)
    await setup.create(root, null)
    await setup.close()
    const alice = await join(cluster!.members[0]!.clientPort, root, 'alice')
    const bob = await join(cluster!.members[2]!.clientPort, root, 'bob')
    await ui.page.reload()
    await showCluster(cluster!.clusterId)
    const aliceRow = byTest(`session-${hex(alice.client.sessionId)}`)
    const bobRow = byTest(`session-${hex(bob.client.sessionId)}`)
    await expect.poll(() => aliceRow.count(), { timeout: 30_000 }).toBe(1)
    expect(await aliceRow.locator('[data-test="session-member"]').textContent()).toBe(`#1 127.0.0.1:${cluster!.members[0]!.clientPort}`)
    expect(await bobRow.locator('[data-test="session-member"]').textContent()).toBe(`#3 127.0.0.1:${cluster!.members[2]!.clientPort}`)
    expect(await aliceRow.locator('[data-test="session-ephemeral-count"]').textContent()).toBe('2')
    expect(await aliceRow.locator('[data-test="session-watch-count"]').textContent()).toBe('1')
    console.log(`sessions listed: ${await byTest('sessions-summary').textContent()}`)

    await byTest('sessions-filter').fill('bob-2')
    await expect.poll(() => ui.page.locator('tr.session-row').count()).toBe(1)
    await bobRow.click()
    expect(await byTest(`session-detail-${hex(bob.client.sessionId)}`).textContent()).toContain(`${root}/bob-watched`)
    await screenshot(ui.page, 'sessions-01-list')

    const started = Date.now()
    await bobRow.locator('[data-test="session-expire"]').click()
    await byTest('confirm-ok').click()
    await expect.poll(() => bob.events.includes('Expired'), { timeout: 30_000 }).toBe(true)
    console.log(`expired from the view: client saw Expired ${Date.now() - started} ms after the confirmation`)
    for (const member of cluster!.members) {
      const reader = await connectZooKeeper(`127.0.0.1:${member.clientPort}`)
      try {
        await reader.sync(root)
        for (const path of bob.ephemerals) expect(await reader.exists(path)).toBeNull()
        for (const path of alice.ephemerals) expect(await reader.exists(path)).not.toBeNull()
      } finally {
        await reader.close()
      }
    }
    await expect.poll(() => bobRow.count(), { timeout: 15_000 }).toBe(0)
    await byTest('sessions-filter').fill('')
    expect(await aliceRow.count()).toBe(1)

    // By the app's open connection to the cluster: same sessions, and the cluster is recognised (expire possible).
    const [open] = await ui.contract.api.connections.list()
    const byConnection = await ui.contract.api.sessions.list({ connectionId: open!.connectionId })
    expect(byConnection.clusterId).toBe(cluster!.clusterId)
    expect(byConnection.expire).toEqual({ possible: true })
    expect(byConnection.sessions.map((session) => session.sessionId)).toContain(hex(alice.client.sessionId))
    expect(byConnection.sessions.map((session) => session.sessionId)).not.toContain(hex(bob.client.sessionId))
    await expect(ui.contract.api.sessions.expire({ clusterId: cluster!.clusterId, sessionId: 'nope' })).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' })
    await expect(ui.contract.api.sessions.expire({ clusterId: cluster!.clusterId, sessionId: hex(bob.client.sessionId) })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(alice.events).not.toContain('Expired')
    expect(ui.browser.errors).toEqual([])
  }, 180_000)

  it('lists an Apache ZooKeeper 3.8 cluster’s sessions and explains why expiring is not possible', async () => {
    const apache = await ui.contract.api.clusters.create({ name: 'e2e-sessions-apache', voters: 3, kind: 'apache', tickTimeMs: 500 })
    const carol = await join(apache.members[1]!.clientPort, '', 'carol')
    await ui.page.reload()
    await showCluster(apache.clusterId)
    const carolRow = byTest(`session-${hex(carol.client.sessionId)}`)
    await expect.poll(() => carolRow.count(), { timeout: 30_000 }).toBe(1)
    expect(await carolRow.locator('[data-test="session-member"]').textContent()).toBe(`#2 127.0.0.1:${apache.members[1]!.clientPort}`)
    expect(await carolRow.locator('[data-test="session-ephemeral-count"]').textContent()).toBe('2')
    expect(await carolRow.locator('[data-test="session-watch-count"]').textContent()).toBe('1')
    expect(await byTest('sessions-expire-note').textContent()).toContain('Apache ZooKeeper has no four-letter word or AdminServer command')
    expect(await carolRow.locator('[data-test="session-expire"]').isDisabled()).toBe(true)
    await byTest('theme-toggle').click()
    await expect.poll(() => ui.page.evaluate<string>(currentTheme())).toBe('dark')
    await screenshot(ui.page, 'sessions-02-apache-dark')
  }, 240_000)
})
