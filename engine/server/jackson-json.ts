import { javaDouble } from './java-format'

/**
 * JSON as Apache's AdminServer writes it (Jackson with INDENT_OUTPUT): objects one field per line indented two
 * spaces per object level, `"key" : value`, arrays inline as `[ a, b ]`, empty ones as `{ }` and `[ ]`. Java longs and
 * doubles print differently (`0` vs `0.0`), so doubles are marked.
 */
export class JsonDouble {
  constructor(readonly value: number) {}
}

export type JsonValue = null | boolean | string | number | bigint | JsonDouble | readonly JsonValue[] | JsonObject
/** Objects are Maps: insertion order must survive even for keys that look like integers. */
export type JsonObject = ReadonlyMap<string, JsonValue>

export function jsonObject(entries: Iterable<readonly [string, JsonValue]>): Map<string, JsonValue> {
  return new Map(entries)
}

export function writeJackson(value: JsonValue): string {
  return write(value, 0)
}

function write(value: JsonValue, depth: number): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return String(Math.trunc(value))
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof JsonDouble) return javaDouble(value.value)
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[]
    if (items.length === 0) return '[ ]'
    return `[ ${items.map((item) => write(item, depth)).join(', ')} ]`
  }
  const object = value as JsonObject
  if (object.size === 0) return '{ }'
  const indent = '  '.repeat(depth + 1)
  const fields = [...object].map(([key, field]) => `${indent}${JSON.stringify(key)} : ${write(field, depth + 1)}`)
  return `{\n${fields.join(',\n')}\n${'  '.repeat(depth)}}`
}
