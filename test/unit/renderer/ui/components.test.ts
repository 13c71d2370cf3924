// @vitest-environment happy-dom
// Component logic: stat panel, ACL editor, create dialog, data editor and conflict, toasts.
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { describe, expect, it, vi } from 'vitest'
import AclEditor from '../../../../renderer/components/node/AclEditor.vue'
import CreateNodeDialog from '../../../../renderer/components/node/CreateNodeDialog.vue'
import DataEditor from '../../../../renderer/components/node/DataEditor.vue'
import StatPanel from '../../../../renderer/components/node/StatPanel.vue'
import ToastList from '../../../../renderer/components/common/ToastList.vue'
import { ApiError } from '../../../../renderer/api/client'
import { i18n } from '../../../../renderer/i18n'
import { useAppStore } from '../../../../renderer/stores/app'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { useEditorStore } from '../../../../renderer/stores/editor'
import { connection, stat } from './support/fixtures'
import { keeperError, scriptedMain, settle } from './support/scripted-main'

/** Monaco needs a real browser (it runs in the e2e tests); here a textarea stands in for it. */
const MonacoStub = defineComponent({
  props: { modelValue: { type: String, default: '' }, language: String, theme: String, readOnly: Boolean },
  emits: ['update:modelValue', 'save'],
  setup(props, { emit }) {
    return () => h('textarea', { class: 'monaco-stub', 'data-language': props.language, readonly: props.readOnly, value: props.modelValue, onInput: (event: Event) => emit('update:modelValue', (event.target as HTMLTextAreaElement).value) })
  },
})
const DiffStub = defineComponent({
  props: { original: String, modified: String, language: String, theme: String },
  emits: ['update:modified'],
  setup(props, { emit }) {
    return () => h('div', { class: 'diff-stub' }, [h('pre', { class: 'theirs' }, props.original), h('textarea', { class: 'yours', value: props.modified, onInput: (event: Event) => emit('update:modified', (event.target as HTMLTextAreaElement).value) })])
  },
})
const global = { plugins: [i18n], stubs: { MonacoEditor: MonacoStub, MonacoDiff: DiffStub } }
const b64 = (text: string) => btoa(text)

describe('StatPanel', () => {
  it('shows every field: zxids in hex with epoch and counter, times readable, the owner session', () => {
    scriptedMain()
    useConnectionsStore().connections = [connection({ sessionId: '0x1000a' })]
    const wrapper = mount(StatPanel, { props: { stat: stat({ ephemeralOwner: '0x1000a', dataLength: 2048, numChildren: 12345 }), path: '/e', connectionId: 'c1' }, global })
    const field = (name: string) => wrapper.find(`[data-field="${name}"]`).text()
    for (const name of ['czxid', 'mzxid', 'pzxid', 'ctime', 'mtime', 'version', 'cversion', 'aversion', 'ephemeralOwner', 'dataLength', 'numChildren']) expect(wrapper.find(`[data-field="${name}"]`).exists()).toBe(true)
    expect(field('czxid')).toContain('0x100000002')
    expect(field('czxid')).toContain('epoch 1, counter 2')
    expect(field('ctime')).toMatch(/2026-11-25 \d\d:00:00\.000/)
    expect(field('ephemeralOwner')).toContain('0x1000a')
    expect(field('ephemeralOwner')).toContain('this app’s session')
    expect(field('dataLength')).toContain('2.0 KB')
    expect(field('numChildren')).toContain('12,345')
  })
})

describe('AclEditor', () => {
  it('edits permissions, flags bad ids, generates digests and saves with the ACL version read', async () => {
    const main = scriptedMain({ 'znodes.setAcl': () => ({ stat: stat({ aversion: 2 }) }) })
    useConnectionsStore().connections = [connection()]
    const editor = useEditorStore()
    editor.connectionId = 'c1'
    editor.path = '/x'
    editor.stat = stat({ aversion: 1 })
    editor.acl = [{ scheme: 'world', id: 'anyone', perms: 31 }]
    const wrapper = mount(AclEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect(wrapper.find('[data-test="acl-save"]').attributes('disabled')).toBeDefined()
    // Drop WRITE (the second checkbox).
    await wrapper.findAll('[data-test="acl-row"] input[type="checkbox"]')[1]!.setValue(false)
    expect(wrapper.find('[data-test="acl-row"]').text()).toContain('cdra')
    await wrapper.find('[data-test="digest-user"]').setValue('alice')
    await wrapper.find('[data-test="digest-password"]').setValue('s3cret')
    await wrapper.find('[data-test="digest-generate"]').trigger('click')
    // SHA-1 through crypto.subtle answers on another thread.
    await vi.waitFor(() => expect(wrapper.find('[data-test="digest-result"]').exists()).toBe(true))
    expect(wrapper.find('[data-test="digest-result"]').text()).toBe('digest:alice:uLxpHc/uhT86OXPoSjJTp1M8CJY=')
    await wrapper.findAll('button').find((button) => button.text() === 'Add as entry')!.trigger('click')
    expect(wrapper.findAll('[data-test="acl-row"]')).toHaveLength(2)
    await wrapper.find('[data-test="acl-save"]').trigger('click')
    await settle()
    expect(main.callsOf('znodes.setAcl')).toEqual([
      {
        connectionId: 'c1',
        path: '/x',
        version: 1,
        acl: [
          { scheme: 'world', id: 'anyone', perms: 29 },
          { scheme: 'digest', id: 'alice:uLxpHc/uhT86OXPoSjJTp1M8CJY=', perms: 31 },
        ],
      },
    ])
  })

  it('says why an entry would be refused', async () => {
    scriptedMain()
    useConnectionsStore().connections = [connection()]
    const editor = useEditorStore()
    editor.connectionId = 'c1'
    editor.path = '/x'
    editor.stat = stat()
    editor.acl = [{ scheme: 'digest', id: 'bob:plaintext', perms: 31 }]
    const wrapper = mount(AclEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect(wrapper.text()).toContain('use the generator')
  })
})

describe('CreateNodeDialog', () => {
  it('validates as you type, sends every field, and reports the created name with its sequence', async () => {
    const main = scriptedMain({ 'znodes.create': (args) => ({ path: `${args.path}0000000007`, stat: stat() }) })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(CreateNodeDialog, { props: { connectionId: 'c1', parent: '/jobs' }, global, attachTo: document.body })
    const submit = () => wrapper.find('[data-test="create-submit"]')
    expect(submit().attributes('disabled')).toBeDefined()
    await wrapper.find('[data-test="create-name"]').setValue('a//b')
    expect(wrapper.find('[data-test="create-problems"]').text()).toContain('empty node name')
    await wrapper.find('[data-test="create-name"]').setValue('job-')
    expect(wrapper.find('[data-test="create-path"]').text()).toContain('/jobs/job-')
    // TTL is only for TTL types.
    expect(wrapper.find('[data-test="create-ttl"]').attributes('disabled')).toBeDefined()
    await wrapper.find('[data-test="create-mode-PERSISTENT_SEQUENTIAL_WITH_TTL"]').setValue(true)
    expect(wrapper.find('[data-test="create-ttl"]').attributes('disabled')).toBeUndefined()
    await wrapper.find('[data-test="create-ttl"]').setValue('90')
    await wrapper.find('.monaco-stub').setValue('{"x":1}')
    await submit().trigger('click')
    await settle()
    expect(main.callsOf('znodes.create')).toEqual([{ connectionId: 'c1', path: '/jobs/job-', data: b64('{"x":1}'), mode: 'PERSISTENT_SEQUENTIAL_WITH_TTL', acl: [{ scheme: 'world', id: 'anyone', perms: 31 }], ttlMs: 90_000 }])
    expect(wrapper.emitted('created')).toEqual([['/jobs/job-0000000007']])
    wrapper.unmount()
  })

  it('disables the TTL types with an explanation once the server refuses them', async () => {
    scriptedMain({
      'znodes.create': () => {
        throw keeperError('UNIMPLEMENTED', '/t')
      },
    })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(CreateNodeDialog, { props: { connectionId: 'c1', parent: '/' }, global, attachTo: document.body })
    await wrapper.find('[data-test="create-name"]').setValue('t')
    await wrapper.find('[data-test="create-mode-PERSISTENT_WITH_TTL"]').setValue(true)
    await wrapper.find('[data-test="create-submit"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="create-error"]').text()).toContain('UNIMPLEMENTED')
    expect(wrapper.find('[data-test="create-ttl-refused"]').text()).toContain('extendedTypesEnabled')
    expect(wrapper.find('[data-test="create-mode-PERSISTENT_WITH_TTL"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-test="create-mode-PERSISTENT"]').attributes('disabled')).toBeUndefined()
    wrapper.unmount()
  })
})

describe('DataEditor', () => {
  it('detects JSON, shows the size against 1 MB, saves with the version read, opens the conflict view on BADVERSION', async () => {
    let version = 4
    const main = scriptedMain({
      'znodes.get': () => ({ path: '/cfg', data: b64(version === 4 ? '{"a":1}' : '{"a":"theirs"}'), stat: stat({ version, dataLength: 7 }), kind: 'persistent' }),
      'znodes.set': (args) => {
        if (args.version !== version) throw keeperError('BADVERSION', '/cfg')
        version++
        return { stat: stat({ version }) }
      },
    })
    useConnectionsStore().connections = [connection()]
    const editor = useEditorStore()
    await editor.open('c1', '/cfg')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect((wrapper.find('[data-test="data-view"]').element as HTMLSelectElement).value).toBe('json')
    expect(wrapper.find('.monaco-stub').attributes('data-language')).toBe('json')
    expect(wrapper.find('[data-test="data-size"]').text()).toContain('7 B / 1 MB')
    await wrapper.find('.monaco-stub').setValue('{"a":2}')
    expect(wrapper.find('[data-test="data-dirty"]').exists()).toBe(true)
    await wrapper.find('[data-test="data-save"]').trigger('click')
    await settle()
    expect(main.callsOf('znodes.set')[0]).toMatchObject({ path: '/cfg', version: 4, data: b64('{"a":2}') })
    expect(wrapper.find('[data-test="data-dirty"]').exists()).toBe(false)
    // Someone else writes version 6; our next save is against version 5.
    version = 6
    await wrapper.find('.monaco-stub').setValue('{"a":"mine"}')
    await wrapper.find('[data-test="data-save"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="conflict-view"]').exists()).toBe(true)
    expect(wrapper.find('.theirs').text()).toBe('{"a":"theirs"}')
    await wrapper.find('.yours').setValue('{"a":"merged"}')
    await wrapper.find('[data-test="conflict-save-merged"]').trigger('click')
    await settle()
    expect(main.callsOf('znodes.set').at(-1)).toMatchObject({ version: 6, data: b64('{"a":"merged"}') })
    expect(wrapper.find('[data-test="conflict-view"]').exists()).toBe(false)
  })

  it('keeps binary data safe: text views are read-only, hex edits the bytes', async () => {
    scriptedMain({ 'znodes.get': () => ({ path: '/bin', data: btoa(String.fromCharCode(0, 255, 16)), stat: stat({ dataLength: 3 }), kind: 'persistent' }) })
    useConnectionsStore().connections = [connection()]
    await useEditorStore().open('c1', '/bin')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect((wrapper.find('.monaco-stub').element as HTMLTextAreaElement).value).toBe('00 ff 10')
    await wrapper.find('[data-test="data-view"]').setValue('text')
    expect(wrapper.find('.monaco-stub').attributes('readonly')).toBeDefined()
    expect(wrapper.text()).toContain('not text')
  })

  it('refuses to save more than 1 MB', async () => {
    scriptedMain({ 'znodes.get': () => ({ path: '/big', data: null, stat: stat(), kind: 'persistent' }) })
    useConnectionsStore().connections = [connection()]
    await useEditorStore().open('c1', '/big')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await wrapper.find('.monaco-stub').setValue('x'.repeat(1_048_576))
    expect(wrapper.find('[data-test="data-size"]').classes()).toContain('over')
    expect(wrapper.find('[data-test="data-save"]').attributes('disabled')).toBeDefined()
  })
})

describe('ToastList', () => {
  it('shows ZooKeeper errors with Apache’s error name and a plain hint', async () => {
    scriptedMain()
    const app = useAppStore()
    const wrapper = mount(ToastList, { global })
    app.fail('errors.deleteFailed', new ApiError('znodes.delete', { code: 'KEEPER', message: 'KeeperErrorCode = NotEmpty for /a', details: { keeperCode: 'NOTEMPTY', path: '/a' } }))
    await settle()
    expect(wrapper.find('[data-test="toast-error-name"]').text()).toBe('NOTEMPTY')
    expect(wrapper.text()).toContain('Could not delete')
    expect(wrapper.text()).toContain('KeeperErrorCode = NotEmpty for /a')
    expect(wrapper.text()).toContain('The node has children.')
  })
})
