// Loading codec plug-ins (the contract is plugin-types.ts): main lists the modules in `<data dir>/codecs/` and serves
// them same-origin under `codec-plugins/<file>`; here each is imported, checked and registered as a view or layer
// codec. Whatever a plug-in does wrong (a syntax error, a throw while loading, a malformed export, a throwing or
// lying detect/decode) ends as a message on its status; it never reaches the editor as an exception, and the
// other plug-ins and the built-in views carry on.
import type { CodecPluginFile } from '../../../main/contract/model'
import type { CodecPlugin, CodecPluginDecoded, CodecPluginText } from './plugin-types'
import { CODEC_PLUGIN_API_VERSION } from './plugin-types'
import type { CodecRegistry } from './registry'
import { type Codec, type DecodedData, type DecodedTreeNode, errorMessage, type LayerCodec, type ViewCodec } from './types'

/** Where plug-ins are served, relative to the page (main/services/codecs/plugin-files.ts CODEC_PLUGIN_ROUTE). */
export const CODEC_PLUGIN_ROUTE = 'codec-plugins'
/** The confidence a `detect` answering `true` counts as: above the generic formats (JSON 0.6), below gzip (0.95). */
export const TRUE_CONFIDENCE = 0.8
/** A module whose evaluation (top-level await) takes longer than this is reported, not waited for. */
export const IMPORT_TIMEOUT_MS = 10_000
/** A decoded tree bigger than this is cut (a plug-in bug must not freeze the page drawing it). */
const MAX_TREE_NODES = 50_000
const MAX_TREE_DEPTH = 64

export interface LoadedPluginCodec {
  id: string
  kind: 'view' | 'layer'
  /** The English name (or the only one). */
  label: string
  labels: Record<string, string>
}

export interface PluginStatus {
  file: string
  codecs: LoadedPluginCodec[]
  /** Why the file did not load (nothing of it is registered then), or null. */
  error: string | null
  /** The last time one of its codecs threw or answered nonsense while in use ("decode: …"), or null. */
  runtimeError: string | null
  /** How long the import took. */
  loadMs: number
}

export type ModuleImporter = (url: string) => Promise<unknown>
export type RuntimeErrorSink = (file: string, message: string) => void

/** The URL to import a listed plug-in from; the version part makes an edited file a new module (ES modules are cached by URL). */
export function pluginUrl(file: CodecPluginFile, base: string): string {
  return new URL(`${CODEC_PLUGIN_ROUTE}/${encodeURIComponent(file.file)}?v=${file.modifiedMs}-${file.sizeBytes}`, base).href
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object'

function texts(value: CodecPluginText | undefined, what: string): { label: string; labels: Record<string, string> } {
  if (typeof value === 'string' && value.trim() !== '') return { label: value.slice(0, 60), labels: {} }
  if (isObject(value) && typeof value['en'] === 'string' && value['en'].trim() !== '') {
    const labels: Record<string, string> = { en: value['en'].slice(0, 60) }
    if (typeof value['zh-CN'] === 'string' && value['zh-CN'].trim() !== '') labels['zh-CN'] = value['zh-CN'].slice(0, 60)
    return { label: labels['en']!, labels }
  }
  throw new Error(`${what} needs a name: a string, or { en, 'zh-CN' }`)
}

function asBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  throw new Error(`${what} must return a Uint8Array, not ${value === null ? 'null' : typeof value}`)
}

function asTree(nodes: unknown): DecodedTreeNode[] {
  let count = 0
  const walk = (list: unknown, depth: number): DecodedTreeNode[] => {
    if (!Array.isArray(list)) throw new Error('decode() returned a tree that is not an array')
    if (depth > MAX_TREE_DEPTH) throw new Error(`decode() returned a tree deeper than ${MAX_TREE_DEPTH}`)
    return list.map((node: unknown) => {
      if (++count > MAX_TREE_NODES) throw new Error(`decode() returned a tree of more than ${MAX_TREE_NODES} nodes`)
      if (!isObject(node) || typeof node['label'] !== 'string') throw new Error('decode() returned a tree node without a string label')
      const out: DecodedTreeNode = { label: node['label'] }
      if (node['detail'] !== undefined) out.detail = String(node['detail'])
      if (node['value'] !== undefined) out.value = String(node['value'])
      if (node['children'] !== undefined) out.children = walk(node['children'], depth + 1)
      return out
    })
  }
  return walk(nodes, 0)
}

function asDecoded(value: unknown): DecodedData {
  const decoded = value as CodecPluginDecoded
  if (isObject(decoded) && 'text' in decoded && typeof decoded.text === 'string') {
    return { kind: 'text', text: decoded.text, language: typeof decoded.language === 'string' && decoded.language !== '' ? decoded.language : 'plaintext' }
  }
  if (isObject(decoded) && 'tree' in decoded) return { kind: 'tree', tree: asTree(decoded.tree) }
  throw new Error('decode() must return { text, language } or { tree }')
}

/**
 * A plug-in object as a registry codec, or an Error saying what is wrong with it. The codec calls the plug-in with a
 * copy of the bytes (a plug-in that writes into its input cannot change what the editor holds), checks what comes
 * back, and reports throws to `onRuntimeError` as well as to its caller.
 */
export function adaptPlugin(raw: unknown, file: string, onRuntimeError: (message: string) => void = () => {}): Codec {
  if (!isObject(raw)) throw new Error(`expected a plug-in object, got ${raw === null ? 'null' : typeof raw}`)
  const plugin = raw as unknown as CodecPlugin & Record<string, unknown>
  const id = plugin.id
  if (typeof id !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(id)) throw new Error(`id ${JSON.stringify(id)} must be lower-case letters, digits and dashes (at most 32), starting with a letter`)
  if (plugin.apiVersion !== undefined && plugin.apiVersion !== CODEC_PLUGIN_API_VERSION) {
    throw new Error(`"${id}" was written for plug-in API version ${String(plugin.apiVersion)}; this ZooDesk supports ${CODEC_PLUGIN_API_VERSION}`)
  }
  const { label, labels } = texts(plugin.name, `"${id}"`)
  if (typeof plugin.decode !== 'function') throw new Error(`"${id}" has no decode() function`)
  if (plugin.detect !== undefined && typeof plugin.detect !== 'function') throw new Error(`"${id}": detect must be a function`)
  const kind = plugin.kind ?? 'view'
  if (kind !== 'view' && kind !== 'layer') throw new Error(`"${id}": kind must be 'view' or 'layer', not ${JSON.stringify(kind)}`)
  for (const optional of ['encode', 'canEncode', 'format', 'validate'] as const) {
    if (plugin[optional] !== undefined && typeof plugin[optional] !== 'function') throw new Error(`"${id}": ${optional} must be a function`)
  }

  /** Runs one of the plug-in's functions; a throw is reported (and rethrown with the function's name). */
  const run = <T,>(where: string, call: () => T): T => {
    try {
      return call()
    } catch (error) {
      const message = `${where}: ${errorMessage(error)}`
      onRuntimeError(message)
      throw new Error(message)
    }
  }
  const detect = (bytes: Uint8Array): number => {
    const own = plugin.detect
    if (own === undefined) return 0
    try {
      return run('detect', () => {
        const answer: unknown = own.call(plugin, bytes.slice())
        if (answer === true) return TRUE_CONFIDENCE
        if (answer === false) return 0
        if (typeof answer === 'number' && Number.isFinite(answer)) return Math.min(1, Math.max(0, answer))
        throw new Error(`must return a boolean or a number, not ${answer === null ? 'null' : typeof answer}`)
      })
    } catch {
      // Reported above; to detection a throwing plug-in simply does not claim the bytes.
      return 0
    }
  }

  if (kind === 'layer') {
    const layer = plugin as Extract<CodecPlugin, { kind: 'layer' }>
    if (typeof layer.encode !== 'function') throw new Error(`layer "${id}" needs encode() (the layer is redone on save)`)
    const codec: LayerCodec = {
      kind: 'layer',
      name: id,
      label,
      labels,
      plugin: file,
      detect,
      decode: (bytes) => run('decode', () => asBytes(layer.decode.call(plugin, bytes.slice()), 'decode()')),
      encode: (bytes) => run('encode', () => asBytes(layer.encode.call(plugin, bytes.slice()), 'encode()')),
    }
    return codec
  }

  const view = plugin as Extract<CodecPlugin, { decode(bytes: Uint8Array): CodecPluginDecoded }>
  const { encode, canEncode, format, validate } = view
  const codec: ViewCodec = {
    kind: 'view',
    name: id,
    label,
    labels,
    plugin: file,
    detect,
    decode: (bytes) => run('decode', () => asDecoded(view.decode.call(plugin, bytes.slice()))),
    ...(encode === undefined ? {} : { encode: (text: string) => run('encode', () => asBytes(encode.call(plugin, text), 'encode()')) }),
    ...(canEncode === undefined
      ? {}
      : {
          canEncode: (bytes: Uint8Array) => {
            try {
              return run('canEncode', () => canEncode.call(plugin, bytes.slice()) === true)
            } catch {
              return false
            }
          },
        }),
    ...(format === undefined ? {} : { format: (text: string) => run('format', () => String(format.call(plugin, text))) }),
    ...(validate === undefined
      ? {}
      : {
          validate: (text: string) => {
            try {
              const problem: unknown = validate.call(plugin, text)
              return typeof problem === 'string' ? problem : null
            } catch (error) {
              return `validate: ${errorMessage(error)}`
            }
          },
        }),
  }
  return codec
}

/** The plug-ins a module exports: its default export, one object or an array. */
export function pluginsOf(module: unknown): unknown[] {
  if (!isObject(module) || !('default' in module) || module['default'] === undefined) {
    throw new Error('the module has no default export (export default { id, name, decode, … })')
  }
  const exported = module['default']
  const list = Array.isArray(exported) ? exported : [exported]
  if (list.length === 0) throw new Error('the default export is an empty list')
  return list
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not finish loading within ${ms / 1000} s`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

/**
 * Owns the plug-in codecs in one registry: `load` replaces whatever the previous load registered. Files are imported
 * in parallel and registered in name order (so which of two files claiming the same id wins does not depend on
 * timing). A load started while another one runs wins; the older one registers nothing.
 */
export class CodecPluginLoader {
  #unregister: (() => void)[] = []
  #generation = 0

  constructor(
    private readonly registry: CodecRegistry,
    private readonly importModule: ModuleImporter,
    private readonly onRuntimeError: RuntimeErrorSink = () => {},
    private readonly importTimeoutMs = IMPORT_TIMEOUT_MS,
  ) {}

  unloadAll(): void {
    for (const unregister of this.#unregister.splice(0)) unregister()
  }

  /** Imports and registers the listed files; null when a newer load overtook this one. */
  async load(files: readonly CodecPluginFile[], urlOf: (file: CodecPluginFile) => string): Promise<PluginStatus[] | null> {
    const generation = ++this.#generation
    const imported = await Promise.all(
      files.map(async (file) => {
        if (file.problem !== null) return { file, module: null, error: file.problem, loadMs: 0 }
        const started = performance.now()
        try {
          const module = await withTimeout(this.importModule(urlOf(file)), this.importTimeoutMs)
          return { file, module, error: null, loadMs: performance.now() - started }
        } catch (error) {
          return { file, module: null, error: errorMessage(error) || 'the module could not be loaded', loadMs: performance.now() - started }
        }
      }),
    )
    if (generation !== this.#generation) return null
    this.unloadAll()
    const statuses: PluginStatus[] = []
    for (const one of [...imported].sort((a, b) => a.file.file.localeCompare(b.file.file))) {
      const status: PluginStatus = { file: one.file.file, codecs: [], error: one.error, runtimeError: null, loadMs: Math.round(one.loadMs) }
      statuses.push(status)
      if (one.error !== null) continue
      const registered: (() => void)[] = []
      try {
        const report = (message: string) => this.onRuntimeError(one.file.file, message)
        const codecs = pluginsOf(one.module).map((raw) => adaptPlugin(raw, one.file.file, report))
        for (const codec of codecs) {
          registered.push(this.registry.register(codec))
          status.codecs.push({ id: codec.name, kind: codec.kind, label: codec.label ?? codec.name, labels: { ...codec.labels } })
        }
        this.#unregister.push(...registered)
      } catch (error) {
        // All of a file or none of it: a half-registered file would be harder to explain than a failed one.
        for (const unregister of registered) unregister()
        status.codecs = []
        status.error = errorMessage(error)
      }
    }
    return statuses
  }
}
