import { describe, expect, it } from 'vitest'
import { invalidPathReason } from '../../../engine/client'
import { zkPathProblem } from '../../../main/contract/zk-path'

describe('the contract’s path rule', () => {
  const valid = ['/', '/a', '/a/b', '/a.b', '/..a', '/zookeeper/quota', '/ünïcode', '/a b']
  const invalid = ['', 'a', '/a/', '//', '/a//b', '/.', '/a/..', '/a/./b', '/a\u0000b', '/a\u0001', '/a\ud800', '/\uffff']

  it('accepts what ZooKeeper accepts and refuses what it refuses, like the engine client', () => {
    for (const path of valid) {
      expect(zkPathProblem(path), path).toBeNull()
      expect(invalidPathReason(path), path).toBeUndefined()
    }
    for (const path of invalid) {
      expect(zkPathProblem(path), JSON.stringify(path)).not.toBeNull()
      expect(invalidPathReason(path), JSON.stringify(path)).toBeDefined()
    }
  })
})
