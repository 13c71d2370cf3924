// MessagePack shown as JSON. Editing re-encodes the JSON with @msgpack/msgpack, which is only safe when JSON can say
// everything the bytes said: the node is editable when its bytes survive decode → JSON → encode byte for byte
// (no binary, extension, timestamp or 64-bit values, no float that looks like an integer, minimal encodings).
// Otherwise the view is read-only.
import { decode, encode } from '@msgpack/msgpack'
import { bytesEqual, bytesToBase64, hasControlChars, utf8OrNull } from '../bytes'
import type { ViewCodec } from './types'

/** A JSON-able form of a decoded value; lossy parts become tagged objects so that they can still be read. */
function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $binary: bytesToBase64(value) }
  if (value instanceof Date) return { $timestamp: value.toISOString() }
  if (typeof value === 'bigint') return { $int64: value.toString() }
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (value !== null && typeof value === 'object') {
    if ('type' in value && 'data' in value && (value as { data: unknown }).data instanceof Uint8Array) {
      const ext = value as { type: number; data: Uint8Array }
      return { $ext: ext.type, data: bytesToBase64(ext.data) }
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonValue(item)]))
  }
  return value
}

export function msgpackToJson(bytes: Uint8Array): string {
  let value: unknown
  try {
    value = decode(bytes, { useBigInt64: true })
  } catch (error) {
    throw new Error(`msgpack: ${error instanceof Error ? error.message : String(error)}`)
  }
  return JSON.stringify(toJsonValue(value), null, 2)
}

export function jsonToMsgpack(text: string): Uint8Array {
  return encode(JSON.parse(text) as unknown)
}

export const msgpackCodec: ViewCodec = {
  kind: 'view',
  name: 'msgpack',
  detect(bytes) {
    const first = bytes[0]
    if (first === undefined) return 0
    const text = utf8OrNull(bytes)
    if (text !== null && !hasControlChars(text)) return 0
    try {
      decode(bytes)
    } catch {
      return 0
    }
    // A map or array at the top is what msgpack payloads usually are; a lone scalar is weak evidence.
    const container = (first >= 0x80 && first <= 0x9f) || (first >= 0xdc && first <= 0xdf)
    return container ? 0.7 : 0.2
  },
  decode: (bytes) => ({ kind: 'text', text: msgpackToJson(bytes), language: 'json' }),
  encode: (text) => jsonToMsgpack(text),
  canEncode(bytes) {
    try {
      return bytesEqual(jsonToMsgpack(msgpackToJson(bytes)), bytes)
    } catch {
      return false
    }
  },
  format: (text) => JSON.stringify(JSON.parse(text), null, 2),
  validate(text) {
    try {
      JSON.parse(text)
      return null
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
  },
}

