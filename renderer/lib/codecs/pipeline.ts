// Undoing layers before the view and redoing them on save: "gzip → JSON".
import type { CodecRegistry } from './registry'
import { errorMessage, type LayerCodec } from './types'

/** Nested compression deeper than this is not data anyone stores on purpose. */
const MAX_LAYERS = 4
/** A layer this sure of itself that fails to decode is reported; a weaker one (zlib's 2-byte header) just did not match. */
const REPORT_AT = 0.9

export interface Unwrapped {
  /** Outermost first. */
  layers: LayerCodec[]
  /** The bytes under all layers. */
  inner: Uint8Array
  /** Why a layer that looked certain could not be undone (the bytes are shown as they are then). */
  problem: string | null
}

export function unwrap(bytes: Uint8Array, registry: CodecRegistry): Unwrapped {
  const layers: LayerCodec[] = []
  let inner = bytes
  let problem: string | null = null
  outer: while (layers.length < MAX_LAYERS) {
    for (const { codec, confidence } of registry.detectLayers(inner)) {
      try {
        inner = codec.decode(inner)
        layers.push(codec)
        continue outer
      } catch (error) {
        if (confidence >= REPORT_AT) problem = errorMessage(error)
      }
    }
    break
  }
  return { layers, inner, problem }
}

/** The stored bytes for new inner bytes: the layers redone, innermost first. */
export function rewrap(inner: Uint8Array, layers: readonly LayerCodec[]): Uint8Array {
  return layers.reduceRight((bytes, layer) => layer.encode(bytes), inner)
}
