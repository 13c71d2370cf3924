// Protobuf without a schema, as `protoc --decode_raw` shows it: field numbers, wire types and values. A
// length-delimited field that parses completely as a message is guessed to be a nested message (protoc's rule in
// TextFormat's unknown-field printer), otherwise it is a string/bytes. Read-only: without the schema there is no way
// back from the guesses.
import { hasControlChars, utf8OrNull } from '../bytes'
import type { DecodedTreeNode, ViewCodec } from './types'

export type WireType = 0 | 1 | 2 | 3 | 5
export const WIRE_TYPE_NAMES: Record<WireType, string> = { 0: 'varint', 1: 'fixed64', 2: 'len', 3: 'group', 5: 'fixed32' }

export type RawField =
  | { number: number; wireType: 0; value: bigint }
  | { number: number; wireType: 1; value: bigint }
  | { number: number; wireType: 5; value: number }
  | { number: number; wireType: 2; value: Uint8Array; message: RawField[] | null }
  | { number: number; wireType: 3; fields: RawField[] }

/** protoc's default recursion budget for guessing nested messages. */
const MAX_DEPTH = 100

class Reader {
  offset = 0
  constructor(readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.offset >= this.bytes.length
  }
  varint(): bigint {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.bytes[this.offset]
      if (byte === undefined) throw new Error(`truncated varint at byte ${this.offset}`)
      this.offset++
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result)
    }
    throw new Error(`varint longer than 10 bytes at byte ${this.offset}`)
  }
  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new Error(`field of ${length} bytes at byte ${this.offset} runs past the end (${this.bytes.length} bytes)`)
    const slice = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return slice
  }
}

function parseFields(reader: Reader, depth: number, endGroup: number | null): RawField[] {
  const fields: RawField[] = []
  while (!reader.done) {
    const at = reader.offset
    const key = reader.varint()
    const number = Number(key >> 3n)
    const wireType = Number(key & 7n)
    if (number < 1 || number > 0x1fffffff) throw new Error(`invalid field number ${number} at byte ${at}`)
    switch (wireType) {
      case 0:
        fields.push({ number, wireType, value: reader.varint() })
        break
      case 1: {
        const slice = reader.take(8)
        fields.push({ number, wireType, value: new DataView(slice.buffer, slice.byteOffset, 8).getBigUint64(0, true) })
        break
      }
      case 5: {
        const slice = reader.take(4)
        fields.push({ number, wireType, value: new DataView(slice.buffer, slice.byteOffset, 4).getUint32(0, true) })
        break
      }
      case 2: {
        const length = reader.varint()
        if (length > 0x7fffffffn) throw new Error(`length ${length} at byte ${at} is larger than any znode`)
        const value = reader.take(Number(length))
        fields.push({ number, wireType, value, message: depth < MAX_DEPTH ? tryParse(value, depth + 1) : null })
        break
      }
      case 3:
        if (depth >= MAX_DEPTH) throw new Error('groups nested too deep')
        fields.push({ number, wireType, fields: parseFields(reader, depth + 1, number) })
        break
      case 4:
        if (endGroup !== number) throw new Error(`unexpected end of group ${number} at byte ${at}`)
        return fields
      default:
        throw new Error(`invalid wire type ${wireType} at byte ${at}`)
    }
  }
  if (endGroup !== null) throw new Error(`group ${endGroup} is not closed`)
  return fields
}

function tryParse(bytes: Uint8Array, depth: number): RawField[] | null {
  if (bytes.length === 0) return null
  try {
    return parseFields(new Reader(bytes), depth, null)
  } catch {
    return null
  }
}

/** The fields of a message; throws with the byte offset where the data stops being protobuf. */
export function parseRawMessage(bytes: Uint8Array): RawField[] {
  return parseFields(new Reader(bytes), 0, null)
}

/** C-style escaping as protoc's CEscape: \n \r \t \" \' \\ and octal for other non-printable bytes. */
export function cEscape(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) {
    if (byte === 0x0a) out += '\\n'
    else if (byte === 0x0d) out += '\\r'
    else if (byte === 0x09) out += '\\t'
    else if (byte === 0x22) out += '\\"'
    else if (byte === 0x27) out += "\\'"
    else if (byte === 0x5c) out += '\\\\'
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`
    else out += String.fromCharCode(byte)
  }
  return out
}

const hex = (value: bigint | number, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`

/** The same text `protoc --decode_raw` prints for these fields. */
export function formatDecodeRaw(fields: RawField[], indent = ''): string {
  let out = ''
  for (const field of fields) {
    switch (field.wireType) {
      case 0:
        out += `${indent}${field.number}: ${field.value}\n`
        break
      case 1:
        out += `${indent}${field.number}: ${hex(field.value, 16)}\n`
        break
      case 5:
        out += `${indent}${field.number}: ${hex(field.value, 8)}\n`
        break
      case 2:
        out += field.message === null ? `${indent}${field.number}: "${cEscape(field.value)}"\n` : `${indent}${field.number} {\n${formatDecodeRaw(field.message, `${indent}  `)}${indent}}\n`
        break
      case 3:
        out += `${indent}${field.number} {\n${formatDecodeRaw(field.fields, `${indent}  `)}${indent}}\n`
        break
    }
  }
  return out
}

/** Readable text when a len field is UTF-8 (JSON-quoted), protoc's escaping when it is not. */
function lenValue(bytes: Uint8Array): string {
  const text = utf8OrNull(bytes)
  return text !== null && !hasControlChars(text) ? JSON.stringify(text) : `"${cEscape(bytes)}"`
}

export function rawFieldsToTree(fields: RawField[]): DecodedTreeNode[] {
  return fields.map((field): DecodedTreeNode => {
    const label = String(field.number)
    const detail = WIRE_TYPE_NAMES[field.wireType]
    switch (field.wireType) {
      case 0: {
        // The varint could be a uint, an int (two's complement) or a sint (zigzag): show the other readings when they differ.
        const signed = BigInt.asIntN(64, field.value)
        const zigzag = (field.value >> 1n) ^ -(field.value & 1n)
        const notes = [signed !== field.value ? `int64 ${signed}` : null, zigzag !== field.value && field.value !== 0n ? `sint ${zigzag}` : null].filter((note) => note !== null)
        return { label, detail, value: notes.length === 0 ? String(field.value) : `${field.value}  (${notes.join(', ')})` }
      }
      case 1:
        return { label, detail, value: `${hex(field.value, 16)}  (double ${new DataView(new BigUint64Array([field.value]).buffer).getFloat64(0, true)})` }
      case 5:
        return { label, detail, value: `${hex(field.value, 8)}  (float ${new DataView(new Uint32Array([field.value]).buffer).getFloat32(0, true)})` }
      case 2:
        return field.message === null
          ? { label, detail: `${detail} · ${field.value.length} B`, value: lenValue(field.value) }
          : { label, detail: `message · ${field.value.length} B`, children: rawFieldsToTree(field.message) }
      case 3:
        return { label, detail, children: rawFieldsToTree(field.fields) }
    }
  })
}

export const protobufCodec: ViewCodec = {
  kind: 'view',
  name: 'protobuf',
  detect(bytes) {
    if (bytes.length === 0) return 0
    const fields = tryParse(bytes, 0)
    if (fields === null) return 0
    // Much text parses as protobuf by accident; only binary data is likely to be protobuf.
    const text = utf8OrNull(bytes)
    return text !== null && !hasControlChars(text) ? 0.05 : 0.5
  },
  decode(bytes) {
    return { kind: 'tree', tree: rawFieldsToTree(parseRawMessage(bytes)) }
  },
}
