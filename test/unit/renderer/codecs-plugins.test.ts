// Codec plug-ins (renderer/lib/codecs/plugins.ts): real ES modules written to a folder and imported by URL, as the
// app does (there from main's same-origin route, here from file:// URLs). A valid plug-in is registered and chosen by
// detection; a module that throws while loading, does not parse, exports the wrong thing or claims a taken id is
// reported on its status with nothing registered; a plug-in that throws in use is reported and never throws out of
// detection; layer plug-ins join the gzip/zlib pipeline. The example plug-in in docs/ is loaded the same way.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CodecPluginFile } from '../../../main/contract/model'
import { rewrap, unwrap } from '../../../renderer/lib/codecs/pipeline'
import { adaptPlugin, CodecPluginLoader, type PluginStatus, pluginUrl, TRUE_CONFIDENCE } from '../../../renderer/lib/codecs/plugins'
import { createDefaultRegistry, type CodecRegistry } from '../../../renderer/lib/codecs/registry'
import type { ViewCodec } from '../../../renderer/lib/codecs/types'

const DOCS_EXAMPLE = join(__dirname, '..', '..', '..', 'docs', 'codec-plugins', 'hbase-pbuf.js')
const utf8 = (text: string) => new TextEncoder().encode(text)
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

const ROT13 = `
const rotate = (s) => s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c <= 'Z' ? 65 : 97)))
export default {
  apiVersion: 1,
  id: 'rot13',
  name: { en: 'ROT13', 'zh-CN': 'ROT13 编码' },
  detect: (bytes) => new TextDecoder().decode(bytes.subarray(0, 6)) === 'rot13:',
  decode: (bytes) => ({ text: rotate(new TextDecoder().decode(bytes).slice(6)), language: 'plaintext' }),
  encode: (text) => new TextEncoder().encode('rot13:' + rotate(text)),
}`

let folder: string
const runtimeErrors: { file: string; message: string }[] = []

function write(name: string, source: string): CodecPluginFile {
  const path = join(folder, name)
  writeFileSync(path, source)
  const stat = statSync(path)
  return { file: name, sizeBytes: stat.size, modifiedMs: Math.floor(stat.mtimeMs), problem: null }
}

/** Loads files into a fresh default registry with real dynamic imports of file:// URLs. */
async function load(files: CodecPluginFile[], registry: CodecRegistry = createDefaultRegistry()): Promise<{ registry: CodecRegistry; statuses: PluginStatus[]; loader: CodecPluginLoader }> {
  const loader = new CodecPluginLoader(registry, (url) => import(/* @vite-ignore */ url) as Promise<unknown>, (file, message) => runtimeErrors.push({ file, message }))
  const statuses = await loader.load(files, (file) => `${pathToFileURL(join(folder, file.file)).href}?v=${file.modifiedMs}`)
  if (statuses === null) throw new Error('overtaken')
  return { registry, statuses, loader }
}
const statusOf = (statuses: PluginStatus[], file: string): PluginStatus => statuses.find((one) => one.file === file)!

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'zoodesk-codec-plugins-'))
})
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('codec plug-ins: loading', () => {
  it('registers a valid view plug-in: detected, decoded, encoded back, names in both languages', async () => {
    const { registry, statuses } = await load([write('rot13.js', ROT13)])
    expect(statuses).toEqual([{ file: 'rot13.js', codecs: [{ id: 'rot13', kind: 'view', label: 'ROT13', labels: { en: 'ROT13', 'zh-CN': 'ROT13 编码' } }], error: null, runtimeError: null, loadMs: expect.any(Number) }])
    const stored = utf8('rot13:uryyb jbeyq')
    const codec = registry.detectView(stored)
    expect(codec.name).toBe('rot13')
    expect(codec.plugin).toBe('rot13.js')
    expect(codec.decode(stored)).toEqual({ kind: 'text', text: 'hello world', language: 'plaintext' })
    expect(text(codec.encode!('hello world'))).toBe('rot13:uryyb jbeyq')
    // Built-ins are still there and still win on their own data.
    expect(registry.detectView(utf8('{"a":1}')).name).toBe('json')
  })

  it('reports a module that throws while loading, one that does not parse, and one without a default export; the others load', async () => {
    const { registry, statuses } = await load([
      write('a-throws.js', `throw new Error('cannot start: missing schema')\nexport default {}`),
      write('b-syntax.js', `export default { id: 'broken', decode( }`),
      write('c-no-default.js', `export const codec = { id: 'named', name: 'Named', decode: () => ({ text: '' }) }`),
      write('d-rot13.js', ROT13),
    ])
    expect(statusOf(statuses, 'a-throws.js').error).toContain('cannot start: missing schema')
    expect(statusOf(statuses, 'b-syntax.js').error).toMatch(/syntax|unexpected|expected/i)
    expect(statusOf(statuses, 'c-no-default.js').error).toContain('no default export')
    for (const file of ['a-throws.js', 'b-syntax.js', 'c-no-default.js']) expect(statusOf(statuses, file).codecs).toEqual([])
    expect(statusOf(statuses, 'd-rot13.js').error).toBeNull()
    expect(registry.view('rot13')).toBeDefined()
    expect(registry.view('broken')).toBeUndefined()
    expect(registry.view('named')).toBeUndefined()
  })

  it('refuses malformed exports with a message saying what is wrong, and registers nothing of such a file', async () => {
    const { registry, statuses } = await load([
      write('bad-id.js', `export default { id: 'Bad Id', name: 'x', decode: () => ({ text: '' }) }`),
      write('no-decode.js', `export default { id: 'nodecode', name: 'x' }`),
      write('no-name.js', `export default { id: 'noname', decode: () => ({ text: '' }) }`),
      write('taken.js', `export default { id: 'json', name: 'My JSON', decode: () => ({ text: '' }) }`),
      write('layer-no-encode.js', `export default { kind: 'layer', id: 'lz', name: 'LZ', decode: (b) => b }`),
      write('future.js', `export default { apiVersion: 2, id: 'future', name: 'F', decode: () => ({ text: '' }) }`),
      // Two codecs, the second malformed: the first is not left registered.
      write('half.js', `export default [{ id: 'first-half', name: 'A', decode: () => ({ text: '' }) }, { id: 'second-half', name: 'B', decode: 5 }]`),
      write('empty.js', `export default []`),
    ])
    expect(statusOf(statuses, 'bad-id.js').error).toContain('lower-case letters')
    expect(statusOf(statuses, 'no-decode.js').error).toContain('no decode()')
    expect(statusOf(statuses, 'no-name.js').error).toContain('needs a name')
    expect(statusOf(statuses, 'taken.js').error).toContain('already registered')
    expect(statusOf(statuses, 'layer-no-encode.js').error).toContain('needs encode()')
    expect(statusOf(statuses, 'future.js').error).toContain('API version 2')
    expect(statusOf(statuses, 'half.js').error).toContain('second-half')
    expect(statusOf(statuses, 'empty.js').error).toContain('empty list')
    expect(registry.view('first-half')).toBeUndefined()
    // The built-in JSON view is the original one.
    expect(registry.view('json')?.plugin).toBeUndefined()
  })

  it('takes main’s problem with a file as its error without importing it', async () => {
    let imported = 0
    const loader = new CodecPluginLoader(createDefaultRegistry(), async () => {
      imported++
      return {}
    })
    const statuses = await loader.load([{ file: 'link.js', sizeBytes: 0, modifiedMs: 0, problem: 'a link that leads out of the plug-in folder' }], () => 'unused')
    expect(statuses?.[0]?.error).toBe('a link that leads out of the plug-in folder')
    expect(imported).toBe(0)
  })

  it('reports a module that never finishes loading instead of waiting for it; a newer load overtakes an older one', async () => {
    // Top-level await on a promise that never settles, as the importer sees it; the time limit is shortened here.
    const registry = createDefaultRegistry()
    const importer = (url: string) => (url === 'hang' ? new Promise<unknown>(() => {}) : Promise.resolve({ default: { id: 'quick', name: 'Q', decode: () => ({ text: '' }) } }))
    const loader = new CodecPluginLoader(registry, importer, () => {}, 300)
    const hang: CodecPluginFile = { file: 'hang.js', sizeBytes: 1, modifiedMs: 1, problem: null }
    const started = Date.now()
    const older = loader.load([hang], () => 'hang')
    const newer = loader.load([hang, { ...hang, file: 'quick.js' }], (file) => (file.file === 'hang.js' ? 'hang' : 'quick'))
    expect(await older).toBeNull()
    const statuses = await newer
    console.log(`a hanging plug-in was given up after ${Date.now() - started} ms`)
    expect(statuses?.map((one) => [one.file, one.error])).toEqual([
      ['hang.js', 'did not finish loading within 0.3 s'],
      ['quick.js', null],
    ])
    expect(registry.view('quick')).toBeDefined()
  })

  it('a second load replaces the first: removed files unregister, changed files are imported afresh', async () => {
    const registry = createDefaultRegistry()
    const v1 = write('changing.js', `export default { id: 'changing', name: 'V1', detect: () => true, decode: () => ({ text: 'one' }) }`)
    const first = await load([v1, write('stays.js', ROT13.replace("'rot13'", "'stays'"))], registry)
    const { loader } = first
    expect(registry.view('changing')?.decode(new Uint8Array(1))).toEqual({ kind: 'text', text: 'one', language: 'plaintext' })
    writeFileSync(join(folder, 'changing.js'), `export default { id: 'changing', name: 'V2', detect: () => true, decode: () => ({ text: 'two' }) }`)
    const v2: CodecPluginFile = { ...v1, modifiedMs: v1.modifiedMs + 1 }
    const statuses = await loader.load([v2], (file) => `${pathToFileURL(join(folder, file.file)).href}?v=${file.modifiedMs}`)
    expect(statuses?.map((one) => one.file)).toEqual(['changing.js'])
    expect(registry.view('changing')?.decode(new Uint8Array(1))).toEqual({ kind: 'text', text: 'two', language: 'plaintext' })
    expect(registry.view('stays')).toBeUndefined()
    loader.unloadAll()
    expect(registry.views().filter((one) => one.plugin !== undefined)).toEqual([])
  })

  it('builds the import URL under the page base, with the file version', () => {
    const file: CodecPluginFile = { file: 'my codec.js', sizeBytes: 12, modifiedMs: 1700000000000, problem: null }
    expect(pluginUrl(file, 'http://127.0.0.1:9000/tok3n/')).toBe('http://127.0.0.1:9000/tok3n/codec-plugins/my%20codec.js?v=1700000000000-12')
    expect(pluginUrl(file, 'app://zoodesk/index.html')).toBe('app://zoodesk/codec-plugins/my%20codec.js?v=1700000000000-12')
  })
})

describe('codec plug-ins: in use', () => {
  it('a detect that throws or answers nonsense counts as “not mine” and is reported; detection never throws', async () => {
    const before = runtimeErrors.length
    const { registry } = await load([
      write('detect-throws.js', `export default { id: 'thrower', name: 'T', detect: () => { throw new Error('boom in detect') }, decode: () => ({ text: '' }) }`),
      write('detect-lies.js', `export default { id: 'liar', name: 'L', detect: () => 'yes', decode: () => ({ text: '' }) }`),
      write('detect-number.js', `export default { id: 'sure', name: 'S', detect: (b) => (b[0] === 0xee ? 7 : -1), decode: () => ({ text: 'sure' }) }`),
    ])
    expect(registry.detectView(utf8('{"a":1}')).name).toBe('json')
    const reported = runtimeErrors.slice(before)
    expect(reported).toContainEqual({ file: 'detect-throws.js', message: 'detect: boom in detect' })
    expect(reported).toContainEqual({ file: 'detect-lies.js', message: 'detect: must return a boolean or a number, not string' })
    // Confidences are clamped to 0…1: 7 counts as 1 and beats everything; -1 as 0.
    expect(registry.detectView(Uint8Array.of(0xee, 1, 2)).name).toBe('sure')
    expect(registry.view('sure')!.detect(Uint8Array.of(0xee))).toBe(1)
    expect(registry.view('sure')!.detect(Uint8Array.of(0x00))).toBe(0)
  })

  it('a decode that throws or returns the wrong shape is an error with the function’s name, and is reported', async () => {
    const before = runtimeErrors.length
    const { registry } = await load([
      write('decode-throws.js', `export default { id: 'dthrow', name: 'D', decode: () => { throw new Error('bad magic') } }`),
      write('decode-shape.js', `export default { id: 'dshape', name: 'D', decode: () => 42, encode: () => 'not bytes' }`),
    ])
    expect(() => registry.view('dthrow')!.decode(utf8('x'))).toThrow('decode: bad magic')
    expect(() => registry.view('dshape')!.decode(utf8('x'))).toThrow('decode: decode() must return { text, language } or { tree }')
    expect(() => registry.view('dshape')!.encode!('x')).toThrow('encode: encode() must return a Uint8Array, not string')
    expect(runtimeErrors.slice(before).map((one) => one.message)).toEqual([
      'decode: bad magic',
      'decode: decode() must return { text, language } or { tree }',
      'encode: encode() must return a Uint8Array, not string',
    ])
  })

  it('a plug-in gets a copy of the bytes: writing into it does not change what the editor holds', async () => {
    const { registry } = await load([write('scribbler.js', `export default { id: 'scribbler', name: 'S', detect: (b) => { b.fill(0); return false }, decode: (b) => { b.fill(0); return { text: 'x' } } }`)])
    const bytes = utf8('keep me')
    registry.detectView(bytes)
    registry.view('scribbler')!.decode(bytes)
    expect(text(bytes)).toBe('keep me')
  })

  it('a tree decode is checked and becomes a read-only tree view', async () => {
    const { registry } = await load([
      write('tree.js', `export default { id: 'tree-view', name: 'Tree', decode: () => ({ tree: [{ label: 'a', detail: 'int', value: 1, children: [{ label: 'b', value: 'x' }] }] }) }`),
      write('bad-tree.js', `export default { id: 'bad-tree', name: 'Bad', decode: () => ({ tree: [{ value: 'no label' }] }) }`),
    ])
    expect(registry.view('tree-view')!.decode(utf8('x'))).toEqual({ kind: 'tree', tree: [{ label: 'a', detail: 'int', value: '1', children: [{ label: 'b', value: 'x' }] }] })
    expect(registry.view('tree-view')!.encode).toBeUndefined()
    expect(() => registry.view('bad-tree')!.decode(utf8('x'))).toThrow('without a string label')
  })

  it('a layer plug-in is undone with gzip before the view and redone on save', async () => {
    // A made-up envelope: "ENV1" + payload.
    const { registry, statuses } = await load([
      write(
        'envelope.mjs',
        `const MAGIC = [0x45, 0x4e, 0x56, 0x31]
export default { kind: 'layer', id: 'env1', name: 'ENV1 envelope',
  detect: (b) => MAGIC.every((m, i) => b[i] === m),
  decode: (b) => b.slice(4),
  encode: (b) => { const out = new Uint8Array(b.length + 4); out.set(MAGIC); out.set(b, 4); return out } }`,
      ),
    ])
    expect(statuses[0]?.codecs).toEqual([{ id: 'env1', kind: 'layer', label: 'ENV1 envelope', labels: {} }])
    const json = utf8('{"replicas":3}')
    const envelope = Uint8Array.of(0x45, 0x4e, 0x56, 0x31, ...gzipSync(json))
    const unwrapped = unwrap(envelope, registry)
    expect(unwrapped.layers.map((layer) => layer.name)).toEqual(['env1', 'gzip'])
    expect(text(unwrapped.inner)).toBe('{"replicas":3}')
    expect(registry.detectView(unwrapped.inner).name).toBe('json')
    const saved = rewrap(utf8('{"replicas":5}'), unwrapped.layers)
    expect(Array.from(saved.subarray(0, 6))).toEqual([0x45, 0x4e, 0x56, 0x31, 0x1f, 0x8b])
    expect(text(unwrap(saved, registry).inner)).toBe('{"replicas":5}')
  })

  it('adaptPlugin: `true` from detect is 0.8, above JSON and below gzip', () => {
    const codec = adaptPlugin({ id: 'always', name: 'Always', detect: () => true, decode: () => ({ text: '' }) }, 'always.js') as ViewCodec
    expect(codec.detect(new Uint8Array(0))).toBe(TRUE_CONFIDENCE)
    expect(TRUE_CONFIDENCE).toBeGreaterThan(0.6)
    expect(TRUE_CONFIDENCE).toBeLessThan(0.95)
  })
})

describe('codec plug-ins: the example in docs/', () => {
  it('loads docs/codec-plugins/hbase-pbuf.js and reads an HBase master znode', async () => {
    const registry = createDefaultRegistry()
    const loader = new CodecPluginLoader(registry, (url) => import(/* @vite-ignore */ url) as Promise<unknown>)
    const statuses = await loader.load([{ file: 'hbase-pbuf.js', sizeBytes: 1, modifiedMs: 1, problem: null }], () => pathToFileURL(DOCS_EXAMPLE).href)
    expect(statuses?.[0]?.error).toBeNull()
    // 0xFF, id length 4, "1234", "PBUF", then field 1 (len 9) "host:1600", field 2 varint 150.
    const id = utf8('1234')
    const host = utf8('host:1600')
    const stored = Uint8Array.of(0xff, 0, 0, 0, id.length, ...id, ...utf8('PBUF'), 0x0a, host.length, ...host, 0x10, 0x96, 0x01)
    const codec = registry.detectView(stored)
    expect(codec.name).toBe('hbase-pbuf')
    expect(codec.labels).toEqual({ en: 'HBase envelope', 'zh-CN': 'HBase 信封' })
    expect(codec.decode(stored)).toEqual({
      kind: 'tree',
      tree: [
        { label: 'writer id', detail: '4 bytes', value: '"1234"' },
        { label: 'payload', detail: 'protobuf, 14 bytes', children: [{ label: '1', detail: 'len 9', value: '"host:1600"' }, { label: '2', detail: 'varint', value: '150' }] },
      ],
    })
    expect(registry.detectView(utf8('{"a":1}')).name).toBe('json')
  })
})
