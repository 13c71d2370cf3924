// Subtree diffs (issue 7): two subtrees with known differences are classified exactly; a preview lists the exact
// writes; a mirror makes the target equal the source; a change made by another client between compare and apply
// aborts its batch whole (BADVERSION / NODEEXISTS reported, nothing of it applied). On Apache ZooKeeper 3.8 and on
// ZooDesk, and across the two (source on one server, target on the other).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiffEntry, MultiOp } from '../../../main/contract/model'
import type { ApiClient } from '../../../renderer/api/client'
import { type TestServer, startApache, startZooDesk } from '../../compat/harness/servers'
import { type AppHarness, b64, rejection, STANDALONE_SERVERS, startAppHarness, text } from '../app/support/app-harness'

const OPEN = [{ perms: 31, scheme: 'world', id: 'anyone' }]
const READ_WRITE_ADMIN = [{ perms: 1 | 2 | 16, scheme: 'world', id: 'anyone' }]

/** Source /src and target /dst with one difference of each kind. */
function sourceOps(root: string): MultiOp[] {
  return [
    { op: 'create', path: root, data: b64('root'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/same`, data: b64('equal'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/data`, data: b64('{"v":2}'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/acl`, data: b64('x'), mode: 'PERSISTENT', acl: READ_WRITE_ADMIN },
    { op: 'create', path: `${root}/new`, data: b64('added'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/new/child`, data: null, mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/kind`, data: b64('k'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/kind/inside`, data: b64('under a persistent node'), mode: 'PERSISTENT' },
  ]
}
function targetOps(root: string): MultiOp[] {
  return [
    { op: 'create', path: root, data: b64('root'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/same`, data: b64('equal'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/data`, data: b64('{"v":1}'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/acl`, data: b64('x'), mode: 'PERSISTENT', acl: OPEN },
    // The one kind a client can see: ZooKeeper reports ephemeralOwner 0 for containers and TTL nodes.
    { op: 'create', path: `${root}/kind`, data: b64('k'), mode: 'EPHEMERAL' },
    { op: 'create', path: `${root}/old`, data: b64('removed'), mode: 'PERSISTENT' },
    { op: 'create', path: `${root}/old/leaf`, data: b64('removed too'), mode: 'PERSISTENT' },
  ]
}

function classification(entries: DiffEntry[]): string[] {
  return entries.map((entry) => `${entry.path || '.'} ${entry.status}${entry.changes.length > 0 ? ` ${entry.changes.join('+')}` : ''}`)
}

const EXPECTED = [
  '. unchanged',
  'acl changed acl',
  'data changed data',
  'kind changed kind',
  'kind/inside added',
  'new added',
  'new/child added',
  'old removed',
  'old/leaf removed',
  'same unchanged',
]

async function seed(client: ApiClient, connectionId: string, source: string, target: string): Promise<void> {
  await client.api.znodes.multi({ connectionId, ops: sourceOps(source) })
  await client.api.znodes.multi({ connectionId, ops: targetOps(target) })
}

describe.each(STANDALONE_SERVERS)('subtree diffs on %s', (kind, start) => {
  let server: TestServer
  let app: AppHarness
  let connectionId: string
  /** Another client of the same server: the concurrent writer. */
  let otherId: string

  beforeAll(async () => {
    server = await start({ name: `diffs-${kind}`, tickTime: 500 })
    app = await startAppHarness()
    connectionId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })).connectionId
    otherId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString, name: 'other' } })).connectionId
    await seed(app.client, connectionId, '/src', '/dst')
    await app.client.api.znodes.create({ connectionId, path: '/src/session', data: b64('ephemeral'), mode: 'EPHEMERAL' })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await server?.stop()
  })

  it('classifies every node exactly, with paged entries, progress and both sides’ data', async () => {
    const diff = await app.client.api.diffs.compare({ source: { connectionId, path: '/src' }, target: { connectionId, path: '/dst' }, operationId: `diff-${kind}` })
    expect(diff.summary).toEqual({ added: 4, changed: 3, unchanged: 2, removed: 2, changedData: 1, changedAcl: 1, changedKind: 1 })
    const { entries, total } = await app.client.api.diffs.entries({ diffId: diff.diffId })
    expect(total).toBe(11)
    expect(classification(entries)).toEqual([...EXPECTED, 'session added'])
    expect(entries.find((entry) => entry.path === 'kind')).toMatchObject({ source: { kind: 'persistent' }, target: { kind: 'ephemeral', numChildren: 0 } })
    const page = await app.client.api.diffs.entries({ diffId: diff.diffId, statuses: ['removed'], offset: 1, limit: 5 })
    expect(page).toMatchObject({ total: 2, offset: 1, entries: [{ path: 'old/leaf', status: 'removed' }] })
    const data = await app.client.api.diffs.entryData({ diffId: diff.diffId, path: 'data' })
    expect([text(data.sourceData), text(data.targetData)]).toEqual(['{"v":2}', '{"v":1}'])
    const progress = app.events('operations.progress').filter((event) => event.operationId === `diff-${kind}`)
    expect(progress.at(-1)).toMatchObject({ kind: 'diff', phase: 'done' })
    console.log(`[diffs ${kind}] compare of ${total} entries: ${diff.elapsedMs} ms`)
  })

  it('previews exactly the creates, setDatas, setACLs and deletes with the versions read', async () => {
    const diff = await app.client.api.diffs.compare({ source: { connectionId, path: '/src' }, target: { connectionId, path: '/dst' } })
    const plan = await app.client.api.diffs.preview({ diffId: diff.diffId, entries: 'all' })
    expect(plan.ops.map((op) => `${op.op} ${op.path}${op.version === null ? '' : ` v${op.version}`}${op.kind === null ? '' : ` ${op.kind}`} #${op.batch}`)).toEqual([
      'setData /dst/data v0 #0',
      'delete /dst/kind v0 #0',
      'create /dst/kind persistent #0',
      'create /dst/kind/inside persistent #0',
      'create /dst/new persistent #0',
      'create /dst/new/child persistent #0',
      'setACL /dst/acl v0 #1',
      'delete /dst/old/leaf v0 #2',
      'delete /dst/old v0 #2',
    ])
    expect(plan.skipped).toEqual([{ path: '/dst/session', reason: 'ephemeral' }])
    // A pick of one nested added node brings its added parent; a removed parent brings its removed child.
    const picked = await app.client.api.diffs.preview({ diffId: diff.diffId, entries: ['new/child', 'old'] })
    expect(picked.ops.map((op) => `${op.op} ${op.path}`)).toEqual(['create /dst/new', 'create /dst/new/child', 'delete /dst/old/leaf', 'delete /dst/old'])
    const bad = await rejection(app.client.api.diffs.preview({ diffId: diff.diffId, entries: [] }))
    expect(bad.code).toBe('BAD_ARGUMENTS')
    const missing = await rejection(app.client.api.diffs.entries({ diffId: 'no-such-diff' }))
    expect(missing.code).toBe('NOT_FOUND')
  })

  it('previews an import: the export file compared with the subtree, then applied with versioned multis', async () => {
    await seed(app.client, connectionId, '/src3', '/dst3')
    const exported = await app.client.api.znodes.export({ connectionId, path: '/src3', format: 'json' })
    const diff = await app.client.api.diffs.compareImport({ target: { connectionId, path: '/dst3' }, fileName: 'src3.json', format: 'json', content: exported.content })
    expect(diff.source).toEqual({ connectionId: '', connectionName: 'src3.json', file: 'src3.json', path: '/src3', exists: true })
    const { entries } = await app.client.api.diffs.entries({ diffId: diff.diffId })
    expect(classification(entries)).toEqual(EXPECTED)
    // An import adds and changes; it removes nothing unless picked: apply the added and changed entries only.
    const picked = entries.filter((entry) => entry.status === 'added' || entry.status === 'changed').map((entry) => entry.path)
    await app.client.api.znodes.set({ connectionId: otherId, path: '/dst3/acl', data: b64('theirs'), version: -1 })
    const result = await app.client.api.diffs.apply({ diffId: diff.diffId, entries: picked, batchOps: 100 })
    // The ACL change is in its own batch (setACL alone); the other client's setData on /dst3/acl does not touch its aversion.
    expect(result.aborted).toBe(0)
    const again = await app.client.api.diffs.compareImport({ target: { connectionId, path: '/dst3' }, fileName: 'src3.json', format: 'json', content: exported.content })
    expect(again.summary).toMatchObject({ added: 0, removed: 2 })
    expect(again.summary.changed).toBe(1)
    const bad = await rejection(app.client.api.diffs.compareImport({ target: { connectionId, path: '/dst3' }, fileName: 'x.json', format: 'json', content: '{"nodes": 1}' }))
    expect(bad.code).toBe('BAD_ARGUMENTS')
  })

  it('aborts a batch hit by another client’s change (BADVERSION, NODEEXISTS) and applies nothing of it', async () => {
    await seed(app.client, connectionId, '/src2', '/dst2')
    const diff = await app.client.api.diffs.compare({ source: { connectionId, path: '/src2' }, target: { connectionId, path: '/dst2' } })
    // Between compare and apply, another session changes /dst2/data and creates /dst2/new/child's parent.
    await app.client.api.znodes.set({ connectionId: otherId, path: '/dst2/data', data: b64('{"v":"theirs"}'), version: -1 })
    await app.client.api.znodes.create({ connectionId: otherId, path: '/dst2/new', data: b64('theirs'), mode: 'PERSISTENT' })
    // Picking new/child brings its added parent /new; picking old brings old/leaf; 'same' has nothing to do.
    const result = await app.client.api.diffs.apply({ diffId: diff.diffId, entries: ['data', 'new/child', 'old', 'same'], batchOps: 3 })
    // Batches: [setData data, create new, create new/child] then [delete old/leaf, delete old].
    expect(result.batches).toEqual([
      { batch: 0, ops: 3, status: 'aborted', keeperCode: 'BADVERSION', failedPath: '/dst2/data' },
      { batch: 1, ops: 2, status: 'applied', keeperCode: null, failedPath: null },
    ])
    expect(result).toMatchObject({ applied: 2, aborted: 3 })
    // Nothing of the aborted batch took effect: the other client's data stays, /dst2/new/child was not created.
    expect(text((await app.client.api.znodes.get({ connectionId, path: '/dst2/data' })).data)).toBe('{"v":"theirs"}')
    expect(text((await app.client.api.znodes.get({ connectionId, path: '/dst2/new' })).data)).toBe('theirs')
    expect((await app.client.api.znodes.exists({ connectionId, path: '/dst2/new/child' })).stat).toBeNull()
    expect((await app.client.api.znodes.exists({ connectionId, path: '/dst2/old' })).stat).toBeNull()

    // Compare again: the create meets the node the other client made, alone in its batch → NODEEXISTS.
    const again = await app.client.api.diffs.compare({ source: { connectionId, path: '/src2' }, target: { connectionId, path: '/dst2' } })
    await app.client.api.znodes.create({ connectionId: otherId, path: '/dst2/new/child', data: b64('theirs too'), mode: 'PERSISTENT' })
    const second = await app.client.api.diffs.apply({ diffId: again.diffId, entries: ['new/child'], batchOps: 1 })
    expect(second.batches).toEqual([{ batch: 0, ops: 1, status: 'aborted', keeperCode: 'NODEEXISTS', failedPath: '/dst2/new/child' }])
    expect(text((await app.client.api.znodes.get({ connectionId, path: '/dst2/new/child' })).data)).toBe('theirs too')
    const audit = await app.client.api.audit.list({ connectionId })
    expect(audit.entries.some((entry) => entry.operation === 'diff apply' && (entry.detail ?? '').includes('BADVERSION'))).toBe(true)
  })

  it('mirrors the source onto the target: compared again, only the ephemeral stays different', async () => {
    const diff = await app.client.api.diffs.compare({ source: { connectionId, path: '/src' }, target: { connectionId, path: '/dst' } })
    const result = await app.client.api.diffs.apply({ diffId: diff.diffId, entries: 'all', operationId: `mirror-${kind}` })
    expect(result).toMatchObject({ applied: 9, aborted: 0, skipped: [{ path: '/dst/session', reason: 'ephemeral' }] })
    expect(result.batches.every((batch) => batch.status === 'applied')).toBe(true)
    const after = await app.client.api.diffs.compare({ source: { connectionId, path: '/src' }, target: { connectionId, path: '/dst' } })
    expect(after.summary).toMatchObject({ added: 1, changed: 0, removed: 0, unchanged: 8 })
    const { entries } = await app.client.api.diffs.entries({ diffId: after.diffId, statuses: ['added'] })
    expect(entries.map((entry) => entry.path)).toEqual(['session'])
    expect((await app.client.api.diffs.get({ diffId: diff.diffId })).appliedAt).not.toBeNull()
    console.log(`[diffs ${kind}] mirror: ${result.applied} ops in ${result.batches.length} batches, ${result.elapsedMs} ms`)
  })
})

describe('subtree diffs across two servers (ZooDesk → Apache ZooKeeper 3.8)', () => {
  let zoodesk: TestServer
  let apache: TestServer
  let app: AppHarness
  let sourceId: string
  let targetId: string

  beforeAll(async () => {
    ;[zoodesk, apache] = await Promise.all([startZooDesk({ name: 'diffs-x-zoodesk', tickTime: 500 }), startApache({ name: 'diffs-x-apache', tickTime: 500 })])
    app = await startAppHarness()
    sourceId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: zoodesk.connectString } })).connectionId
    targetId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: apache.connectString } })).connectionId
    await app.client.api.znodes.multi({ connectionId: sourceId, ops: sourceOps('/app') })
    await app.client.api.znodes.multi({ connectionId: targetId, ops: targetOps('/app') })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await Promise.all([zoodesk?.stop(), apache?.stop()])
  })

  it('classifies across clusters and mirrors one onto the other', async () => {
    const diff = await app.client.api.diffs.compare({ source: { connectionId: sourceId, path: '/app' }, target: { connectionId: targetId, path: '/app' } })
    expect(classification((await app.client.api.diffs.entries({ diffId: diff.diffId })).entries)).toEqual(EXPECTED)
    const result = await app.client.api.diffs.apply({ diffId: diff.diffId, entries: 'all' })
    expect(result).toMatchObject({ applied: 9, aborted: 0, skipped: [] })
    const after = await app.client.api.diffs.compare({ source: { connectionId: sourceId, path: '/app' }, target: { connectionId: targetId, path: '/app' } })
    expect(after.summary).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 8 })
  })

  it('compares against a target path that does not exist (everything added) and creates it', async () => {
    const diff = await app.client.api.diffs.compare({ source: { connectionId: sourceId, path: '/app' }, target: { connectionId: targetId, path: '/copy' } })
    expect(diff.target.exists).toBe(false)
    expect(diff.summary).toMatchObject({ added: 8, unchanged: 0 })
    await app.client.api.diffs.apply({ diffId: diff.diffId, entries: 'all' })
    const after = await app.client.api.diffs.compare({ source: { connectionId: sourceId, path: '/app' }, target: { connectionId: targetId, path: '/copy' } })
    expect(after.summary).toMatchObject({ unchanged: 8, added: 0 })
  })
})
