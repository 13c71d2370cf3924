// The editor's original views (text, JSON, XML, YAML, properties, hex, base64) as view codecs, so that built-ins and
// plug-ins are chosen, detected and saved the same way. The logic stays in data-format.ts.
import { DATA_VIEWS, type DataViewKind, bytesToView, detectView, formatView, isTextSafe, isTextView, monacoLanguage, validateView, viewToBytes } from '../data-format'
import type { ViewCodec } from './types'

/** Hex and text are what detection falls back to; a specific format or codec should win over them. */
const CONFIDENCE: Record<DataViewKind, number> = { text: 0.2, hex: 0.3, json: 0.6, xml: 0.6, yaml: 0.6, properties: 0.6, base64: 0.6 }

export function textViewCodec(view: DataViewKind): ViewCodec {
  return {
    kind: 'view',
    name: view,
    detect: (bytes) => (detectView(bytes) === view ? CONFIDENCE[view] : 0),
    decode: (bytes) => ({ kind: 'text', text: bytesToView(bytes, view), language: monacoLanguage(view) }),
    encode: (text) => viewToBytes(text, view),
    // Showing binary data as UTF-8 text would replace bytes: text views are read-only then.
    canEncode: (bytes) => !isTextView(view) || isTextSafe(bytes),
    format: (text) => formatView(text, view),
    validate: (text) => validateView(text, view),
  }
}

export const textViewCodecs: ViewCodec[] = DATA_VIEWS.map(textViewCodec)
