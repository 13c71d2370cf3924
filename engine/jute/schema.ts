import { JuteReader } from './reader'
import { JuteWriter } from './writer'

/**
 * One declaration per jute type gives its TypeScript type (`Infer`), its encoder and its decoder,
 * so the three can never drift apart.
 */
export interface Codec<T> {
  readonly juteType: string
  write(writer: JuteWriter, value: T): void
  read(reader: JuteReader): T
}

export type Infer<C> = C extends Codec<infer T> ? T : never

export const int: Codec<number> = {
  juteType: 'int',
  write: (w, v) => w.int(v),
  read: (r) => r.int(),
}

export const long: Codec<bigint> = {
  juteType: 'long',
  write: (w, v) => w.long(v),
  read: (r) => r.long(),
}

/** A jute long whose values always fit a double exactly (wall-clock ms): cheaper to handle than bigint. */
export const longNumber: Codec<number> = {
  juteType: 'long',
  write: (w, v) => w.longNumber(v),
  read: (r) => r.longNumber(),
}

export const bool: Codec<boolean> = {
  juteType: 'boolean',
  write: (w, v) => w.bool(v),
  read: (r) => r.bool(),
}

export const buffer: Codec<Buffer | null> = {
  juteType: 'buffer',
  write: (w, v) => w.buffer(v),
  read: (r) => r.buffer(),
}

export const ustring: Codec<string | null> = {
  juteType: 'ustring',
  write: (w, v) => w.ustring(v),
  read: (r) => r.ustring(),
}

/** A ustring that is never null on the wire in practice; null decodes as '' so callers need not branch. */
export const text: Codec<string> = {
  juteType: 'ustring',
  write: (w, v) => w.ustring(v),
  read: (r) => r.ustring() ?? '',
}

export function vector<T>(element: Codec<T>): Codec<T[] | null> {
  return {
    juteType: `vector<${element.juteType}>`,
    write(w, values) {
      if (values === null) return w.int(-1)
      w.int(values.length)
      for (const value of values) element.write(w, value)
    },
    read(r) {
      const count = r.vectorLength()
      if (count === -1) return null
      const values: T[] = new Array(count)
      for (let i = 0; i < count; i++) values[i] = element.read(r)
      return values
    },
  }
}

/** A vector where null and empty mean the same to us; null decodes as []. Writes [] as an empty vector. */
export function list<T>(element: Codec<T>): Codec<T[]> {
  const inner = vector(element)
  return {
    juteType: inner.juteType,
    write: (w, values) => inner.write(w, values),
    read: (r) => inner.read(r) ?? [],
  }
}

type Fields = Record<string, Codec<unknown>>
export type RecordOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> }

export interface RecordCodec<F extends Fields> extends Codec<RecordOf<F>> {
  readonly name: string
  readonly fields: F
}

/** A jute record: its fields in declaration order, nothing else on the wire. */
export function record<F extends Fields>(name: string, fields: F): RecordCodec<F> {
  const entries = Object.entries(fields)
  return {
    name,
    fields,
    juteType: name,
    write(w, value) {
      for (const [key, codec] of entries) codec.write(w, (value as Record<string, unknown>)[key])
    },
    read(r) {
      const value: Record<string, unknown> = {}
      for (const [key, codec] of entries) value[key] = codec.read(r)
      return value as RecordOf<F>
    },
  }
}

const sharedWriter = new JuteWriter(64 * 1024)

/** Serialises one value to a fresh buffer. */
export function encode<T>(codec: Codec<T>, value: T): Buffer {
  sharedWriter.reset()
  codec.write(sharedWriter, value)
  return sharedWriter.toBuffer()
}

/** Decodes one value from the start of `bytes`; trailing bytes are left to the caller to judge. */
export function decode<T>(codec: Codec<T>, bytes: Buffer, maxFieldBytes?: number): T {
  const reader = new JuteReader(bytes, 0, bytes.length, maxFieldBytes)
  return codec.read(reader)
}
