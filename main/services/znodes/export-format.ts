// The two export formats. JSON: one ExportDocument, data as base64. Zip: `manifest.json` (the same document with
// `data` replaced by the name of a raw file) plus `data/<n>` files holding each node's bytes as they are.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate'
import * as v from 'valibot'
import type { ExportDocument, ExportedNode } from '../../contract/model'
import { fail } from '../../rpc/errors'

const hex = v.pipe(v.string(), v.regex(/^0x[0-9a-f]{1,16}$/))
const count = v.pipe(v.number(), v.integer())
const exportedNode = v.object({
  path: v.string(),
  kind: v.picklist(['persistent', 'ephemeral', 'container', 'ttl']),
  ttlMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  data: v.nullable(v.string()),
  acl: v.pipe(v.array(v.object({ perms: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31)), scheme: v.string(), id: v.string() })), v.minLength(1)),
  stat: v.object({
    czxid: hex,
    mzxid: hex,
    pzxid: hex,
    ctime: v.number(),
    mtime: v.number(),
    version: count,
    cversion: count,
    aversion: count,
    ephemeralOwner: hex,
    dataLength: count,
    numChildren: count,
  }),
})
const exportDocument = v.object({
  format: v.literal('zoodesk-export'),
  version: v.literal(1),
  root: v.string(),
  exportedAt: v.number(),
  nodes: v.array(exportedNode),
})

/** A node as read from either format: data already decoded. */
export interface ImportedNode extends Omit<ExportedNode, 'data'> {
  data: Buffer | null
}

function checkDocument(raw: unknown): ExportDocument {
  const parsed = v.safeParse(exportDocument, raw)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    throw fail.badArguments(`content${issue === undefined ? '' : `.${v.getDotPath(issue) ?? ''}`}`, `not a ZooDesk export: ${issue?.message ?? 'invalid'}`)
  }
  const seen = new Set<string>()
  for (const node of parsed.output.nodes) {
    if (node.path !== '' && node.path.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw fail.badArguments('content', `not a ZooDesk export: bad relative path ${JSON.stringify(node.path)}`)
    }
    if (seen.has(node.path)) throw fail.badArguments('content', `not a ZooDesk export: ${JSON.stringify(node.path)} appears twice`)
    seen.add(node.path)
  }
  return parsed.output
}

export function encodeJson(document: ExportDocument): string {
  return JSON.stringify(document)
}

export function encodeZip(document: ExportDocument): Buffer {
  const files: Record<string, Uint8Array> = {}
  const nodes = document.nodes.map((node, index) => {
    if (node.data === null) return { ...node, data: null }
    const name = `data/${String(index).padStart(7, '0')}`
    files[name] = Buffer.from(node.data, 'base64')
    return { ...node, data: name }
  })
  files['manifest.json'] = strToU8(JSON.stringify({ ...document, nodes }))
  // Level 1: znode data is small and often already compact; speed matters more than the last few percent.
  return Buffer.from(zipSync(files, { level: 1 }))
}

/** Parses an export in either format into nodes (parents before children) and the root it was taken at. */
export function decodeExport(format: 'json' | 'zip', content: string): { root: string; nodes: ImportedNode[] } {
  if (format === 'json') {
    let raw: unknown
    try {
      raw = JSON.parse(content)
    } catch (error) {
      throw fail.badArguments('content', `not JSON: ${(error as Error).message}`)
    }
    const document = checkDocument(raw)
    return { root: document.root, nodes: document.nodes.map((node) => ({ ...node, data: node.data === null ? null : Buffer.from(node.data, 'base64') })) }
  }
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(Buffer.from(content, 'base64'))
  } catch (error) {
    throw fail.badArguments('content', `not a zip archive: ${(error as Error).message}`)
  }
  const manifest = files['manifest.json']
  if (manifest === undefined) throw fail.badArguments('content', 'not a ZooDesk export: the zip has no manifest.json')
  let raw: unknown
  try {
    raw = JSON.parse(strFromU8(manifest))
  } catch (error) {
    throw fail.badArguments('content', `manifest.json is not JSON: ${(error as Error).message}`)
  }
  const document = checkDocument(raw)
  const nodes = document.nodes.map((node) => {
    if (node.data === null) return { ...node, data: null }
    const bytes = files[node.data]
    if (bytes === undefined) throw fail.badArguments('content', `not a ZooDesk export: ${node.data} is missing from the zip`)
    return { ...node, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
  })
  return { root: document.root, nodes }
}

/** Parents before children, whatever order the file had. */
export function sortParentsFirst<T extends { path: string }>(nodes: T[]): T[] {
  const depth = (path: string) => (path === '' ? 0 : path.split('/').length)
  return nodes.sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
