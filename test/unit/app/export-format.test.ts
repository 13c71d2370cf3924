import { describe, expect, it } from 'vitest'
import type { ExportDocument } from '../../../main/contract/model'
import { ContractFailure } from '../../../main/rpc/errors'
import { decodeExport, encodeJson, encodeZip, sortParentsFirst } from '../../../main/services/znodes/export-format'

const stat = { czxid: '0x1', mzxid: '0x1', pzxid: '0x1', ctime: 1, mtime: 1, version: 0, cversion: 0, aversion: 0, ephemeralOwner: '0x0', dataLength: 0, numChildren: 0 }
const acl = [{ perms: 31, scheme: 'world', id: 'anyone' }]
const document: ExportDocument = {
  format: 'zoodesk-export',
  version: 1,
  root: '/r',
  exportedAt: 0,
  nodes: [
    { path: '', kind: 'persistent', data: null, acl, stat },
    { path: 'a', kind: 'persistent', data: Buffer.from([0, 255, 1]).toString('base64'), acl, stat },
    { path: 'a/b', kind: 'ttl', ttlMs: 5000, data: '', acl, stat },
  ],
}

function badArguments(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ContractFailure)
    expect((error as ContractFailure).code).toBe('BAD_ARGUMENTS')
    return (error as Error).message
  }
  throw new Error('expected BAD_ARGUMENTS')
}

describe('export formats', () => {
  it('round-trips JSON and zip with exact bytes, null and empty data', () => {
    for (const [format, content] of [
      ['json', encodeJson(document)],
      ['zip', encodeZip(document).toString('base64')],
    ] as const) {
      const { root, nodes } = decodeExport(format, content)
      expect(root).toBe('/r')
      expect(nodes.map((node) => [node.path, node.kind, node.data === null ? null : [...node.data]])).toEqual([
        ['', 'persistent', null],
        ['a', 'persistent', [0, 255, 1]],
        ['a/b', 'ttl', []],
      ])
      expect(nodes[2]?.ttlMs).toBe(5000)
    }
  })

  it('rejects what is not an export, with BAD_ARGUMENTS', () => {
    expect(badArguments(() => decodeExport('json', '{'))).toContain('not JSON')
    expect(badArguments(() => decodeExport('json', '{"format":"x"}'))).toContain('not a ZooDesk export')
    expect(badArguments(() => decodeExport('zip', Buffer.from('not a zip').toString('base64')))).toContain('not a zip')
    const twice = { ...document, nodes: [...document.nodes, document.nodes[1]!] }
    expect(badArguments(() => decodeExport('json', JSON.stringify(twice)))).toContain('appears twice')
    for (const path of ['/abs', 'a//b', 'a/', '../x', 'a/./b']) {
      const bad = { ...document, nodes: [{ ...document.nodes[0]!, path }] }
      expect(badArguments(() => decodeExport('json', JSON.stringify(bad)))).toContain('bad relative path')
    }
  })

  it('orders parents before children', () => {
    expect(sortParentsFirst([{ path: 'a/b/c' }, { path: 'b' }, { path: '' }, { path: 'a/b' }, { path: 'a' }]).map((node) => node.path)).toEqual(['', 'a', 'b', 'a/b', 'a/b/c'])
  })
})
