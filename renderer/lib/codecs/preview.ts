// Read-only previews of stored bytes outside the data editor (the diff detail, and anything else that shows a node's
// data): the same pipeline as the editor — layers undone, the most confident view (plug-ins included), a tree view
// printed as indented text — so a gzip'd or plug-in-encoded node reads the same everywhere.
import { unwrap } from './pipeline'
import { codecs as appCodecs, type CodecRegistry } from './registry'
import { type DecodedTreeNode, errorMessage, type ViewCodec } from './types'

export interface PreviewText {
  text: string
  language: string
  /** "gzip → json"; just the view when nothing was undone. */
  pipeline: string[]
}

/** A tree view as text: one line per node, children indented, `label (detail): value`. */
export function treeText(nodes: readonly DecodedTreeNode[], indent = ''): string {
  return nodes
    .map((node) => {
      const head = `${indent}${node.label}${node.detail === undefined ? '' : ` (${node.detail})`}${node.value === undefined ? '' : `: ${node.value}`}`
      return node.children === undefined || node.children.length === 0 ? head : `${head}\n${treeText(node.children, `${indent}  `)}`
    })
    .join('\n')
}

function decodeWith(codec: ViewCodec, inner: Uint8Array): { text: string; language: string } {
  try {
    const decoded = codec.decode(inner)
    return decoded.kind === 'text' ? { text: decoded.text, language: decoded.language } : { text: treeText(decoded.tree), language: 'plaintext' }
  } catch (error) {
    // A view that claimed the bytes but cannot read them: say so, and show them as hex.
    const hex = appCodecs.view('hex')
    return { text: `${codec.name}: ${errorMessage(error)}\n\n${hex === undefined ? '' : (hex.decode(inner) as { text: string }).text}`, language: 'plaintext' }
  }
}

/** One node's data as the editor would first show it. */
export function previewText(bytes: Uint8Array, registry: CodecRegistry = appCodecs): PreviewText {
  const { layers, inner } = unwrap(bytes, registry)
  const codec = registry.detectView(inner)
  return { ...decodeWith(codec, inner), pipeline: [...layers.map((layer) => layer.name), codec.name] }
}

/**
 * Two versions of a node for a diff, in one view (chosen from `preferred`, the newer side, else the other), each
 * through its own layers: a diff of two differently chosen views would show everything as changed.
 */
export function previewPair(left: Uint8Array | null, right: Uint8Array | null, registry: CodecRegistry = appCodecs): { left: string; right: string; language: string; pipeline: string[] } {
  const leftInner = left === null ? null : unwrap(left, registry)
  const rightInner = right === null ? null : unwrap(right, registry)
  const chooser = rightInner ?? leftInner
  if (chooser === null) return { left: '', right: '', language: 'plaintext', pipeline: [] }
  const codec = registry.detectView(chooser.inner)
  const leftText = leftInner === null ? null : decodeWith(codec, leftInner.inner)
  const rightText = rightInner === null ? null : decodeWith(codec, rightInner.inner)
  return {
    left: leftText?.text ?? '',
    right: rightText?.text ?? '',
    language: (rightText ?? leftText)?.language ?? 'plaintext',
    pipeline: [...chooser.layers.map((layer) => layer.name), codec.name],
  }
}
