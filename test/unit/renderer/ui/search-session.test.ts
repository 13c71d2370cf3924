// @vitest-environment happy-dom
// Component logic of the server-side subtree search (SubtreeSearch), the ephemeral owner's client address in the
// stat panel, and the requests/s figures of the health panel.
import { mount } from '@vue/test-utils'
import { type PropType, defineComponent, h } from 'vue'
import { describe, expect, it } from 'vitest'
import type { MemberSample, SearchResult, SessionInfo } from '../../../../main/contract/model'
import type { LineSeries } from '../../../../renderer/lib/chart-data'
import HealthPanel from '../../../../renderer/components/health/HealthPanel.vue'
import StatPanel from '../../../../renderer/components/node/StatPanel.vue'
import SubtreeSearch from '../../../../renderer/components/tree/SubtreeSearch.vue'
import { i18n } from '../../../../renderer/i18n'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { connection, stat } from './support/fixtures'
import { ScriptedFailure, scriptedMain, settle } from './support/scripted-main'

const global = { plugins: [i18n] }

/** A promise the test settles when it wants to. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((yes, no) => {
    resolve = yes
    reject = no
  })
  return { promise, resolve, reject }
}

function searchResult(operationId: string, paths: string[], overrides: Partial<SearchResult> = {}): SearchResult {
  return { operationId, root: '/app', matches: paths.map((path) => ({ path, stat: stat({ dataLength: 10, numChildren: 0 }) })), visited: 42, truncated: false, ...overrides }
}

describe('SubtreeSearch', () => {
  it('sends the query and options, shows progress, lists the matches and reveals the one clicked', async () => {
    const answer = deferred<SearchResult>()
    const main = scriptedMain({ 'znodes.search': () => answer.promise })
    const wrapper = mount(SubtreeSearch, { props: { connectionId: 'c1', root: '/app', initialQuery: 'conf' }, global })
    expect((wrapper.find('[data-test="search-root"]').element as HTMLInputElement).value).toBe('/app')
    expect((wrapper.find('[data-test="search-query"]').element as HTMLInputElement).value).toBe('conf')
    await wrapper.find('[data-test="search-match"]').setValue('data')
    await wrapper.find('[data-test="search-case"]').setValue(true)
    await wrapper.find('form').trigger('submit')
    await settle()
    const [args] = main.callsOf('znodes.search')
    expect(args).toMatchObject({ connectionId: 'c1', path: '/app', query: 'conf', match: 'data', caseSensitive: true, regex: false })
    expect(args?.operationId).toMatch(/^search-/)
    expect(wrapper.find('[data-test="search-progress"]').exists()).toBe(true)
    main.emit('operations.progress', { operationId: args!.operationId!, kind: 'search', phase: 'scanning', done: 1234, total: null, path: '/app' })
    main.emit('operations.progress', { operationId: 'someone-else', kind: 'search', phase: 'scanning', done: 99_999, total: null, path: '/' })
    await settle()
    expect(wrapper.find('[data-test="search-status"]').text()).toBe('Searching… 1,234 nodes read')
    answer.resolve(searchResult(args!.operationId!, ['/app/a/conf', '/app/conf']))
    await settle()
    expect(wrapper.find('[data-test="search-status"]').text()).toBe('2 found among 42 nodes')
    const results = wrapper.findAll('[data-test="search-result"]')
    expect(results.map((result) => result.attributes('data-path'))).toEqual(['/app/a/conf', '/app/conf'])
    await results[1]!.trigger('click')
    expect(wrapper.emitted('reveal')).toEqual([['/app/conf']])
  })

  it('refuses a bad regular expression before asking main, and says why', async () => {
    const main = scriptedMain()
    const wrapper = mount(SubtreeSearch, { props: { connectionId: 'c1', root: '/', initialQuery: '(open' }, global })
    await wrapper.find('[data-test="search-regex"]').setValue(true)
    expect(wrapper.find('[data-test="search-regex-problem"]').text()).toContain('Not a valid regular expression')
    expect(wrapper.find('[data-test="search-start"]').attributes('disabled')).toBeDefined()
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(main.callsOf('znodes.search')).toEqual([])
    await wrapper.find('[data-test="search-query"]').setValue('^(open|close)$')
    expect(wrapper.find('[data-test="search-regex-problem"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="search-start"]').attributes('disabled')).toBeUndefined()
  })

  it('cancels a running search through operations.cancel and says so', async () => {
    const answer = deferred<SearchResult>()
    const main = scriptedMain({
      'znodes.search': () => answer.promise,
      'operations.cancel': (args) => {
        answer.reject(new ScriptedFailure({ code: 'CANCELLED', message: 'cancelled', details: { operationId: args.operationId } }))
        return { cancelled: true }
      },
    })
    const wrapper = mount(SubtreeSearch, { props: { connectionId: 'c1', root: '/', initialQuery: 'x' }, global })
    await wrapper.find('form').trigger('submit')
    await settle()
    await wrapper.find('[data-test="search-cancel"]').trigger('click')
    await settle()
    expect(main.callsOf('operations.cancel')).toEqual([{ operationId: main.callsOf('znodes.search')[0]!.operationId }])
    expect(wrapper.find('[data-test="search-status"]').text()).toContain('Search cancelled')
    expect(wrapper.find('[data-test="search-start"]').exists()).toBe(true)
  })

  it('says when the list was capped, and shows long lists in steps', async () => {
    const paths = Array.from({ length: 450 }, (_, i) => `/app/n${String(i).padStart(4, '0')}`)
    scriptedMain({ 'znodes.search': (args) => searchResult(args.operationId ?? '', paths, { truncated: true }) })
    const wrapper = mount(SubtreeSearch, { props: { connectionId: 'c1', root: '/app', initialQuery: 'n' }, global })
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="search-truncated"]').text()).toContain('Stopped at 450 matches')
    expect(wrapper.findAll('[data-test="search-result"]')).toHaveLength(200)
    expect(wrapper.find('[data-test="search-more"]').text()).toBe('Show 250 more')
    await wrapper.find('[data-test="search-more"]').trigger('click')
    expect(wrapper.findAll('[data-test="search-result"]')).toHaveLength(450)
    expect(wrapper.find('[data-test="search-more"]').exists()).toBe(false)
  })

  it('shows main’s words when the search fails', async () => {
    scriptedMain({
      'znodes.search': () => {
        throw new ScriptedFailure({ code: 'KEEPER', message: 'KeeperErrorCode = NoNode for /gone', details: { keeperCode: 'NONODE', path: '/gone' } })
      },
    })
    const wrapper = mount(SubtreeSearch, { props: { connectionId: 'c1', root: '/gone', initialQuery: 'x' }, global })
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="search-status"]').text()).toBe('The search failed: KeeperErrorCode = NoNode for /gone')
  })
})

describe('StatPanel: the ephemeral owner’s client address', () => {
  const info = (overrides: Partial<SessionInfo>): SessionInfo => ({
    sessionId: '0x2000b',
    found: false,
    server: null,
    clientAddress: null,
    connection: null,
    connections: [],
    members: [],
    problem: null,
    message: '',
    ...overrides,
  })

  it('looks it up only when asked, and shows the address and the member', async () => {
    const answer = deferred<SessionInfo>()
    const main = scriptedMain({ 'znodes.sessionInfo': () => answer.promise })
    useConnectionsStore().connections = [connection({ sessionId: '0x1000a' })]
    const wrapper = mount(StatPanel, { props: { stat: stat({ ephemeralOwner: '0x2000b' }), path: '/e', connectionId: 'c1' }, global })
    expect(wrapper.find('[data-test="session-id"]').text()).toBe('0x2000b')
    expect(main.callsOf('znodes.sessionInfo')).toEqual([])
    await wrapper.find('[data-test="session-lookup"]').trigger('click')
    await settle()
    expect(main.callsOf('znodes.sessionInfo')).toEqual([{ connectionId: 'c1', sessionId: '0x2000b' }])
    expect(wrapper.find('[data-test="session-looking"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="session-lookup"]').exists()).toBe(false)
    const connectionInfo = {
      server: '127.0.0.1:2182',
      clientAddress: '10.1.2.3:50123',
      queued: 0,
      received: 5,
      sent: 5,
      lastOperation: 'CREA',
      establishedAt: Date.UTC(2026, 10, 25, 10, 0, 0),
      timeoutMs: 30_000,
      lastCxid: '0x4',
      lastZxid: '0x100000009',
      lastLatencyMs: 1,
      minLatencyMs: 0,
      avgLatencyMs: 1,
      maxLatencyMs: 2,
    }
    answer.resolve(info({ found: true, server: '127.0.0.1:2182', clientAddress: '10.1.2.3:50123', connection: connectionInfo, connections: [connectionInfo] }))
    await settle()
    expect(wrapper.find('[data-test="session-address"]').text()).toBe('10.1.2.3:50123, connected to 127.0.0.1:2182')
    expect(wrapper.find('[data-test="session-details"]').text()).toContain('last operation CREA')
    // Another node: the answer is forgotten until asked again.
    await wrapper.setProps({ stat: stat({ ephemeralOwner: '0x2000c' }) })
    expect(wrapper.find('[data-test="session-address"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="session-lookup"]').text()).toBe('Look up')
  })

  it('says in plain words why the address cannot be known', async () => {
    let next: SessionInfo = info({ problem: 'cons-not-allowed', members: [{ server: 'zk1:2181', status: 'not-allowed' }] })
    scriptedMain({ 'znodes.sessionInfo': () => next })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(StatPanel, { props: { stat: stat({ ephemeralOwner: '0x2000b' }), path: '/e', connectionId: 'c1' }, global })
    await wrapper.find('[data-test="session-lookup"]').trigger('click')
    await settle()
    const problem = wrapper.find('[data-test="session-problem"]')
    expect(problem.attributes('data-problem')).toBe('cons-not-allowed')
    expect(problem.text()).toContain('4lw.commands.whitelist')
    next = info({ problem: 'incomplete', members: [{ server: 'zk1:2181', status: 'not-found' }, { server: 'zk2:2181', status: 'unreachable' }] })
    await wrapper.find('[data-test="session-lookup"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="session-problem"]').text()).toBe('Not on the servers that could be asked; zk2:2181 could not be asked with “cons”.')
  })

  it('offers no lookup for nodes that are not ephemeral', () => {
    scriptedMain()
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(StatPanel, { props: { stat: stat(), path: '/p', connectionId: 'c1' }, global })
    expect(wrapper.find('[data-test="session-owner"]').exists()).toBe(false)
  })
})

describe('HealthPanel: requests per second', () => {
  it('shows each member’s requests/s and a requests chart', async () => {
    const sample = (member: string, requestsPerSecond: number | null): MemberSample => ({
      time: Date.now(),
      member,
      reachable: true,
      role: 'follower',
      sources: ['srvr', 'mntr'],
      zxid: '0x100000001',
      epoch: 1,
      latencyMinMs: 0,
      latencyAvgMs: 0,
      latencyMaxMs: 1,
      outstandingRequests: 0,
      connections: 1,
      znodes: 5,
      watches: 0,
      ephemerals: 0,
      dataSizeBytes: 10,
      syncedFollowers: null,
      pendingSyncs: null,
      proposalsPerSecond: null,
      commitsPerSecond: 0,
      requestsPerSecond,
      notices: [],
    })
    const main = scriptedMain({
      'health.watch': () => ({ monitorId: 'm1', members: [1, 2].map((n) => ({ host: '127.0.0.1', clientPort: n, adminPort: null })), latest: [], leader: null, hasQuorum: false }),
    })
    useConnectionsStore().connections = [connection()]
    useConnectionsStore().activeId = 'c1'
    // uPlot needs a canvas (the e2e test draws it in Chromium); here a stand-in shows what each chart is given.
    const ChartStub = defineComponent({
      props: { title: String, series: { type: Array as PropType<LineSeries[]>, default: () => [] } },
      setup: (props) => () => h('figure', { 'data-test': 'chart', 'data-title': props.title }, props.series.map((line) => h('span', { 'data-line': line.label }, line.y.map(String).join(',')))),
    })
    const wrapper = mount(HealthPanel, { global: { plugins: [i18n], stubs: { TimeChart: ChartStub } } })
    await settle()
    main.emit('health.sample', { monitorId: 'm1', samples: [sample('127.0.0.1:1', 1234.5), sample('127.0.0.1:2', null)] })
    await settle()
    expect(wrapper.findAll('[data-test="member-requests"]').map((cell) => cell.text())).toEqual(['1,234.5', '—'])
    const chart = wrapper.find('[data-title="Requests per second"]')
    expect(chart.exists()).toBe(true)
    expect(chart.find('[data-line="127.0.0.1:1"]').text()).toBe('1234.5')
    expect(chart.find('[data-line="127.0.0.1:2"]').text()).toBe('null')
  })
})
