import { describe, expect, it } from 'vitest'
import { DataTree } from '../../../engine/tree/data-tree'
import { QuotaTrie, StatsTrack } from '../../../engine/tree/quota'
import { TxnDriver } from './helpers'

/** What zkCli `setquota` does: create /zookeeper/quota<path> parents, then the limits and stats nodes. */
function setQuota(driver: TxnDriver, path: string, limits: string): void {
  let quotaPath = '/zookeeper/quota'
  for (const part of path.split('/').slice(1)) {
    quotaPath += '/' + part
    if (driver.tree.getNode(quotaPath) === undefined) driver.create(quotaPath)
  }
  driver.create(quotaPath + '/zookeeper_limits', limits)
  driver.create(quotaPath + '/zookeeper_stats', 'count=0,bytes=0')
}

const statsOf = (tree: DataTree, path: string) => tree.getData(`/zookeeper/quota${path}/zookeeper_stats`).data?.toString()

describe('StatsTrack', () => {
  it('parses and prints the 3.4 form and the 3.7+ form with hard limits', () => {
    expect(StatsTrack.parse(Buffer.from('count=10,bytes=-1')).toString()).toBe('count=10,bytes=-1')
    const hard = StatsTrack.parse(Buffer.from('count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=5'))
    expect([hard.count, hard.bytes, hard.byteHardLimit, hard.countHardLimit]).toEqual([-1n, -1n, 100n, 5n])
    expect(hard.toString()).toBe('count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=5')
    expect(StatsTrack.parse(null).count).toBe(-1n)
    expect(StatsTrack.parse(Buffer.from('count=,bytes=7')).toString()).toBe('count=-1,bytes=7')
  })
})

describe('QuotaTrie (PathTrie)', () => {
  it('finds the longest quota prefix by component', () => {
    const trie = new QuotaTrie()
    trie.add('/a')
    trie.add('/a/b/c')
    expect(trie.maxPrefix('/a/b/c/d')).toBe('/a/b/c')
    expect(trie.maxPrefix('/a/b')).toBe('/a')
    expect(trie.maxPrefix('/ab')).toBeUndefined()
    expect(trie.maxPrefix('/x')).toBeUndefined()
    // Deleting a path drops its whole sub-trie, as Apache's PathTrie.deletePath does.
    trie.delete('/a')
    expect(trie.maxPrefix('/a/b/c/d')).toBeUndefined()
  })
})

describe('quota bookkeeping in the tree', () => {
  it('recounts when the stats node is created, then tracks create/setData/delete under the quota root', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/q', 'abc')
    driver.create('/q/a', '12345')
    setQuota(driver, '/q', 'count=10,bytes=-1')
    expect(statsOf(tree, '/q')).toBe('count=2,bytes=8')
    const statsNode = tree.getNode('/zookeeper/quota/q/zookeeper_stats')!
    const statBefore = { ...statsNode.stat }
    driver.create('/q/b', 'xy')
    expect(statsOf(tree, '/q')).toBe('count=3,bytes=10')
    driver.setData('/q/a', '1')
    expect(statsOf(tree, '/q')).toBe('count=3,bytes=6')
    driver.delete('/q/b')
    expect(statsOf(tree, '/q')).toBe('count=2,bytes=4')
    driver.create('/other', 'zzz')
    expect(statsOf(tree, '/q')).toBe('count=2,bytes=4')
    // The stats node's data is rewritten in place: its Stat does not move.
    expect(statsNode.stat).toEqual(statBefore)
  })

  it('charges the longest quota prefix only', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/a')
    driver.create('/a/b')
    setQuota(driver, '/a', 'count=100,bytes=-1')
    setQuota(driver, '/a/b', 'count=100,bytes=-1')
    expect(statsOf(tree, '/a')).toBe('count=2,bytes=0')
    expect(statsOf(tree, '/a/b')).toBe('count=1,bytes=0')
    driver.create('/a/b/c', 'x')
    expect(statsOf(tree, '/a/b')).toBe('count=2,bytes=1')
    expect(statsOf(tree, '/a')).toBe('count=2,bytes=0')
  })

  it('stops tracking when the limits node is deleted', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/q')
    setQuota(driver, '/q', 'count=10,bytes=-1')
    driver.delete('/zookeeper/quota/q/zookeeper_limits')
    driver.create('/q/x')
    expect(statsOf(tree, '/q')).toBe('count=1,bytes=0')
    expect(tree.quotaCheck('/q/y', 0, 1)).toEqual({ exceeded: false, hard: false })
  })

  it('quotaCheck reports soft and hard excess as ZooKeeperServer.checkQuota decides it', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/soft')
    driver.create('/hard')
    setQuota(driver, '/soft', 'count=2,bytes=4')
    setQuota(driver, '/hard', 'count=-1,bytes=-1=;byteHardLimit=4;countHardLimit=2')
    expect(tree.quotaCheck('/soft/a', 1, 1)).toEqual({ exceeded: false, hard: false, quotaPath: '/soft' })
    expect(tree.quotaCheck('/soft/a', 5, 1)).toEqual({ exceeded: true, hard: false, quotaPath: '/soft' })
    driver.create('/soft/a')
    expect(tree.quotaCheck('/soft/b', 0, 1)).toEqual({ exceeded: true, hard: false, quotaPath: '/soft' })
    expect(tree.quotaCheck('/hard/a', 4, 1)).toEqual({ exceeded: false, hard: false, quotaPath: '/hard' })
    expect(tree.quotaCheck('/hard/a', 5, 1)).toEqual({ exceeded: true, hard: true, quotaPath: '/hard' })
    driver.create('/hard/a')
    expect(tree.quotaCheck('/hard/b', 0, 1)).toEqual({ exceeded: true, hard: true, quotaPath: '/hard' })
    // A setData that shrinks, or changes nothing, is never checked against the count.
    expect(tree.quotaCheck('/hard/a', 0, 0)).toEqual({ exceeded: false, hard: false, quotaPath: '/hard' })
    expect(tree.quotaCheck('/free', 100, 1)).toEqual({ exceeded: false, hard: false })
  })
})
