// The codec pipeline's vocabulary. A znode's bytes go through zero or more layers (gzip, zlib: bytes → bytes, undone
// before anything else and redone on save so the node keeps its format), then one view codec turns the inner bytes
// into something to read: text for Monaco, or a read-only tree. Built-ins and plug-ins use the same shapes.

/** One line of a read-only tree (protobuf raw fields, a plug-in's structure). */
export interface DecodedTreeNode {
  /** What the line is: a field number, a key. */
  label: string
  /** A short note beside the label: the wire type, the value's kind. */
  detail?: string
  /** The value as text; absent for a node that only has children. */
  value?: string
  children?: DecodedTreeNode[]
}

export type DecodedData = { kind: 'text'; text: string; language: string } | { kind: 'tree'; tree: DecodedTreeNode[] }

/** A bytes → bytes layer undone before choosing the view (compression). */
export interface LayerCodec {
  readonly kind: 'layer'
  readonly name: string
  /** A plug-in's display name, and by UI language (the pipeline shows `name`). */
  readonly label?: string
  readonly labels?: Readonly<Record<string, string>>
  /** The plug-in file it came from (renderer/lib/codecs/plugins.ts); absent for built-ins. */
  readonly plugin?: string
  /** 0 (not this) … 1 (surely this). Must not throw; the registry treats a throw as 0. */
  detect(bytes: Uint8Array): number
  /** Throws an Error with a readable message on malformed input. */
  decode(bytes: Uint8Array): Uint8Array
  encode(bytes: Uint8Array): Uint8Array
}

/** A way to show (and maybe edit) the inner bytes. */
export interface ViewCodec {
  readonly kind: 'view'
  readonly name: string
  /** Shown in the view menu when there is no translation for `editor.views.<name>` (plug-ins). */
  readonly label?: string
  /** `label` by UI language ('en', 'zh-CN'), from a plug-in's localized name. */
  readonly labels?: Readonly<Record<string, string>>
  /** The plug-in file it came from (renderer/lib/codecs/plugins.ts); absent for built-ins. */
  readonly plugin?: string
  /** 0 (not this) … 1 (surely this). Must not throw; the registry treats a throw as 0. */
  detect(bytes: Uint8Array): number
  /** Throws an Error with a readable message on malformed input. */
  decode(bytes: Uint8Array): DecodedData
  /** The bytes for edited text; absent for a read-only codec. Throws with a readable message on invalid text. */
  encode?(text: string): Uint8Array
  /** Whether these bytes survive decode → encode unchanged (default: true when there is an encode). */
  canEncode?(bytes: Uint8Array): boolean
  /** Pretty-prints edited text; throws with the parser's message. */
  format?(text: string): string
  /** A problem with edited text (saving is still allowed), or null. */
  validate?(text: string): string | null
}

export type Codec = LayerCodec | ViewCodec

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
