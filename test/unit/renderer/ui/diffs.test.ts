// @vitest-environment happy-dom
// The Diff view against a scripted main: compare two endpoints (the contract call it makes, with an operation id),
// the summary and the entries, a row's data side by side, picking entries → preview of the exact writes → apply →
// a report naming the aborted transaction; and the pure text helpers.
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import type { DiffEntry, DiffView as DiffViewModel } from '../../../../main/contract/model'
import DiffView from '../../../../renderer/components/diffs/DiffView.vue'
import { aclText, dataText, guessLanguage } from '../../../../renderer/components/diffs/diff-text'
import { i18n } from '../../../../renderer/i18n'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { connection } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

const MonacoStub = defineComponent({
  props: ['original', 'modified', 'language', 'theme'],
  setup: (props) => () => h('pre', { 'data-test': 'monaco-diff-stub', 'data-language': props.language }, `${String(props.original)} => ${String(props.modified)}`),
})
const global = { plugins: [i18n], stubs: { MonacoDiff: MonacoStub } }

afterEach(() => {
  document.body.innerHTML = ''
})

const OPEN = [{ perms: 31, scheme: 'world', id: 'anyone' }]
const side = (version: number) => ({ kind: 'persistent' as const, ttlMs: null, dataLength: 3, version, aversion: 0, numChildren: 0, acl: OPEN })
const ENTRIES: DiffEntry[] = [
  { path: 'conf', status: 'changed', changes: ['data'], source: side(1), target: side(4) },
  { path: 'new', status: 'added', changes: [], source: side(0), target: null },
  { path: 'old', status: 'removed', changes: [], source: null, target: side(2) },
]
const VIEW: DiffViewModel = {
  diffId: 'd1',
  source: { connectionId: 'c1', connectionName: 'Local cluster', path: '/src', exists: true, file: null },
  target: { connectionId: 'c2', connectionName: 'Prod', path: '/dst', exists: true, file: null },
  comparedAt: 0,
  elapsedMs: 12,
  summary: { added: 1, changed: 1, unchanged: 5, removed: 1, changedData: 1, changedAcl: 0, changedKind: 0 },
  appliedAt: null,
}

describe('diff-text helpers', () => {
  it('shows text as text, bytes as a hex dump, ACLs in zkCli’s short form', () => {
    expect(dataText(btoa('{"a":1}'))).toBe('{"a":1}')
    expect(dataText(null)).toBe('')
    expect(dataText(btoa(String.fromCharCode(0, 1, 255)))).toBe('00000000  00 01 ff')
    expect(guessLanguage(' {"a":1} ')).toBe('json')
    expect(guessLanguage('<a/>')).toBe('xml')
    expect(aclText([...OPEN, { perms: 1, scheme: 'ip', id: '10.0.0.1' }])).toBe('world:anyone:rwcda, ip:10.0.0.1:r')
  })
})

describe('DiffView', () => {
  it('compares, shows entries and a data diff, previews the picked writes, applies and reports an aborted batch', async () => {
    const main = scriptedMain({
      'diffs.compare': () => VIEW,
      'diffs.entries': () => ({ diffId: 'd1', entries: ENTRIES, total: 3, offset: 0 }),
      'diffs.entryData': () => ({ path: 'conf', sourceData: btoa('{"v":2}'), targetData: btoa('{"v":1}') }),
      'diffs.preview': () => ({
        diffId: 'd1',
        ops: [
          { op: 'setData', path: '/dst/conf', version: 4, kind: null, batch: 0 },
          { op: 'delete', path: '/dst/old', version: 2, kind: null, batch: 1 },
        ],
        skipped: [],
        batches: 2,
      }),
      'diffs.apply': () => ({
        diffId: 'd1',
        operationId: 'x',
        applied: 1,
        aborted: 1,
        batches: [
          { batch: 0, ops: 1, status: 'aborted', keeperCode: 'BADVERSION', failedPath: '/dst/conf' },
          { batch: 1, ops: 1, status: 'applied', keeperCode: null, failedPath: null },
        ],
        skipped: [],
        elapsedMs: 5,
      }),
    })
    useConnectionsStore().connections = [connection(), connection({ connectionId: 'c2', name: 'Prod' })]
    const wrapper = mount(DiffView, { global, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="diff-empty"]').exists()).toBe(true)
    await wrapper.find('[data-test="diff-source-path"]').setValue('/src')
    await wrapper.find('[data-test="diff-target-connection"]').setValue('c2')
    await wrapper.find('[data-test="diff-target-path"]').setValue('/dst')
    await wrapper.find('form').trigger('submit')
    await settle()
    const [compare] = main.callsOf('diffs.compare')
    expect(compare).toMatchObject({ source: { connectionId: 'c1', path: '/src' }, target: { connectionId: 'c2', path: '/dst' } })
    expect(typeof compare?.operationId).toBe('string')
    expect(main.callsOf('diffs.entries')[0]).toMatchObject({ diffId: 'd1', statuses: ['added', 'changed', 'removed'] })
    expect(wrapper.find('[data-test="diff-count-unchanged"]').text()).toContain('5')
    expect(wrapper.findAll('[data-test^="diff-row-"]').map((row) => row.attributes('data-status'))).toEqual(['changed', 'added', 'removed'])

    await wrapper.find('[data-test="diff-row-conf"]').trigger('click')
    await settle()
    expect(main.callsOf('diffs.entryData')).toEqual([{ diffId: 'd1', path: 'conf' }])
    expect(wrapper.find('[data-test="monaco-diff-stub"]').text()).toBe('{"v":1} => {"v":2}')
    expect(wrapper.find('[data-test="monaco-diff-stub"]').attributes('data-language')).toBe('json')

    await wrapper.find('[data-test="diff-pick-conf"]').setValue(true)
    await wrapper.find('[data-test="diff-pick-old"]').setValue(true)
    await wrapper.find('[data-test="diff-apply-picked"]').trigger('click')
    await settle()
    expect(main.callsOf('diffs.preview')).toEqual([{ diffId: 'd1', entries: ['conf', 'old'] }])
    expect(wrapper.find('[data-test="diff-plan-counts"]').text()).toBe('0 creates, 1 setDatas, 0 setACLs, 1 deletes in 2 transactions')
    expect(wrapper.find('[data-test="diff-op-0"]').text()).toContain('/dst/conf')
    await wrapper.find('[data-test="diff-apply-confirm"]').trigger('click')
    await settle()
    expect(main.callsOf('diffs.apply')[0]).toMatchObject({ diffId: 'd1', entries: ['conf', 'old'] })
    expect(wrapper.find('[data-test="diff-plan"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="diff-batch-0"]').text()).toBe('Transaction 1 (1 writes) aborted: BADVERSION at /dst/conf. None of its writes took effect.')
    expect(wrapper.find('[data-test="diff-stale"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows its strings in Chinese too', async () => {
    scriptedMain({})
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(DiffView, { global, attachTo: document.body })
    i18n.global.locale.value = 'zh-CN'
    try {
      await settle()
      expect(wrapper.find('[data-test="diff-compare"]').text()).toBe('比较')
      wrapper.unmount()
    } finally {
      i18n.global.locale.value = 'en'
    }
  })
})
