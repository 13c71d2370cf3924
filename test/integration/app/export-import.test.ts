// Acceptance 1 (recursive operations): export → delete → import restores a 10,000-node subtree exactly (data, ACLs,
// node kinds where a client can restore them) with progress events, in both formats, on Apache and on ZooDesk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExportDocument, MultiOp } from '../../../main/contract/model'
import type { TestServer } from '../../compat/harness/servers'
import { type AppHarness, b64, rejection, STANDALONE_SERVERS, startAppHarness } from './support/app-harness'

/** A deterministic pseudo-random byte source, so failures replay. */
function bytes(seed: number, length: number): string {
  let state = seed * 2654435761
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    out[i] = state >>> 24
  }
  return out.toString('base64')
}

const OPEN = [{ perms: 31, scheme: 'world', id: 'anyone' }]
/** No CREATE or ADMIN for anyone: the import must still create the children and then restore this exactly. */
const NO_CREATE = [{ perms: 1 | 2 | 8, scheme: 'world', id: 'anyone' }]
const DIGEST = [
  { perms: 31, scheme: 'digest', id: 'alice:Rho0FhnBbTiqtaf9DBD/NgD3Dk0=' },
  { perms: 1, scheme: 'world', id: 'anyone' },
]

/** /big/aI/bJ/cK: 1 + 10 + 100 + 9,900 = 10,011 nodes, plus one ephemeral (/big/a0/eph). */
function subtreeOps(root: string): MultiOp[] {
  const ops: MultiOp[] = [{ op: 'create', path: root, data: b64('root'), mode: 'PERSISTENT' }]
  let n = 0
  for (let a = 0; a < 10; a++) {
    ops.push({ op: 'create', path: `${root}/a${a}`, data: a === 5 ? null : bytes(++n, a * 3), mode: 'PERSISTENT' })
    for (let b = 0; b < 10; b++) {
      ops.push({ op: 'create', path: `${root}/a${a}/b${b}`, data: bytes(++n, 17), mode: 'PERSISTENT' })
      for (let c = 0; c < 99; c++) {
        const acl = c === 7 ? DIGEST : c === 8 ? [{ perms: 1, scheme: 'world', id: 'anyone' }] : OPEN
        ops.push({ op: 'create', path: `${root}/a${a}/b${b}/c${c}`, data: c % 10 === 0 ? b64('') : bytes(++n, (c * 7) % 300), mode: 'PERSISTENT', acl })
      }
    }
  }
  return ops
}

function comparable(document: ExportDocument): string[] {
  return document.nodes.map((node) => JSON.stringify([node.path, node.kind, node.data, node.acl])).sort()
}

describe.each(STANDALONE_SERVERS)('recursive operations on %s', (kind, start) => {
  let server: TestServer
  let app: AppHarness
  let connectionId: string
  let original: ExportDocument

  beforeAll(async () => {
    server = await start({ name: `app-export-${kind}`, tickTime: 500 })
    app = await startAppHarness()
    connectionId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })).connectionId
    const ops = subtreeOps('/big')
    for (let start = 0; start < ops.length; start += 2000) await app.client.api.znodes.multi({ connectionId, ops: ops.slice(start, start + 2000) })
    await app.client.api.znodes.create({ connectionId, path: '/big/a0/eph', data: b64('gone with the session'), mode: 'EPHEMERAL' })
    await app.client.api.znodes.setAcl({ connectionId, path: '/big/a3', acl: NO_CREATE, version: -1 })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await server?.stop()
  })

  it('exports 10,012 nodes as JSON with progress events', async () => {
    const result = await app.client.api.znodes.export({ connectionId, path: '/big', format: 'json', operationId: `export-${kind}` })
    expect(result).toMatchObject({ operationId: `export-${kind}`, read: 10_012, format: 'json', fileName: 'big.zoodesk.json' })
    original = JSON.parse(result.content) as ExportDocument
    expect(original.nodes).toHaveLength(10_012)
    expect(original.nodes[0]).toMatchObject({ path: '', data: b64('root') })
    expect(original.nodes.find((node) => node.path === 'a5')?.data).toBeNull()
    expect(original.nodes.find((node) => node.path === 'a0/b0/c0')?.data).toBe('')
    expect(original.nodes.find((node) => node.path === 'a3')?.acl).toEqual(NO_CREATE)
    expect(original.nodes.find((node) => node.path === 'a0/eph')?.kind).toBe('ephemeral')
    const progress = app.events('operations.progress').filter((event) => event.operationId === `export-${kind}`)
    expect(progress.map((event) => event.phase)).toEqual(expect.arrayContaining(['scanning', 'reading', 'done']))
    expect(progress.at(-1)).toMatchObject({ phase: 'done', kind: 'export', path: '/big' })
    const reading = progress.filter((event) => event.phase === 'reading')
    expect(reading.at(-1)).toMatchObject({ done: 10_012, total: 10_012 })
  })

  it('asks for a typed confirmation before deleting the subtree, then deletes it', async () => {
    const refused = await rejection(app.client.api.znodes.deleteRecursive({ connectionId, path: '/big' }))
    expect(refused.error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { phrase: '/big', count: 10_012 } })
    const wrong = await rejection(app.client.api.znodes.deleteRecursive({ connectionId, path: '/big', confirm: '/bi' }))
    expect(wrong.code).toBe('CONFIRMATION_REQUIRED')
    expect((await app.client.api.znodes.exists({ connectionId, path: '/big/a1/b1/c1' })).stat).not.toBeNull()
    const deleted = await app.client.api.znodes.deleteRecursive({ connectionId, path: '/big', confirm: '/big', operationId: `delete-${kind}` })
    expect(deleted).toMatchObject({ deleted: 10_012, read: 10_012 })
    expect((await app.client.api.znodes.exists({ connectionId, path: '/big' })).stat).toBeNull()
    const progress = app.events('operations.progress').filter((event) => event.operationId === `delete-${kind}`)
    expect(progress.some((event) => event.phase === 'deleting')).toBe(true)
  })

  it('imports the JSON export and gets the same subtree back (the ephemeral is skipped)', async () => {
    const content = JSON.stringify(original)
    const result = await app.client.api.znodes.import({ connectionId, path: '/big', format: 'json', content, operationId: `import-${kind}` })
    expect(result).toMatchObject({ created: 10_011, updated: 0, skipped: 1 })
    const writing = app.events('operations.progress').filter((event) => event.operationId === `import-${kind}` && event.phase === 'writing')
    expect(writing.length).toBeGreaterThan(1)
    expect(writing.at(-1)).toMatchObject({ done: 10_011, total: 10_011 })
    const restored = JSON.parse((await app.client.api.znodes.export({ connectionId, path: '/big', format: 'json' })).content) as ExportDocument
    const expected = { ...original, nodes: original.nodes.filter((node) => node.kind !== 'ephemeral') }
    expect(comparable(restored)).toEqual(comparable(expected))
    // The node whose ACL forbids CREATE got its children and then its exact ACL back.
    expect((await app.client.api.znodes.getAcl({ connectionId, path: '/big/a3' })).acl).toEqual(NO_CREATE)
  })

  it('asks for confirmation to import over an existing path', async () => {
    const refused = await rejection(app.client.api.znodes.import({ connectionId, path: '/big', format: 'json', content: JSON.stringify(original) }))
    expect(refused.error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { phrase: '/big' } })
  })

  it('round-trips through the zip format into another path', async () => {
    const zip = await app.client.api.znodes.export({ connectionId, path: '/big/a4', format: 'zip' })
    expect(zip).toMatchObject({ format: 'zip', read: 1001, fileName: 'a4.zoodesk.zip' })
    expect(Buffer.from(zip.content, 'base64').subarray(0, 2).toString('latin1')).toBe('PK')
    const imported = await app.client.api.znodes.import({ connectionId, path: '/copies/a4', format: 'zip', content: zip.content })
    expect(imported).toMatchObject({ created: 1001, skipped: 0 })
    const a = JSON.parse((await app.client.api.znodes.export({ connectionId, path: '/big/a4' })).content) as ExportDocument
    const b = JSON.parse((await app.client.api.znodes.export({ connectionId, path: '/copies/a4' })).content) as ExportDocument
    expect(comparable(b)).toEqual(comparable(a))
  })

  it('copies and moves subtrees', async () => {
    const api = app.client.api
    const copied = await api.znodes.copy({ connectionId, from: '/big/a6', to: '/copies/a6' })
    expect(copied).toMatchObject({ read: 1001, created: 1001, deleted: 0 })
    const moved = await api.znodes.move({ connectionId, from: '/copies/a6', to: '/moved/a6' })
    expect(moved).toMatchObject({ read: 1001, created: 1001, deleted: 1001 })
    expect((await api.znodes.exists({ connectionId, path: '/copies/a6' })).stat).toBeNull()
    const a = JSON.parse((await api.znodes.export({ connectionId, path: '/big/a6' })).content) as ExportDocument
    const b = JSON.parse((await api.znodes.export({ connectionId, path: '/moved/a6' })).content) as ExportDocument
    expect(comparable(b)).toEqual(comparable(a))
    expect((await rejection(api.znodes.copy({ connectionId, from: '/big', to: '/big/inside' }))).code).toBe('CONFLICT')
  })

  it('cancels a running operation', async () => {
    const running = app.client.api.znodes.export({ connectionId, path: '/big', operationId: `cancel-${kind}` })
    // Wait until it is under way, then cancel it from another socket.
    const other = await app.connect()
    for (let i = 0; i < 200 && !app.events('operations.progress').some((event) => event.operationId === `cancel-${kind}`); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(await other.api.operations.cancel({ operationId: `cancel-${kind}` })).toEqual({ cancelled: true })
    const error = await rejection(running)
    expect(error.error).toMatchObject({ code: 'CANCELLED', details: { operationId: `cancel-${kind}` } })
    const last = app.events('operations.progress').filter((event) => event.operationId === `cancel-${kind}`).at(-1)
    expect(last?.phase).toBe('cancelled')
  })
})
