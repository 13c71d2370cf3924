// Pure diff logic: classification of two read subtrees, and the plan of writes (order, versions, batches,
// selections closed over parents and children, what is skipped and why).
import { describe, expect, it } from 'vitest'
import type { AclEntry } from '../../../main/contract/model'
import { type SideNode, classify, comparePaths, summarize } from '../../../main/services/diffs/diff-classify'
import { dataBytesOf, diffsToDrop } from '../../../main/services/diffs/diffs'
import { closeSelection, planApply } from '../../../main/services/diffs/diff-plan'

const OPEN: AclEntry[] = [{ perms: 31, scheme: 'world', id: 'anyone' }]
const node = (relativePath: string, data: string | null, overrides: Partial<SideNode> = {}): SideNode => ({
  relativePath,
  data: data === null ? null : Buffer.from(data),
  kind: 'persistent',
  ttlMs: null,
  version: 3,
  aversion: 1,
  numChildren: 0,
  acl: OPEN,
  ...overrides,
})

describe('classify', () => {
  it('sorts paths segment by segment and tells data, ACL and kind apart', () => {
    expect(['a-b', 'a/b', 'a', ''].sort(comparePaths)).toEqual(['', 'a', 'a/b', 'a-b'])
    const entries = classify(
      [node('', 'r'), node('a', 'x'), node('a/b', 'new'), node('c', ''), node('d', 'd', { acl: [{ perms: 1, scheme: 'world', id: 'anyone' }] }), node('e', 'e')],
      [node('', 'r'), node('a', 'y'), node('c', null), node('d', 'd'), node('e', 'e', { kind: 'ephemeral' }), node('gone', 'g')],
    )
    expect(entries.map((entry) => [entry.path, entry.status, entry.changes.join('+')])).toEqual([
      ['', 'unchanged', ''],
      ['a', 'changed', 'data'],
      ['a/b', 'added', ''],
      ['c', 'unchanged', ''], // zero bytes and null data are the same to a user
      ['d', 'changed', 'acl'],
      ['e', 'changed', 'kind'],
      ['gone', 'removed', ''],
    ])
    expect(summarize(entries)).toEqual({ added: 1, changed: 3, unchanged: 2, removed: 1, changedData: 1, changedAcl: 1, changedKind: 1 })
  })

  it('keeps equal data once: the two sides of an unchanged entry share one buffer', () => {
    const entries = classify([node('same', 'x'.repeat(1000)), node('diff', 'a')], [node('same', 'x'.repeat(1000)), node('diff', 'bb')])
    const same = entries.find((entry) => entry.path === 'same')!
    expect(same.status).toBe('unchanged')
    expect(same.targetData).toBe(same.sourceData)
    expect(dataBytesOf(entries)).toBe(1000 + 1 + 2)
  })

  it('drops the oldest diffs beyond the count or the byte budget, never the newest', () => {
    const kept = [
      { diffId: 'a', dataBytes: 300 },
      { diffId: 'b', dataBytes: 300 },
      { diffId: 'c', dataBytes: 300 },
    ]
    expect(diffsToDrop(kept, 20, 1000)).toEqual([])
    expect(diffsToDrop(kept, 2, 1000)).toEqual(['a'])
    expect(diffsToDrop(kept, 20, 500)).toEqual(['a', 'b'])
    expect(diffsToDrop(kept, 20, 100)).toEqual(['a', 'b'])
  })

  it('ignores the order of ACL entries', () => {
    const acl: AclEntry[] = [OPEN[0]!, { perms: 1, scheme: 'ip', id: '10.0.0.1' }]
    expect(classify([node('a', 'x', { acl })], [node('a', 'x', { acl: [...acl].reverse() })])[0]?.status).toBe('unchanged')
  })
})

describe('planApply', () => {
  const entries = classify(
    [node('', 'r'), node('a', 'x'), node('a/b', 'new'), node('a/b/c', 'deeper'), node('d', 'd', { acl: [{ perms: 1, scheme: 'world', id: 'anyone' }] }), node('eph', 'e', { kind: 'ephemeral' }), node('k', 'k')],
    [node('', 'r'), node('a', 'y', { version: 7 }), node('d', 'd', { aversion: 4 }), node('k', 'k', { kind: 'ephemeral', version: 2 }), node('old', 'o', { version: 5, numChildren: 1 }), node('old/x', 'o', { version: 9 })],
  )

  it('orders creates parents first, deletes children first, setACLs alone, with the versions read', () => {
    const plan = planApply(entries, null, '/t')
    expect(plan.ops.map((op) => `${op.batch} ${op.op} ${op.path} ${op.version ?? '-'}`)).toEqual([
      '0 setData /t/a 7',
      '0 create /t/a/b -',
      '0 create /t/a/b/c -',
      '0 delete /t/k 2',
      '0 create /t/k -',
      '1 setACL /t/d 4',
      '2 delete /t/old/x 9',
      '2 delete /t/old 5',
    ])
    expect(plan.skipped).toEqual([{ path: '/t/eph', reason: 'ephemeral' }])
    expect(plan.batches).toBe(3)
  })

  it('splits into batches of the given size without splitting a kind change', () => {
    const plan = planApply(entries, null, '/', 4)
    expect(plan.ops.map((op) => `${op.batch} ${op.op} ${op.path}`)).toEqual([
      '0 setData /a',
      '0 create /a/b',
      '0 create /a/b/c',
      '1 delete /k',
      '1 create /k',
      '2 setACL /d',
      '3 delete /old/x',
      '3 delete /old',
    ])
  })

  it('closes a pick over added parents and removed children, and skips kind changes of nodes with children', () => {
    expect(closeSelection(entries, new Set(['a/b/c', 'old'])).map((entry) => entry.path)).toEqual(['a/b', 'a/b/c', 'old', 'old/x'])
    const withChildren = classify([node('k', 'k')], [node('k', 'k', { kind: 'ephemeral', numChildren: 2 })])
    expect(planApply(withChildren, null, '/t')).toEqual({ ops: [], skipped: [{ path: '/t/k', reason: 'kindWithChildren' }], batches: 0 })
  })
})
