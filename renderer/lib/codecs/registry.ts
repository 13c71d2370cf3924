// The codec registry: built-ins and plug-ins register here; detection asks every codec and takes the most confident.
import { gzipLayer, zlibLayer } from './layers'
import { msgpackCodec } from './msgpack'
import { protobufCodec } from './protobuf'
import { textViewCodecs } from './text-views'
import type { Codec, LayerCodec, ViewCodec } from './types'

const NAME = /^[a-z][a-z0-9-]{0,31}$/

function safeDetect(codec: Codec, bytes: Uint8Array): number {
  try {
    const confidence = codec.detect(bytes)
    return Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0
  } catch {
    return 0
  }
}

export class CodecRegistry {
  readonly #views = new Map<string, ViewCodec>()
  readonly #layers = new Map<string, LayerCodec>()

  /** Adds a codec; returns a function that removes it. Throws on a bad or duplicate name, or a malformed codec. */
  register(codec: Codec): () => void {
    if (!NAME.test(codec.name)) throw new Error(`codec name "${codec.name}" must be lower-case letters, digits and dashes (at most 32)`)
    if (this.#views.has(codec.name) || this.#layers.has(codec.name)) throw new Error(`a codec named "${codec.name}" is already registered`)
    if (typeof codec.detect !== 'function' || typeof codec.decode !== 'function') throw new Error(`codec "${codec.name}" needs detect() and decode()`)
    if (codec.kind === 'layer') {
      if (typeof codec.encode !== 'function') throw new Error(`layer codec "${codec.name}" needs encode()`)
      this.#layers.set(codec.name, codec)
      return () => this.#layers.delete(codec.name)
    }
    if (codec.kind !== 'view') throw new Error(`codec "${String((codec as { name: unknown }).name)}" has an unknown kind`)
    this.#views.set(codec.name, codec)
    return () => this.#views.delete(codec.name)
  }

  views(): ViewCodec[] {
    return [...this.#views.values()]
  }
  layers(): LayerCodec[] {
    return [...this.#layers.values()]
  }
  view(name: string): ViewCodec | undefined {
    return this.#views.get(name)
  }
  layer(name: string): LayerCodec | undefined {
    return this.#layers.get(name)
  }

  /** The most confident view codec for these bytes (ties: the one registered first); 'hex' when none claims them. */
  detectView(bytes: Uint8Array): ViewCodec {
    let best: ViewCodec | undefined
    let bestConfidence = 0
    for (const codec of this.#views.values()) {
      const confidence = safeDetect(codec, bytes)
      if (confidence > bestConfidence) [best, bestConfidence] = [codec, confidence]
    }
    return best ?? this.#views.get('hex') ?? this.#views.values().next().value!
  }

  /** Layer codecs that claim these bytes, most confident first. */
  detectLayers(bytes: Uint8Array): { codec: LayerCodec; confidence: number }[] {
    return this.layers()
      .map((codec) => ({ codec, confidence: safeDetect(codec, bytes) }))
      .filter((one) => one.confidence > 0)
      .sort((a, b) => b.confidence - a.confidence)
  }
}

export function createDefaultRegistry(): CodecRegistry {
  const registry = new CodecRegistry()
  for (const codec of [...textViewCodecs, protobufCodec, msgpackCodec, gzipLayer, zlibLayer]) registry.register(codec)
  return registry
}

/** The app's registry: the data editor uses it; plug-ins add to it with registerCodec. */
export const codecs = createDefaultRegistry()

/** The plug-in entry point (see renderer/lib/codecs/README.md). */
export function registerCodec(codec: Codec): () => void {
  return codecs.register(codec)
}
