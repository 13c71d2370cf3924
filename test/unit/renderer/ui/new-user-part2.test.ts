// @vitest-environment happy-dom
// What a new user stumbled on, part 2 (notes/s3-new-user.md): zero times of system nodes, the create dialog's
// preview, the help overlay's one table, the console's first prompt, unreadable children in the tree, Delete on a
// node with children, edits of an open profile, and the Chinese name of the watch log.
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import HelpOverlay from '../../../../renderer/components/common/HelpOverlay.vue'
import CreateNodeDialog from '../../../../renderer/components/node/CreateNodeDialog.vue'
import StatPanel from '../../../../renderer/components/node/StatPanel.vue'
import { i18n } from '../../../../renderer/i18n'
import en from '../../../../renderer/i18n/en'
import zh from '../../../../renderer/i18n/zh-CN'
import { SHORTCUTS } from '../../../../renderer/lib/shortcuts'
import App from '../../../../renderer/src/App.vue'
import { isConnectingPrompt, useConsoleStore } from '../../../../renderer/stores/console'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { connection, pageOf, stat } from './support/fixtures'
import { type Script, scriptedMain, settle } from './support/scripted-main'

const Stub = defineComponent({ props: ['modelValue'], setup: () => () => h('div', { class: 'stub' }) })
const global = { plugins: [i18n], stubs: { MonacoEditor: Stub, MonacoDiff: Stub, TimeChart: Stub, ConsolePanel: Stub } }

afterEach(() => {
  document.body.innerHTML = ''
  localStorage.clear()
  i18n.global.locale.value = 'en'
})

describe('StatPanel: zero times', () => {
  it('says "not recorded" for the zero ctime/mtime of ZooKeeper’s own nodes, in both languages', async () => {
    scriptedMain()
    const wrapper = mount(StatPanel, { props: { stat: stat({ ctime: 0, mtime: 0 }), path: '/zookeeper', connectionId: 'c1' }, global })
    const ctime = wrapper.find('[data-field="ctime"]')
    expect(ctime.find('[data-test="stat-value"]').text()).toBe('not recorded')
    expect(ctime.text()).not.toContain('ago')
    expect(ctime.text()).toContain('ZooKeeper’s own nodes carry no time')
    i18n.global.locale.value = 'zh-CN'
    await settle()
    expect(wrapper.find('[data-field="mtime"] [data-test="stat-value"]').text()).toBe('未记录')
    wrapper.unmount()
  })

  it('still shows a real time with its age', () => {
    scriptedMain()
    const wrapper = mount(StatPanel, { props: { stat: stat(), path: '/a', connectionId: 'c1' }, global })
    expect(wrapper.find('[data-field="ctime"] [data-test="stat-value"]').text()).toMatch(/^2026-11-25 \d\d:00:00\.000$/)
    expect(wrapper.find('[data-field="ctime"]').text()).toContain('ago')
    wrapper.unmount()
  })
})

describe('CreateNodeDialog: the path preview', () => {
  it('shows the parent with a placeholder before a name is typed, never "→ /"', async () => {
    scriptedMain()
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(CreateNodeDialog, { props: { connectionId: 'c1', parent: '/' }, global, attachTo: document.body })
    const preview = () => wrapper.find('[data-test="create-path"]').text()
    expect(preview()).toBe('→ /…')
    await wrapper.find('[data-test="create-name"]').setValue('job-')
    expect(preview()).toBe('→ /job-')
    await wrapper.find('[data-test="create-mode-PERSISTENT_SEQUENTIAL"]').setValue(true)
    expect(preview()).toBe('→ /job-0000000001…')
    wrapper.unmount()
  })

  it('under a deeper parent too', () => {
    scriptedMain()
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(CreateNodeDialog, { props: { connectionId: 'c1', parent: '/jobs' }, global, attachTo: document.body })
    expect(wrapper.find('[data-test="create-path"]').text()).toBe('→ /jobs/…')
    wrapper.unmount()
  })
})

describe('HelpOverlay', () => {
  it('lists every shortcut in one table (so descriptions line up), with a header row per scope', () => {
    const wrapper = mount(HelpOverlay, { global, attachTo: document.body })
    const tables = document.querySelectorAll('[data-test="help-overlay"] table')
    expect(tables).toHaveLength(1)
    const scopes = new Set(SHORTCUTS.map((shortcut) => shortcut.scopeKey))
    expect(document.querySelectorAll('[data-test="shortcut-table"] th.scope')).toHaveLength(scopes.size)
    expect(document.querySelectorAll('[data-test="shortcut-table"] td.keys')).toHaveLength(SHORTCUTS.length)
    wrapper.unmount()
  })
})

describe('console: the first prompt', () => {
  const prompt = (state: string, count = 0) => `[zk: 127.0.0.1:2181(${state}) ${count}] `

  it('recognises zkCli’s connecting prompt', () => {
    expect(isConnectingPrompt(prompt('CONNECTING'))).toBe(true)
    expect(isConnectingPrompt(prompt('CONNECTED'))).toBe(false)
    expect(isConnectingPrompt(prompt('CONNECTEDREADONLY', 3))).toBe(false)
  })

  it('waits for the session’s first state event, then asks for the prompt again (an empty line)', async () => {
    let state = 'CONNECTING'
    const main = scriptedMain({
      'console.open': () => ({ consoleId: 'k1', prompt: prompt(state) }),
      'console.execute': () => ({ output: [], prompt: prompt(state), exitCode: 0 }),
    })
    const consoles = useConsoleStore()
    const session = await consoles.open('c1')
    expect(session.prompt).toBe(prompt('CONNECTING'))
    let ready = false
    const first = consoles.firstPrompt('c1').then(() => (ready = true))
    await settle()
    expect(ready).toBe(false)
    state = 'CONNECTED'
    main.emit('console.output', { consoleId: 'k1', stream: 'out', text: '\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n' })
    await first
    expect(consoles.sessions['c1']?.prompt).toBe(prompt('CONNECTED'))
    expect(main.callsOf('console.execute')).toEqual([{ consoleId: 'k1', line: '' }])
    expect(consoles.sessions['c1']?.transcript).toContain('SyncConnected')
  })

  it('does not wait when the session was connected already', async () => {
    const main = scriptedMain({ 'console.open': () => ({ consoleId: 'k2', prompt: prompt('CONNECTED') }) })
    const consoles = useConsoleStore()
    await consoles.open('c1')
    await consoles.firstPrompt('c1')
    expect(main.callsOf('console.execute')).toEqual([])
  })
})

function appScript(extra: Script = {}): Script {
  return {
    'app.info': () => ({ version: 'test', mode: 'browser', platform: 'linux', userDataDir: '/tmp/x', secretStorage: 'keyfile', defaultClusterId: null, defaultConnectionId: 'c1', confirmDeleteAbove: 10 }),
    'connections.list': () => [connection()],
    'connections.listProfiles': () => [],
    'clusters.list': () => [],
    'watches.list': () => [],
    'audit.list': () => ({ entries: [], total: 0 }),
    'znodes.children': (args) => {
      const listing = pageOf(args.path, args.path === '/' ? ['app', 'secret'] : ['a', 'b'], args.offset ?? 0, args.limit ?? 500, { app: { numChildren: 2 } })
      return { ...listing, children: listing.children.map((child) => (child.name === 'secret' ? { name: 'secret', unreadable: true as const } : child)) }
    },
    'znodes.get': (args) => ({ path: args.path, data: null, stat: stat(args.path === '/app' ? { numChildren: 2 } : {}), kind: 'persistent' }),
    'znodes.exists': () => ({ stat: stat({ numChildren: 2 }) }),
    ...extra,
  }
}

describe('Explorer: part 2', () => {
  it('lists a child its ACL hides (NOAUTH on exists) with a mark that says why', async () => {
    scriptedMain(appScript())
    const wrapper = mount(App, { global, attachTo: document.body })
    await settle(20)
    const secret = wrapper.find('[data-test="tree-row"][data-path="/secret"]')
    expect(secret.exists()).toBe(true)
    expect(secret.find('[data-test="tree-unreadable"]').attributes('title')).toContain('NOAUTH')
    expect(wrapper.find('[data-test="tree-row"][data-path="/app"] [data-test="tree-unreadable"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('Delete on a node with children asks for the recursive delete at once, not for a delete bound to fail', async () => {
    const main = scriptedMain(appScript({ 'znodes.delete': () => ({ deleted: true as const }) }))
    const wrapper = mount(App, { global, attachTo: document.body })
    await settle(20)
    await wrapper.find('[data-test="tree-row"][data-path="/app"]').trigger('click')
    await settle(5)
    await wrapper.find('[data-test="tree"]').trigger('keydown', { key: 'Delete' })
    await settle(5)
    const dialog = wrapper.find('[data-test="confirm-dialog"]')
    expect(dialog.text()).toContain('/app')
    expect(dialog.text()).toContain(en.tree.deleteRecursiveTitle)
    await wrapper.find('[data-test="confirm-cancel"]').trigger('click')
    await settle(5)
    expect(main.callsOf('znodes.delete')).toEqual([])
    wrapper.unmount()
  })
})

describe('profiles: editing one that is open', () => {
  it('refreshes the open connections so that tabs show the new name and colour', async () => {
    let name = 'Prod'
    let color: string | null = '#c62f3b'
    const profile = { id: 'p1', name, connectString: '127.0.0.1:2181', sessionTimeoutMs: 30_000, readOnly: false, color, credentials: [], tls: null, ssh: null, createdAt: 0, updatedAt: 0 }
    scriptedMain({
      'connections.saveProfile': (args) => {
        name = args.profile.name
        color = args.profile.color ?? null
        return { ...profile, name, color }
      },
      'connections.list': () => [connection({ profileId: 'p1', name, color })],
    })
    const connections = useConnectionsStore()
    connections.connections = [connection({ profileId: 'p1', name, color })]
    await connections.saveProfile({ id: 'p1', name: 'Production', connectString: '127.0.0.1:2181', sessionTimeoutMs: 30_000, readOnly: false, color: '#8e44ad', credentials: [], tls: null, ssh: null })
    expect(connections.connections[0]?.name).toBe('Production')
    expect(connections.connections[0]?.color).toBe('#8e44ad')
  })
})

describe('Chinese: the watch log', () => {
  it('is 监听日志, and no watch-log string mixes in the English word', () => {
    expect(zh.nav.watches).toBe('监听日志')
    const strings = [zh.nav.watches, zh.watches.watchKind, zh.watches.setWatch, zh.watches.added, zh.watches.active, zh.watches.includeTree, zh.tree.setWatch]
    for (const text of strings) expect(text).not.toMatch(/watch/i)
  })
})
