// The contract of a codec plug-in: what a person's ES module in `<ZooDesk data dir>/codecs/` exports. It is plain
// data and functions on Uint8Array, with no import from the app (a plug-in is one self-contained module, loaded by
// URL), so the same file works in the desktop app and in browser mode. See docs/codec-plugins.md.
//
//   export default { id: 'rot13', name: 'ROT13', detect, decode, encode }     one plug-in
//   export default [pluginA, pluginB]                                        or several from one file
//
// Everything a plug-in returns is checked; a module that fails to load, exports something else, or throws is shown
// as an error next to its file in the view picker's "Plug-ins" panel and never breaks the editor or other views.

/** The version of this contract; a plug-in may say which one it was written for (`apiVersion: 1`). */
export const CODEC_PLUGIN_API_VERSION = 1

/** A name in the UI's languages; `en` is used when there is none for the current one. */
export type CodecPluginText = string | { en: string; 'zh-CN'?: string }

/** One line of a read-only tree (same shape as the built-in protobuf view). */
export interface CodecPluginTreeNode {
  label: string
  detail?: string
  value?: string
  children?: CodecPluginTreeNode[]
}

/** What a view plug-in's decode returns: text for the editor (in a Monaco language), or a read-only tree. */
export type CodecPluginDecoded = { text: string; language?: string } | { tree: CodecPluginTreeNode[] }

interface CodecPluginBase {
  /** Lower-case letters, digits and dashes (at most 32), unique among all codecs: the view's name and memory key. */
  id: string
  /** What the view menu shows. */
  name: CodecPluginText
  /** Written for this contract version (only 1 exists). */
  apiVersion?: number
  /**
   * Whether these bytes are this format: `true`/`false`, or a confidence 0…1 (built-ins: text 0.2, hex 0.3, JSON
   * 0.6, msgpack 0.7, gzip 0.95; `true` counts as 0.8). Without detect the view is only chosen by hand.
   */
  detect?(bytes: Uint8Array): boolean | number
}

/** Shows (and, with encode, edits) the bytes under any compression layers. */
export interface ViewCodecPlugin extends CodecPluginBase {
  kind?: 'view'
  /** Throws an Error with a readable message when the bytes are not this format. */
  decode(bytes: Uint8Array): CodecPluginDecoded
  /** The bytes for edited text; leave it out for a read-only view. decode(encode(t)) must show t again. */
  encode?(text: string): Uint8Array
  /** Whether these bytes survive decode → encode unchanged (when not, the view stays read-only for them). */
  canEncode?(bytes: Uint8Array): boolean
  /** Pretty-prints edited text (the Format button). */
  format?(text: string): string
  /** A problem with edited text to show (saving is still allowed), or null. */
  validate?(text: string): string | null
}

/** A bytes → bytes wrapping (a compression, an envelope) undone before the view is chosen and redone on save. */
export interface LayerCodecPlugin extends CodecPluginBase {
  kind: 'layer'
  decode(bytes: Uint8Array): Uint8Array
  encode(bytes: Uint8Array): Uint8Array
}

export type CodecPlugin = ViewCodecPlugin | LayerCodecPlugin

/** The module's shape. */
export interface CodecPluginModule {
  default: CodecPlugin | CodecPlugin[]
}
