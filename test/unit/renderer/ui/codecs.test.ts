// @vitest-environment happy-dom
// The codec pipeline: gzip/zlib layers, protobuf raw fields, msgpack, the registry with a plug-in, the remembered
// view, and the data editor showing "gzip → JSON" and saving gzip'd bytes.
import { mount } from '@vue/test-utils'
import { gunzipSync, gzipSync, zlibSync } from 'fflate'
import { encode as msgpackEncode } from '@msgpack/msgpack'
import { defineComponent, h } from 'vue'
import { describe, expect, it } from 'vitest'
import DataEditor from '../../../../renderer/components/node/DataEditor.vue'
import { bytesToBase64, base64ToBytes, utf8Bytes } from '../../../../renderer/lib/bytes'
import { gzipLayer, zlibLayer } from '../../../../renderer/lib/codecs/layers'
import { msgpackCodec, msgpackToJson } from '../../../../renderer/lib/codecs/msgpack'
import { rewrap, unwrap } from '../../../../renderer/lib/codecs/pipeline'
import { cEscape, formatDecodeRaw, parseRawMessage, protobufCodec } from '../../../../renderer/lib/codecs/protobuf'
import { CodecRegistry, codecs, createDefaultRegistry, registerCodec } from '../../../../renderer/lib/codecs/registry'
import { ViewMemory } from '../../../../renderer/lib/codecs/view-memory'
import { i18n } from '../../../../renderer/i18n'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { useEditorStore } from '../../../../renderer/stores/editor'
import { rot13Codec } from '../../../fixtures/codecs/rot13-plugin'
import { protobufSample } from '../../../fixtures/codecs/protobuf-sample'
import { connection, stat } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
/** Deterministic pseudo-random bytes (no Math.random: failures must replay). */
function noise(seed: number, length: number): Uint8Array {
  let state = seed
  return Uint8Array.from({ length }, () => ((state = (state * 1103515245 + 12345) >>> 0), state >>> 24))
}

describe('compression layers', () => {
  it('round-trips gzip and zlib and is found by the pipeline, nested too', () => {
    const json = utf8Bytes(JSON.stringify({ service: 'billing', replicas: 3, tags: ['a', 'b'] }))
    const registry = createDefaultRegistry()
    const gz = gzipSync(json)
    expect(gzipLayer.detect(gz)).toBeGreaterThan(0.9)
    expect(text(gzipLayer.decode(gz))).toBe(text(json))
    expect(text(zlibLayer.decode(zlibLayer.encode(json)))).toBe(text(json))
    const once = unwrap(gz, registry)
    expect(once.layers.map((layer) => layer.name)).toEqual(['gzip'])
    expect(text(once.inner)).toBe(text(json))
    expect(registry.detectView(once.inner).name).toBe('json')
    const twice = unwrap(gzipSync(zlibSync(json)), registry)
    expect(twice.layers.map((layer) => layer.name)).toEqual(['gzip', 'zlib'])
    expect(text(unwrap(rewrap(twice.inner, twice.layers), registry).inner)).toBe(text(json))
    expect(text(gunzipSync(rewrap(json, once.layers)))).toBe(text(json))
  })

  it('reports a corrupt gzip clearly and leaves text that looks like a zlib header alone', () => {
    const gz = gzipSync(utf8Bytes('hello hello hello hello'))
    const corrupt = gz.slice(0, gz.length - 12)
    expect(() => gzipLayer.decode(corrupt)).toThrow(/^gzip: cannot decompress/)
    const result = unwrap(corrupt, createDefaultRegistry())
    expect(result.layers).toEqual([])
    expect(result.inner).toBe(corrupt)
    expect(result.problem).toMatch(/gzip: cannot decompress/)
    // "x^" is a valid zlib header by chance: a failed inflate means "not zlib", silently.
    const lookalike = utf8Bytes('x^2 + y^2 = r^2')
    expect(zlibLayer.detect(lookalike)).toBeGreaterThan(0)
    expect(unwrap(lookalike, createDefaultRegistry())).toMatchObject({ layers: [], problem: null })
    for (let seed = 1; seed < 200; seed++) expect(() => unwrap(noise(seed, 64), createDefaultRegistry())).not.toThrow()
  })
})

describe('protobuf raw fields', () => {
  it('prints what protoc --decode_raw prints, guessing nested messages', () => {
    expect(formatDecodeRaw(parseRawMessage(protobufSample))).toBe(
      ['1: 150', '2: "testing"', '3 {', '  1: 7', '  2: "inner"', '}', '4: 0x0000002a', '5: 0x0000000000000064', '6: 18446744073709551615', '7 {', '  1: 1', '}', '8: "\\377\\000a"', ''].join('\n'),
    )
    const decoded = protobufCodec.decode(protobufSample)
    if (decoded.kind !== 'tree') throw new Error('expected a tree')
    expect(decoded.tree[0]).toEqual({ label: '1', detail: 'varint', value: '150  (sint 75)' })
    expect(decoded.tree[2]).toMatchObject({ label: '3', detail: 'message · 9 B' })
    expect(decoded.tree[2]?.children?.[1]).toMatchObject({ label: '2', value: '"inner"' })
    expect(decoded.tree[5]?.value).toContain('int64 -1')
    expect(protobufCodec.encode).toBeUndefined()
    expect(cEscape(Uint8Array.from([0x0a, 0x22, 0x5c, 0x01]))).toBe('\\n\\"\\\\\\001')
    expect(createDefaultRegistry().detectView(protobufSample).name).toBe('protobuf')
  })

  it('says where malformed data stops being protobuf, and never crashes on noise', () => {
    expect(() => parseRawMessage(Uint8Array.from([0x12, 0x05, 0x61]))).toThrow('field of 5 bytes at byte 2 runs past the end (3 bytes)')
    expect(() => parseRawMessage(Uint8Array.from([0x0f]))).toThrow('invalid wire type 7 at byte 0')
    expect(() => parseRawMessage(Uint8Array.from([0x08, 0xff]))).toThrow('truncated varint at byte 2')
    expect(() => parseRawMessage(Uint8Array.from([0x00]))).toThrow('invalid field number 0 at byte 0')
    expect(() => parseRawMessage(Uint8Array.from([0x0b, 0x08, 0x01]))).toThrow('group 1 is not closed')
    for (let seed = 1; seed < 300; seed++) {
      try {
        protobufCodec.decode(noise(seed, 40))
      } catch (error) {
        expect(error).toBeInstanceOf(Error)
      }
    }
  })
})

describe('msgpack', () => {
  it('decodes to JSON and re-encodes only when the bytes survive the round trip', () => {
    const plain = msgpackEncode({ name: 'svc', port: 8080, on: true, tags: ['x'], ratio: 0.5, none: null })
    expect(JSON.parse(msgpackToJson(plain))).toEqual({ name: 'svc', port: 8080, on: true, tags: ['x'], ratio: 0.5, none: null })
    expect(msgpackCodec.detect(plain)).toBeGreaterThan(0.5)
    expect(createDefaultRegistry().detectView(plain).name).toBe('msgpack')
    expect(msgpackCodec.canEncode?.(plain)).toBe(true)
    expect(msgpackCodec.encode?.(msgpackToJson(plain))).toEqual(plain)
    // Binary values have no JSON form: shown tagged, read-only.
    const binary = msgpackEncode({ blob: Uint8Array.from([1, 2, 3]) })
    expect(JSON.parse(msgpackToJson(binary))).toEqual({ blob: { $binary: 'AQID' } })
    expect(msgpackCodec.canEncode?.(binary)).toBe(false)
    // 1.0 as a float64 would come back as the integer 1.
    expect(msgpackCodec.canEncode?.(msgpackEncode({ x: 1.0 }, { forceIntegerToFloat: true }))).toBe(false)
  })

  it('rejects malformed msgpack with a clear error', () => {
    const plain = msgpackEncode({ name: 'svc' })
    expect(() => msgpackCodec.decode(plain.subarray(0, plain.length - 2))).toThrow(/^msgpack: /)
    expect(() => msgpackCodec.decode(Uint8Array.from([0xc1]))).toThrow(/^msgpack: /)
    expect(msgpackCodec.detect(Uint8Array.from([0xc1]))).toBe(0)
    expect(() => msgpackCodec.encode?.('{not json')).toThrow()
  })
})

describe('codec registry', () => {
  it('registers built-ins and plug-ins, refuses bad or duplicate names, and picks the most confident', () => {
    const registry = new CodecRegistry()
    expect(() => registry.register({ ...rot13Codec, name: 'Bad Name' })).toThrow('must be lower-case')
    const remove = registry.register(rot13Codec)
    expect(() => registry.register(rot13Codec)).toThrow('already registered')
    const defaults = createDefaultRegistry()
    expect(defaults.views().map((codec) => codec.name)).toEqual(['text', 'json', 'xml', 'yaml', 'properties', 'hex', 'base64', 'protobuf', 'msgpack'])
    expect(defaults.layers().map((codec) => codec.name)).toEqual(['gzip', 'zlib'])
    defaults.register(rot13Codec)
    const stored = rot13Codec.encode!('hello')
    expect(text(stored)).toBe('rot13:uryyb')
    expect(defaults.detectView(stored).name).toBe('rot13')
    // A detect that throws counts as "not this".
    defaults.register({ kind: 'view', name: 'broken', detect: () => { throw new Error('boom') }, decode: () => ({ kind: 'text', text: '', language: 'plaintext' }) })
    expect(defaults.detectView(utf8Bytes('{"a":1}')).name).toBe('json')
    remove()
    expect(registry.view('rot13')).toBeUndefined()
  })
})

describe('remembered views', () => {
  it('remembers per (connection, path, czxid), survives a new instance, and is bounded', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (key: string) => store.get(key) ?? null, setItem: (key: string, value: string) => void store.set(key, value) }
    const memory = new ViewMemory(storage)
    memory.set('prod', '/cfg', '0x100000002', 'hex')
    expect(new ViewMemory(storage).get('prod', '/cfg', '0x100000002')).toBe('hex')
    // Recreated node (new czxid), other connection: fresh.
    expect(memory.get('prod', '/cfg', '0x100000009')).toBeNull()
    expect(memory.get('test', '/cfg', '0x100000002')).toBeNull()
    for (let i = 0; i < 600; i++) memory.set('prod', `/n${i}`, '0x1', 'json')
    expect(memory.get('prod', '/cfg', '0x100000002')).toBeNull()
    expect(memory.get('prod', '/n599', '0x1')).toBe('json')
    store.set('zoodesk.codecViews', '{corrupt')
    expect(memory.get('prod', '/n599', '0x1')).toBeNull()
  })
})

const MonacoStub = defineComponent({
  props: { modelValue: { type: String, default: '' }, language: String, theme: String, readOnly: Boolean },
  emits: ['update:modelValue', 'save'],
  setup(props, { emit }) {
    return () => h('textarea', { class: 'monaco-stub', 'data-language': props.language, readonly: props.readOnly, value: props.modelValue, onInput: (event: Event) => emit('update:modelValue', (event.target as HTMLTextAreaElement).value) })
  },
})
const global = { plugins: [i18n], stubs: { MonacoEditor: MonacoStub } }

describe('data editor with codecs', () => {
  it('shows gzip → JSON with the decompressed size and saves gzip’d bytes', async () => {
    localStorage.clear()
    const json = '{"a":1,"b":"two"}'
    const stored = gzipSync(utf8Bytes(json))
    const main = scriptedMain({
      'znodes.get': () => ({ path: '/gz', data: bytesToBase64(stored), stat: stat({ dataLength: stored.length }), kind: 'persistent' }),
      'znodes.set': () => ({ stat: stat({ version: 1 }) }),
    })
    useConnectionsStore().connections = [connection()]
    await useEditorStore().open('c1', '/gz')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect(wrapper.find('[data-test="data-pipeline"]').text()).toContain('gzip → JSON')
    expect(wrapper.find('[data-test="data-inner-size"]').text()).toContain('17 B')
    expect((wrapper.find('.monaco-stub').element as HTMLTextAreaElement).value).toBe(json)
    expect(wrapper.find('[data-test="data-dirty"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="data-size"]').text()).toContain(`${stored.length} B / 1 MB`)
    await wrapper.find('.monaco-stub').setValue('{"a":2}')
    // The stored (compressed) size follows a moment after typing stops.
    await expect.poll(() => wrapper.find('[data-test="data-size"]').text()).toContain(`${gzipSync(utf8Bytes('{"a":2}')).length} B / 1 MB`)
    expect(wrapper.find('[data-test="data-inner-size"]').text()).toContain('7 B')
    await wrapper.find('[data-test="data-save"]').trigger('click')
    await settle()
    const saved = base64ToBytes(String(main.callsOf('znodes.set')[0]?.data))
    expect([saved[0], saved[1]]).toEqual([0x1f, 0x8b])
    expect(text(gunzipSync(saved))).toBe('{"a":2}')
  })

  it('shows protobuf as a read-only tree and remembers the chosen view for the node', async () => {
    localStorage.clear()
    scriptedMain({ 'znodes.get': () => ({ path: '/pb', data: bytesToBase64(protobufSample), stat: stat({ czxid: '0x100000002' }), kind: 'persistent' }) })
    useConnectionsStore().connections = [connection()]
    const editor = useEditorStore()
    await editor.open('c1', '/pb')
    const wrapper = mount(DataEditor, { props: { connectionId: 'c1' }, global })
    await settle()
    expect(editor.view).toBe('protobuf')
    expect(wrapper.find('[data-test="codec-tree"]').text()).toContain('testing')
    expect(wrapper.find('[data-test="data-codec-readonly"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="data-save"]').attributes('disabled')).toBeDefined()
    await wrapper.find('[data-test="data-view"]').setValue('hex')
    await editor.open('c1', '/pb')
    expect(editor.view).toBe('hex')
    // A plug-in's view is offered in the menu by its label.
    const remove = registerCodec(rot13Codec)
    try {
      const fresh = mount(DataEditor, { props: { connectionId: 'c1' }, global })
      expect(fresh.find('[data-test="data-view"]').text()).toContain('ROT13')
    } finally {
      remove()
    }
    expect(codecs.view('rot13')).toBeUndefined()
  })
})
