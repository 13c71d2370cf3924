import { describe, expect, it } from 'vitest'
import { DataTree, NamespaceSummarySet, STAT_OVERHEAD_BYTES, topNamespace } from '../../../engine/tree'
import { TxnDriver } from './helpers'

/** The names the Java program used: a 64-bit LCG step, top 24 bits in hex. */
function nm(i: number): string {
  const x = (BigInt(i + 1) * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn
  return (x >> 40n).toString(16)
}

/** JDK 17's ConcurrentHashMap<String, …>.keySet() after putting nm(0)…nm(39) in order (two transfers on the way). */
const CHM_ORDER_40 = ["25f134", "873905", "52be83", "c5848", "bcfc30", "e0d3a2", "6c576f", "1e4401", "7e4328", "302fba", "7f8bd1", "2ee711", "a21a9a", "6da018", "b40653", "9924be", "2739dd", "d7ddc6", "64aa3c", "c4a963", "f176b2", "df8af9", "49c8a6", "ab1077", "754d4c", "8881ae", "7695f5", "cee7e9", "cd9f40", "40d2ca", "fa6c8f", "1cfb58", "5bb45f", "e880d5", "902ee1", "154e24", "d6951c", "c5f20c", "3626b", "37dced"]

describe('per-namespace metrics', () => {
  it('takes the namespace from the first path component, none for the root', () => {
    expect(['/', '', '/a', '/a/b/c', '/zookeeper/quota'].map(topNamespace)).toEqual([undefined, undefined, 'a', 'a', 'zookeeper'])
  })

  it('lists namespaces in the order of Apache\'s ConcurrentHashMap', () => {
    const set = new NamespaceSummarySet()
    for (let i = 0; i < 40; i++) set.record(`/${nm(i)}/x`, 1)
    expect(set.summaries().map((s) => s.namespace)).toEqual(CHM_ORDER_40)
  })

  it('records what Apache\'s DataTree records: reads with the stat overhead, writes on create, setData, delete', () => {
    const driver = new TxnDriver(new DataTree())
    const tree = driver.tree
    driver.create('/app', 'abc')
    driver.create('/app/child', '')
    driver.setData('/app/child', 'hello')
    driver.create('/other', null)
    driver.delete('/other')
    tree.getData('/app')
    tree.getChildrenVector('/app')
    tree.exists('/app/child')
    tree.exists('/app/missing')
    tree.getData('/')
    const reads = tree.namespaceStats.reads.summaries().map((s) => [s.namespace, s.count, s.sum, s.min, s.max])
    const writes = tree.namespaceStats.writes.summaries().map((s) => [s.namespace, s.count, s.sum, s.min, s.max])
    const r = [4 + 3, 4 + 'child'.length, 10 + 0].map((bytes) => bytes + STAT_OVERHEAD_BYTES)
    expect(reads).toEqual([['app', 3, r[0]! + r[1]! + r[2]!, Math.min(...r), Math.max(...r)]])
    const appWrites = [4 + 3, 10, 10 + 5]
    const otherWrites = [6, 6]
    expect(new Map(writes.map((w) => [w[0], w.slice(1)]))).toEqual(
      new Map([
        ['app', [3, 32, 7, 15]],
        ['other', [2, 12, 6, 6]],
      ]),
    )
    expect(appWrites.reduce((a, b) => a + b) + otherWrites.reduce((a, b) => a + b)).toBe(44)
    tree.namespaceStats.reset()
    expect(tree.namespaceStats.reads.summaries().map((s) => [s.namespace, s.count, s.sum])).toEqual([['app', 0, 0]])
  })
})
