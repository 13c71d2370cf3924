import { describe, expect, it } from 'vitest'
import { DataTree, JavaHashSet, javaClonedTableLength, javaCopiedTableLength, javaCopyOrder } from '../../../engine/tree'
import { RecordingWatcher, TxnDriver } from './helpers'

/**
 * Expected orders were printed by JDK 17 (the reference server's JVM) for `HashSet<String>`: its own iteration,
 * `clone()` and `new HashSet<>(set)`, over the same names added in the same order.
 */

/** The names the Java program used: a 64-bit LCG step, top 24 bits in hex. */
function nm(prefix: string, i: number): string {
  const x = (BigInt(i + 1) * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn
  return prefix + (x >> 40n).toString(16)
}

const GROWN: readonly [count: number, source: string[], clone: string[], copy: string[]][] = [[2, ["/s/6c576f", "/s/c4a963"], ["/s/6c576f", "/s/c4a963"], ["/s/6c576f", "/s/c4a963"]], [3, ["/s/1cfb58", "/s/6c576f", "/s/c4a963"], ["/s/1cfb58", "/s/6c576f", "/s/c4a963"], ["/s/1cfb58", "/s/6c576f", "/s/c4a963"]], [6, ["/s/1cfb58", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/cd9f40"], ["/s/1cfb58", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/cd9f40"], ["/s/1cfb58", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/cd9f40"]], [7, ["/s/1cfb58", "/s/7e4328", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/cd9f40"], ["/s/1cfb58", "/s/7e4328", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/cd9f40"], ["/s/1cfb58", "/s/7e4328", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/cd9f40"]], [12, ["/s/1cfb58", "/s/7e4328", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/6c576f", "/s/c4a963", "/s/37dced", "/s/2ee711", "/s/cd9f40", "/s/d6951c", "/s/873905"], ["/s/1cfb58", "/s/7e4328", "/s/6c576f", "/s/c4a963", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/37dced", "/s/2ee711", "/s/cd9f40", "/s/d6951c", "/s/873905"], ["/s/1cfb58", "/s/7e4328", "/s/6c576f", "/s/c4a963", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/37dced", "/s/2ee711", "/s/cd9f40", "/s/d6951c", "/s/873905"]], [13, ["/s/1cfb58", "/s/7e4328", "/s/6c576f", "/s/c4a963", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/37dced", "/s/2ee711", "/s/902ee1", "/s/cd9f40", "/s/d6951c", "/s/873905"], ["/s/1cfb58", "/s/7e4328", "/s/6c576f", "/s/c4a963", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/37dced", "/s/2ee711", "/s/902ee1", "/s/cd9f40", "/s/d6951c", "/s/873905"], ["/s/1cfb58", "/s/7e4328", "/s/6c576f", "/s/c4a963", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/37dced", "/s/2ee711", "/s/902ee1", "/s/cd9f40", "/s/d6951c", "/s/873905"]], [25, ["/s/1cfb58", "/s/e880d5", "/s/c4a963", "/s/5bb45f", "/s/9924be", "/s/a21a9a", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/f176b2", "/s/ab1077", "/s/fa6c8f", "/s/2ee711", "/s/873905", "/s/7e4328", "/s/6c576f", "/s/b40653", "/s/3626b", "/s/49c8a6", "/s/37dced", "/s/40d2ca", "/s/902ee1", "/s/cd9f40", "/s/52be83", "/s/d6951c"], ["/s/1cfb58", "/s/e880d5", "/s/c4a963", "/s/5bb45f", "/s/9924be", "/s/a21a9a", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/f176b2", "/s/ab1077", "/s/fa6c8f", "/s/2ee711", "/s/873905", "/s/7e4328", "/s/6c576f", "/s/b40653", "/s/3626b", "/s/49c8a6", "/s/37dced", "/s/40d2ca", "/s/902ee1", "/s/cd9f40", "/s/52be83", "/s/d6951c"], ["/s/1cfb58", "/s/e880d5", "/s/c4a963", "/s/5bb45f", "/s/9924be", "/s/a21a9a", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/f176b2", "/s/ab1077", "/s/fa6c8f", "/s/2ee711", "/s/873905", "/s/7e4328", "/s/6c576f", "/s/b40653", "/s/3626b", "/s/49c8a6", "/s/37dced", "/s/40d2ca", "/s/902ee1", "/s/cd9f40", "/s/52be83", "/s/d6951c"]], [40, ["/s/1cfb58", "/s/e880d5", "/s/c4a963", "/s/5bb45f", "/s/d7ddc6", "/s/9924be", "/s/a21a9a", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/f176b2", "/s/8881ae", "/s/ab1077", "/s/64aa3c", "/s/fa6c8f", "/s/2739dd", "/s/302fba", "/s/2ee711", "/s/c5848", "/s/7f8bd1", "/s/e0d3a2", "/s/873905", "/s/6da018", "/s/7e4328", "/s/1e4401", "/s/6c576f", "/s/b40653", "/s/3626b", "/s/49c8a6", "/s/37dced", "/s/40d2ca", "/s/cee7e9", "/s/c5f20c", "/s/902ee1", "/s/bcfc30", "/s/cd9f40", "/s/52be83", "/s/d6951c", "/s/154e24", "/s/7695f5"], ["/s/1cfb58", "/s/e880d5", "/s/c4a963", "/s/5bb45f", "/s/d7ddc6", "/s/9924be", "/s/a21a9a", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/f176b2", "/s/8881ae", "/s/ab1077", "/s/64aa3c", "/s/fa6c8f", "/s/2739dd", "/s/302fba", "/s/2ee711", "/s/c5848", "/s/7f8bd1", "/s/e0d3a2", "/s/873905", "/s/6da018", "/s/7e4328", "/s/1e4401", "/s/6c576f", "/s/b40653", "/s/3626b", "/s/49c8a6", "/s/37dced", "/s/40d2ca", "/s/cee7e9", "/s/c5f20c", "/s/902ee1", "/s/bcfc30", "/s/cd9f40", "/s/52be83", "/s/d6951c", "/s/154e24", "/s/7695f5"], ["/s/1cfb58", "/s/e880d5", "/s/c4a963", "/s/5bb45f", "/s/d7ddc6", "/s/9924be", "/s/a21a9a", "/s/df8af9", "/s/754d4c", "/s/25f134", "/s/f176b2", "/s/8881ae", "/s/ab1077", "/s/64aa3c", "/s/fa6c8f", "/s/2739dd", "/s/302fba", "/s/2ee711", "/s/c5848", "/s/7f8bd1", "/s/e0d3a2", "/s/873905", "/s/6da018", "/s/7e4328", "/s/1e4401", "/s/6c576f", "/s/b40653", "/s/3626b", "/s/49c8a6", "/s/37dced", "/s/40d2ca", "/s/cee7e9", "/s/c5f20c", "/s/902ee1", "/s/bcfc30", "/s/cd9f40", "/s/52be83", "/s/d6951c", "/s/154e24", "/s/7695f5"]]]

describe('JavaHashSet', () => {
  it('iterates, clones and copies as java.util.HashSet for sets grown one add at a time', () => {
    for (const [count, source, clone, copy] of GROWN) {
      const set = new JavaHashSet()
      for (let i = 0; i < count; i++) set.add(nm('/s/', i))
      expect({ count, order: set.javaOrder() }).toEqual({ count, order: source })
      expect({ count, order: set.javaClone().javaOrder() }).toEqual({ count, order: clone })
      expect({ count, order: javaCopyOrder(set) }).toEqual({ count, order: copy })
    }
  })

  it('keeps the table it grew to after removals, and a clone sized for the count is edited like Java\'s', () => {
    const set = new JavaHashSet()
    for (let i = 0; i < 20; i++) set.add(nm('/h/', i))
    for (let i = 0; i < 15; i++) set.delete(nm('/h/', i))
    for (let i = 0; i < 3; i++) set.add(nm('/x/', i))
    set.add(nm('/h/', 3))
    expect(set.tableLength).toBe(32)
    expect(set.javaOrder()).toEqual(["/h/fa6c8f", "/x/6c576f", "/h/a21a9a", "/h/9924be", "/x/1cfb58", "/x/c4a963", "/h/49c8a6", "/h/f176b2", "/h/754d4c"])
    const clone = set.javaClone()
    expect(clone.tableLength).toBe(16)
    expect(clone.javaOrder()).toEqual(["/x/6c576f", "/h/fa6c8f", "/h/a21a9a", "/h/9924be", "/x/1cfb58", "/x/c4a963", "/h/49c8a6", "/h/f176b2", "/h/754d4c"])
    clone.delete(nm('/h/', 16))
    for (let i = 0; i < 10; i++) clone.add(nm('/y/', i))
    clone.add(nm('/h/', 16))
    expect(clone.javaOrder()).toEqual(["/y/754d4c", "/y/cd9f40", "/h/fa6c8f", "/x/6c576f", "/y/6c576f", "/h/a21a9a", "/h/9924be", "/x/1cfb58", "/y/1cfb58", "/x/c4a963", "/y/c4a963", "/h/49c8a6", "/y/2ee711", "/h/f176b2", "/y/25f134", "/h/754d4c", "/y/7e4328", "/y/d6951c", "/y/873905"])
  })

  it('sizes copies as JDK 17 does', () => {
    expect([0, 1, 2, 3, 6, 12, 13, 24, 25].map(javaClonedTableLength)).toEqual([16, 2, 4, 8, 16, 32, 32, 64, 64])
    expect([0, 1, 11, 12, 13, 23, 24, 48].map(javaCopiedTableLength)).toEqual([16, 16, 16, 32, 32, 32, 64, 128])
  })
})

describe('DataTree ephemerals order', () => {
  it('getEphemerals lists a clone of the session set (zkCli on Apache: [/cli/eph, /cli/eseq-0000000003])', () => {
    const driver = new TxnDriver(new DataTree(), 7n)
    driver.create('/cli')
    driver.create('/cli/eph', 'edata', { ephemeral: true })
    driver.create('/cli/eseq-0000000003', 'es', { ephemeral: true })
    const set = driver.tree.ephemeralsOf(7n)
    // The set itself (16 buckets) iterates the other way round: that is what a closeSession without a txn list deletes.
    expect(set.javaOrder()).toEqual(['/cli/eseq-0000000003', '/cli/eph'])
    expect(set.javaClone().javaOrder()).toEqual(['/cli/eph', '/cli/eseq-0000000003'])
    expect(driver.tree.ephemeralsOf(8n).javaClone().javaOrder()).toEqual([])
  })

  it('closeSession deletes the listed paths in txn order, then the unlisted ones in the session set\'s order', () => {
    const driver = new TxnDriver(new DataTree(), 7n)
    driver.create('/cli')
    const paths = Array.from({ length: 13 }, (_, i) => nm('/cli/', i))
    for (const path of paths) driver.create(path, '', { ephemeral: true })
    const expected = driver.tree.ephemeralsOf(7n).javaOrder()
    expect(driver.tree.ephemeralsOf(7n).tableLength).toBe(32)
    const watcher = new RecordingWatcher()
    for (const path of paths) driver.tree.exists(path, watcher)
    driver.closeSession(7n, [paths[5]!])
    expect(watcher.take()).toEqual([`deleted ${paths[5]!}`, ...expected.filter((p) => p !== paths[5]).map((p) => `deleted ${p}`)])
    expect(driver.tree.ephemeralsOf(7n).size).toBe(0)
  })
})
