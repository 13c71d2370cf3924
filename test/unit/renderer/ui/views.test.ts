// @vitest-environment happy-dom
// The app shell and the views: language and theme, help overlay, explorer (rows, icons, keys, context menu,
// recursive delete with main's typed confirmation), watch log, health, cluster, connections.
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import type { MemberSample } from '../../../../main/contract/model'
import ClusterPanel from '../../../../renderer/components/cluster/ClusterPanel.vue'
import ConnectionsSidebar from '../../../../renderer/components/connections/ConnectionsSidebar.vue'
import HealthPanel from '../../../../renderer/components/health/HealthPanel.vue'
import WatchLog from '../../../../renderer/components/watches/WatchLog.vue'
import { i18n } from '../../../../renderer/i18n'
import App from '../../../../renderer/src/App.vue'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { eventsToCsv, useWatchesStore } from '../../../../renderer/stores/watches'
import { connection, pageOf, stat } from './support/fixtures'
import { type Script, ScriptedFailure, scriptedMain, settle } from './support/scripted-main'

const Stub = defineComponent({ props: ['modelValue'], setup: () => () => h('div', { class: 'stub' }) })
const global = { plugins: [i18n], stubs: { MonacoEditor: Stub, MonacoDiff: Stub, TimeChart: Stub, ConsolePanel: Stub } }

afterEach(() => {
  document.body.innerHTML = ''
  localStorage.clear()
})

function appScript(extra: Script = {}): Script {
  return {
    'app.info': () => ({ version: 'test', mode: 'browser', platform: 'linux', userDataDir: '/tmp/x', secretStorage: 'keyfile', defaultClusterId: null, defaultConnectionId: 'c1', confirmDeleteAbove: 10 }),
    'connections.list': () => [connection()],
    'connections.listProfiles': () => [],
    'clusters.list': () => [],
    'watches.list': () => [],
    'audit.list': () => ({ entries: [], total: 0 }),
    'znodes.children': (args) =>
      pageOf(args.path, args.path === '/' ? ['app', 'zookeeper'] : ['lock-0000000001', 'sess'], args.offset ?? 0, args.limit ?? 500, {
        app: { numChildren: 2 },
        'lock-0000000001': { ephemeralOwner: '0x1000b' },
        sess: { ephemeralOwner: '0x1000c' },
      }),
    'znodes.get': (args) => ({ path: args.path, data: null, stat: stat(), kind: 'persistent' }),
    'znodes.exists': () => ({ stat: stat({ numChildren: 2 }) }),
    ...extra,
  }
}

describe('App shell', () => {
  it('starts on the explorer, switches language and theme, opens the shortcut help with F1', async () => {
    scriptedMain(appScript())
    const wrapper = mount(App, { global, attachTo: document.body })
    await settle(20)
    expect(wrapper.find('.app').attributes('data-ready')).toBe('true')
    expect(wrapper.find('[data-test="view-explorer"]').text()).toContain('Explorer')
    await wrapper.find('[data-test="locale-select"]').setValue('zh-CN')
    expect(wrapper.find('[data-test="view-explorer"]').text()).toContain('浏览')
    expect(document.documentElement.lang).toBe('zh-CN')
    expect(localStorage.getItem('zoodesk.locale')).toBe('zh-CN')
    const before = document.documentElement.dataset.theme
    await wrapper.find('[data-test="theme-toggle"]').trigger('click')
    expect(document.documentElement.dataset.theme).toBe(before === 'dark' ? 'light' : 'dark')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F1' }))
    await settle()
    const help = document.querySelector('[data-test="help-overlay"]')
    expect(help?.textContent).toContain('Ctrl')
    expect(help?.textContent).toContain('递归删除')
    await wrapper.find('[data-test="locale-select"]').setValue('en')
    wrapper.unmount()
  })

  it('shows the reason instead of a blank screen when main cannot be reached', async () => {
    scriptedMain({
      'app.info': () => {
        throw new ScriptedFailure({ code: 'INTERNAL', message: 'the connection to ZooDesk was lost (closed with 1006)', details: {} })
      },
    })
    const wrapper = mount(App, { global })
    await settle(10)
    expect(wrapper.find('[data-test="startup-failed"]').text()).toContain('the connection to ZooDesk was lost')
    expect(wrapper.find('[data-test="startup-failed"] button').exists()).toBe(true)
  })
})

describe('Explorer', () => {
  it('shows rows with icons per kind, moves with the keys, and deletes recursively after main’s typed confirmation', async () => {
    let confirmSent: string | undefined
    const main = scriptedMain(
      appScript({
        'znodes.deleteRecursive': (args) => {
          if (args.confirm !== '/app') throw new ScriptedFailure({ code: 'CONFIRMATION_REQUIRED', message: 'deleting /app removes 3 nodes', details: { phrase: '/app', count: 3, reason: 'deleting /app removes 3 nodes' } })
          confirmSent = args.confirm
          return { operationId: args.operationId ?? 'x', read: 3, created: 0, updated: 0, deleted: 3, skipped: 0 }
        },
      }),
    )
    const wrapper = mount(App, { global, attachTo: document.body })
    await settle(20)
    const rowOf = (path: string) => wrapper.find(`[data-test="tree-row"][data-path="${path}"]`)
    expect(rowOf('/app').exists()).toBe(true)
    await rowOf('/app').trigger('dblclick')
    await settle(10)
    expect(rowOf('/app/lock-0000000001').find('[data-test="node-icon"]').attributes('data-kind')).toBe('ephemeral-sequential')
    expect(rowOf('/app/sess').find('[data-test="node-icon"]').attributes('data-kind')).toBe('ephemeral')
    expect(rowOf('/app').find('.count').text()).toBe('2')
    // Keyboard: Down from /app selects its first child.
    await rowOf('/app').trigger('click')
    await settle(5)
    await wrapper.find('[data-test="tree"]').trigger('keydown', { key: 'ArrowDown' })
    await settle(5)
    expect(rowOf('/app/lock-0000000001').classes()).toContain('selected')
    expect(main.callsOf('znodes.get').at(-1)?.path).toBe('/app/lock-0000000001')
    // Context menu → delete recursively → our confirmation → main's (type the path) → done.
    await rowOf('/app').trigger('contextmenu', { clientX: 10, clientY: 10 })
    await settle(5)
    await wrapper.find('[data-test="menu-deleteRecursive"]').trigger('click')
    await settle()
    await wrapper.find('[data-test="confirm-ok"]').trigger('click')
    await settle(10)
    expect(wrapper.find('[data-test="confirm-dialog"]').text()).toContain('removes 3 nodes')
    expect(wrapper.find('[data-test="confirm-ok"]').attributes('disabled')).toBeDefined()
    await wrapper.find('[data-test="confirm-phrase"]').setValue('/app')
    await wrapper.find('[data-test="confirm-ok"]').trigger('click')
    await settle(10)
    expect(confirmSent).toBe('/app')
    expect(document.body.textContent).toContain('3 nodes deleted under /app')
    wrapper.unmount()
  })
})

describe('WatchLog', () => {
  const event = (path: string, type: 'NodeCreated' | 'NodeDataChanged', watchKind: 'persistentRecursive' | 'tree-data' = 'persistentRecursive') => ({
    time: Date.UTC(2026, 0, 1, 12, 0, 0),
    connectionId: 'c1',
    path,
    type,
    state: 'SyncConnected',
    watchKind,
    watchId: 'w1',
  })

  it('shows events live, filters, pauses and resumes, counts per path, exports CSV', async () => {
    const main = scriptedMain({ 'watches.list': () => [] })
    useConnectionsStore().connections = [connection()]
    const watches = useWatchesStore()
    await watches.load()
    const wrapper = mount(WatchLog, { global })
    main.emit('watches.event', event('/a', 'NodeCreated'))
    main.emit('watches.event', event('/a', 'NodeDataChanged'))
    main.emit('watches.event', event('/tree-only', 'NodeDataChanged', 'tree-data'))
    await new Promise((resolve) => setTimeout(resolve, 80))
    await flushPromises()
    expect(watches.events).toHaveLength(3)
    // The tree's own watches are hidden unless asked for.
    expect(watches.visible.map((one) => one.type)).toEqual(['NodeCreated', 'NodeDataChanged'])
    await wrapper.find('[data-test="watch-filter-type"]').setValue('NodeCreated')
    expect(watches.visible).toHaveLength(1)
    await wrapper.find('[data-test="watch-pause"]').trigger('click')
    main.emit('watches.event', event('/b', 'NodeCreated'))
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(watches.events).toHaveLength(3)
    expect(wrapper.find('[data-test="watch-resume"]').text()).toContain('1')
    await wrapper.find('[data-test="watch-resume"]').trigger('click')
    expect(watches.events).toHaveLength(4)
    expect(watches.countsByPath.get('/a')).toBe(2)
    expect(eventsToCsv(watches.visible, () => 'Local')).toMatch(/^time,connection,path,type,watch,state\r\n.*,Local,\/a,NodeCreated,persistentRecursive,SyncConnected\r\n/)
    await wrapper.find('[data-test="watch-clear"]').trigger('click')
    expect(watches.events).toHaveLength(0)
  })
})

describe('HealthPanel', () => {
  const sample = (member: string, role: MemberSample['role']): MemberSample => ({
    time: Date.now(),
    member,
    reachable: role !== 'unreachable',
    role,
    sources: ['mntr'],
    zxid: role === 'unreachable' ? null : '0x200000005',
    epoch: role === 'unreachable' ? null : 2,
    latencyMinMs: 0,
    latencyAvgMs: 0.5,
    latencyMaxMs: 3,
    outstandingRequests: 0,
    connections: 4,
    znodes: 120,
    watches: 7,
    ephemerals: 2,
    dataSizeBytes: 4096,
    syncedFollowers: role === 'leader' ? 1 : null,
    pendingSyncs: role === 'leader' ? 0 : null,
    proposalsPerSecond: null,
    commitsPerSecond: 3,
    requestsPerSecond: role === 'unreachable' ? null : 12.5,
    notices: role === 'unreachable' ? ['127.0.0.1:3 does not answer on its client port.'] : [],
  })

  it('shows one card per member, the leader, quorum, and the alerts on the timeline', async () => {
    const main = scriptedMain({
      'health.watch': () => ({ monitorId: 'm1', members: [1, 2, 3].map((n) => ({ host: '127.0.0.1', clientPort: n, adminPort: null })), latest: [], leader: null, hasQuorum: false }),
    })
    useConnectionsStore().connections = [connection()]
    useConnectionsStore().activeId = 'c1'
    const wrapper = mount(HealthPanel, { global })
    await settle(5)
    main.emit('health.sample', { monitorId: 'm1', samples: [sample('127.0.0.1:1', 'follower'), sample('127.0.0.1:2', 'leader'), sample('127.0.0.1:3', 'unreachable')] })
    main.emit('health.alert', { monitorId: 'm1', time: Date.now(), kind: 'leader-change', member: '127.0.0.1:2', previousLeader: '127.0.0.1:3', leader: '127.0.0.1:2', message: 'The leader changed from 127.0.0.1:3 to 127.0.0.1:2.' })
    await settle()
    const cards = wrapper.findAll('[data-test="member-card"]')
    expect(cards.map((card) => card.attributes('data-role'))).toEqual(['follower', 'leader', 'unreachable'])
    expect(cards[1]!.text()).toContain('Synced followers')
    expect(cards[1]!.text()).toContain('0x200000005')
    expect(cards[2]!.text()).toContain('does not answer')
    expect(wrapper.find('[data-test="health-leader"]').text()).toContain('127.0.0.1:2')
    expect(wrapper.find('[data-test="health-quorum"]').text()).toBe('quorum')
    expect(wrapper.find('[data-test="health-alert"]').attributes('data-kind')).toBe('leader-change')
  })
})

describe('ClusterPanel', () => {
  it('kills, restarts and isolates members with a click', async () => {
    const view = (states: ('running' | 'killed')[]) => ({
      clusterId: 'k1',
      name: 'Three',
      kind: 'zoodesk' as const,
      reconfigEnabled: false,
      connectString: '127.0.0.1:1,127.0.0.1:2,127.0.0.1:3',
      dataDir: '/tmp/k1',
      tickTimeMs: 2000,
      voters: 3,
      observers: 0,
      members: states.map((state, i) => ({ id: i + 1, role: 'voter' as const, state, pid: 100 + i, clientPort: i + 1, adminPort: null, kind: 'zoodesk' as const, disk: { mode: 'ok' as const, delayMs: 0 }, lastExit: state === 'killed' ? 'SIGKILL' : null })),
      partition: null,
      running: true,
      isDefault: false,
    })
    const main = scriptedMain({
      'clusters.list': () => [view(['running', 'running', 'running'])],
      'clusters.killMember': () => view(['running', 'killed', 'running']),
      'clusters.restartMember': () => view(['running', 'running', 'running']),
      'clusters.partition': (args) => ({ ...view(['running', 'running', 'running']), partition: args.groups }),
      'health.watch': () => ({ monitorId: 'm1', members: [], latest: [], leader: null, hasQuorum: false }),
    })
    const { useClustersStore } = await import('../../../../renderer/stores/clusters')
    await useClustersStore().load()
    const wrapper = mount(ClusterPanel, { global })
    await settle(5)
    const member = (id: number) => wrapper.find(`[data-test="cluster-member"][data-member-id="${id}"]`)
    await member(2).find('[data-test="member-kill"]').trigger('click')
    await settle()
    expect(main.callsOf('clusters.killMember')).toEqual([{ clusterId: 'k1', memberId: 2 }])
    expect(member(2).text()).toContain('SIGKILL')
    expect(wrapper.findAll('[data-test="cluster-timeline-entry"]').map((entry) => entry.text()).join('\n')).toContain('2: running → killed')
    await member(2).find('[data-test="member-restart"]').trigger('click')
    await settle()
    await member(3).find('[data-test="member-isolate"]').trigger('click')
    await settle()
    expect(main.callsOf('clusters.partition')).toEqual([{ clusterId: 'k1', groups: [[3], [1, 2]] }])
    expect(wrapper.find('[data-test="cluster-partitioned"]').text()).toContain('[3] / [1, 2]')
  })
})

describe('Connections', () => {
  it('validates a new profile, saves it and connects; quick connect opens an ad-hoc session', async () => {
    const main = scriptedMain({
      'connections.saveProfile': (args) => ({ ...args.profile, id: 'p1', sessionTimeoutMs: 30_000, readOnly: args.profile.readOnly ?? false, color: args.profile.color ?? null, credentials: [], tls: null, ssh: null, createdAt: 0, updatedAt: 0 }),
      'connections.open': (args) => connection({ connectionId: args.kind === 'profile' ? 'c2' : 'c3', name: args.kind === 'profile' ? 'prod' : 'zk9:2181' }),
    })
    const wrapper = mount(ConnectionsSidebar, { global, attachTo: document.body })
    await wrapper.find('[data-test="profile-new"]').trigger('click')
    const dialog = () => wrapper.find('[data-test="profile-dialog"]')
    expect(dialog().find('[data-test="profile-save-connect"]').attributes('disabled')).toBeDefined()
    await dialog().find('[data-test="profile-name"]').setValue('prod')
    await dialog().find('[data-test="profile-connect-string"]').setValue('zk1:2181,zk2:99999')
    expect(dialog().text()).toContain('between 1 and 65535')
    await dialog().find('[data-test="profile-connect-string"]').setValue('zk1:2181,zk2:2181/app')
    await dialog().find('[data-test="profile-read-only"]').setValue(true)
    await dialog().find('[data-test="profile-save-connect"]').trigger('click')
    await settle(10)
    expect(main.callsOf('connections.saveProfile')[0]?.profile).toMatchObject({ name: 'prod', connectString: 'zk1:2181,zk2:2181/app', readOnly: true })
    expect(main.callsOf('connections.open')[0]).toEqual({ kind: 'profile', profileId: 'p1' })
    expect(useConnectionsStore().activeId).toBe('c2')
    await wrapper.find('[data-test="quick-connect-input"]').setValue('zk9:2181')
    await wrapper.find('form.quick').trigger('submit')
    await settle(5)
    expect(main.callsOf('connections.open')[1]).toEqual({ kind: 'adHoc', connection: { connectString: 'zk9:2181', readOnly: false } })
    wrapper.unmount()
  })
})
