// @vitest-environment happy-dom
// The data editor with codec plug-ins (component level; the real import of modules is in codecs-plugins.test.ts and
// test/e2e/codecs-plugins.test.ts): a plug-in that cannot be imported is listed with its error behind the picker's
// "Plug-ins…" item while the built-in views work on; plug-ins loaded after a node was opened re-choose its view
// (unless there are edits) and appear in their own group; the stored bytes of a gzip'd node are shown as hex with
// both sizes; the read-only preview helpers go through the same pipeline.
import { mount } from '@vue/test-utils'
import { gzipSync } from 'fflate'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import DataEditor from '../../../../renderer/components/node/DataEditor.vue'
import { i18n } from '../../../../renderer/i18n'
import { bytesToBase64, utf8Bytes } from '../../../../renderer/lib/bytes'
import { CodecPluginLoader } from '../../../../renderer/lib/codecs/plugins'
import { previewPair, previewText, treeText } from '../../../../renderer/lib/codecs/preview'
import { codecs } from '../../../../renderer/lib/codecs/registry'
import { useAppStore } from '../../../../renderer/stores/app'
import { useCodecPluginsStore } from '../../../../renderer/stores/codec-plugins'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { useEditorStore } from '../../../../renderer/stores/editor'
import { protobufSample } from '../../../fixtures/codecs/protobuf-sample'
import { connection, stat } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

const MonacoStub = defineComponent({
  props: { modelValue: { type: String, default: '' }, language: String, theme: String, readOnly: Boolean },
  emits: ['update:modelValue', 'save'],
  setup(props, { emit }) {
    return () => h('textarea', { class: 'monaco-stub', 'data-language': props.language, readonly: props.readOnly, value: props.modelValue, onInput: (event: Event) => emit('update:modelValue', (event.target as HTMLTextAreaElement).value) })
  },
})
const global = { plugins: [i18n], stubs: { MonacoEditor: MonacoStub } }
const FOLDER = '/home/someone/.config/zoodesk/codecs'

/** A plug-in registered in the app's registry the way the loader does it (module objects instead of files). */
async function registerPlugin(file: string, module: unknown): Promise<CodecPluginLoader> {
  const loader = new CodecPluginLoader(codecs, async () => module)
  await loader.load([{ file, sizeBytes: 1, modifiedMs: 1, problem: null }], () => file)
  return loader
}
const loaders: CodecPluginLoader[] = []
afterEach(() => {
  for (const loader of loaders.splice(0)) loader.unloadAll()
  localStorage.clear()
})

describe('data editor with codec plug-ins', () => {
  it('lists a plug-in that failed to load with its error behind “Plug-ins…”, and the built-in views work on', async () => {
    const main = scriptedMain({
      'codecs.plugins': () => ({ folder: FOLDER, plugins: [{ file: 'broken.js', sizeBytes: 10, modifiedMs: 5, problem: null }, { file: 'far.js', sizeBytes: 0, modifiedMs: 0, problem: 'a link that leads out of the plug-in folder' }] }),
      'codecs.openFolder': () => ({ folder: FOLDER, opened: false, problem: null }),
      'znodes.get': () => ({ path: '/cfg', data: bytesToBase64(utf8Bytes('{"a":1}')), stat: stat(), kind: 'persistent' }),
    })
    useConnectionsStore().connections = [connection()]
    // The desktop app opens the folder (browser mode shows the path only: test/e2e/codecs-plugins.test.ts).
    useAppStore().info = { version: 't', mode: 'electron', platform: 'linux', userDataDir: '/home/someone/.config/zoodesk', secretStorage: 'safeStorage', defaultClusterId: null, defaultConnectionId: null, confirmDeleteAbove: 10 }
    // happy-dom cannot import http modules: the import fails the way a missing or broken module does.
    await useCodecPluginsStore().load()
    await useEditorStore().open('c1', '/cfg')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global, attachTo: document.body })
    await settle()
    expect((wrapper.find('[data-test="data-view"]').element as HTMLSelectElement).value).toBe('json')
    const item = wrapper.find('[data-test="data-view-plugins"]')
    expect(item.text()).toBe('Plug-ins… (2 with errors)')
    await wrapper.find('[data-test="data-view"]').setValue(':plugins')
    await settle()
    // The picker stays on the view; the panel opens.
    expect((wrapper.find('[data-test="data-view"]').element as HTMLSelectElement).value).toBe('json')
    expect(useEditorStore().view).toBe('json')
    const panel = document.querySelector('[data-test="codec-plugins"]')!
    expect(panel.querySelector('[data-test="codec-plugins-folder"]')?.textContent).toBe(FOLDER)
    expect(panel.querySelector('[data-test="codec-plugin-broken.js"] [data-test="codec-plugin-error"]')?.textContent).not.toBe('')
    expect(panel.querySelector('[data-test="codec-plugin-far.js"] [data-test="codec-plugin-error"]')?.textContent).toBe('a link that leads out of the plug-in folder')
    ;(panel.querySelector('[data-test="codec-plugins-open"]') as HTMLButtonElement).click()
    await settle()
    expect(main.callsOf('codecs.openFolder')).toHaveLength(1)
    // Reload asks main again.
    ;(panel.querySelector('[data-test="codec-plugins-reload"]') as HTMLButtonElement).click()
    await settle()
    expect(main.callsOf('codecs.plugins')).toHaveLength(2)
    wrapper.unmount()
  })

  it('plug-ins loaded after a node opened choose its view again, in their own group; not while there are edits', async () => {
    scriptedMain({ 'znodes.get': () => ({ path: '/r', data: bytesToBase64(utf8Bytes('rot13:uryyb')), stat: stat(), kind: 'persistent' }) })
    useConnectionsStore().connections = [connection()]
    const editor = useEditorStore()
    await editor.open('c1', '/r')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect(editor.view).toBe('text')
    const rotate = (s: string) => s.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97))
    loaders.push(
      await registerPlugin('rot13.js', {
        default: { id: 'rot13', name: { en: 'ROT13', 'zh-CN': '回转13' }, detect: (b: Uint8Array) => new TextDecoder().decode(b.subarray(0, 6)) === 'rot13:', decode: (b: Uint8Array) => ({ text: rotate(new TextDecoder().decode(b).slice(6)) }), encode: (t: string) => utf8Bytes(`rot13:${rotate(t)}`) },
      }),
    )
    useCodecPluginsStore().revision++
    editor.codecsChanged()
    await settle()
    expect(editor.view).toBe('rot13')
    expect(editor.text).toBe('hello')
    const group = wrapper.find('optgroup')
    expect(group.attributes('label')).toBe('Plug-ins')
    expect(group.findAll('option').map((option) => option.text())).toEqual(['ROT13'])
    // The Chinese name when the UI is in Chinese.
    i18n.global.locale.value = 'zh-CN'
    await settle()
    expect(wrapper.find('optgroup option').text()).toBe('回转13')
    i18n.global.locale.value = 'en'
    // An edit, then the plug-in goes away: the buffer is kept, the view falls back to a built-in one.
    editor.text = 'hello world'
    for (const loader of loaders.splice(0)) loader.unloadAll()
    editor.codecsChanged()
    await settle()
    expect(codecs.view(editor.view)?.plugin).toBeUndefined()
    expect(editor.text).toBe('rot13:uryyb jbeyq')
    wrapper.unmount()
  })

  it('shows the stored bytes of a gzip’d node as hex with both sizes', async () => {
    const json = '{"service":"billing","replicas":3}'
    const stored = gzipSync(utf8Bytes(json))
    scriptedMain({ 'znodes.get': () => ({ path: '/gz', data: bytesToBase64(stored), stat: stat({ dataLength: stored.length }), kind: 'persistent' }) })
    useConnectionsStore().connections = [connection()]
    await useEditorStore().open('c1', '/gz')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    const toggle = wrapper.find('[data-test="data-stored-toggle"]')
    expect(toggle.text()).toBe('stored')
    await toggle.trigger('click')
    expect(wrapper.find('[data-test="data-stored-sizes"]').text()).toBe(`As stored: ${stored.length} B (gzip) · decompressed: ${json.length} B`)
    const hex = (wrapper.find('textarea.monaco-stub').element as HTMLTextAreaElement).value
    expect(hex.replace(/\s+/g, ' ').trim().startsWith('1f 8b 08')).toBe(true)
    expect(hex.replace(/\s+/g, '').length).toBe(stored.length * 2)
    await wrapper.find('[data-test="data-stored-toggle"]').trigger('click')
    expect((wrapper.find('textarea.monaco-stub').element as HTMLTextAreaElement).value).toContain('"service":"billing"')
    wrapper.unmount()
  })

  it('no stored-bytes button when nothing was undone', async () => {
    scriptedMain({ 'znodes.get': () => ({ path: '/t', data: bytesToBase64(utf8Bytes('plain')), stat: stat(), kind: 'persistent' }) })
    useConnectionsStore().connections = [connection()]
    await useEditorStore().open('c1', '/t')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect(wrapper.find('[data-test="data-stored-toggle"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('read-only previews through the pipeline', () => {
  it('undoes gzip and picks the view; a tree view becomes indented text', () => {
    expect(previewText(gzipSync(utf8Bytes('{"a":1}')))).toEqual({ text: '{"a":1}', language: 'json', pipeline: ['gzip', 'json'] })
    const proto = previewText(protobufSample)
    expect(proto.pipeline).toEqual(['protobuf'])
    expect(proto.text).toContain('"testing"')
    expect(treeText([{ label: '1', detail: 'varint', value: '150', children: [{ label: '2', value: 'x' }] }])).toBe('1 (varint): 150\n  2: x')
  })

  it('a pair for a diff uses one view for both sides, each through its own layers', () => {
    const pair = previewPair(utf8Bytes('{"a":1}'), gzipSync(utf8Bytes('{"a":2}')))
    expect(pair).toEqual({ left: '{"a":1}', right: '{"a":2}', language: 'json', pipeline: ['gzip', 'json'] })
    expect(previewPair(null, null)).toEqual({ left: '', right: '', language: 'plaintext', pipeline: [] })
    expect(previewPair(utf8Bytes('x'), null).left).toBe('x')
  })
})
