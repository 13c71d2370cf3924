import { describe, expect, it } from 'vitest'
import { AuthIdSet, clientInfos } from '../../../engine/server/auth-ids'
import { javaHashSetOrder, javaStringHash } from '../../../engine/tree/java-hash'
import { JsonDouble, type JsonValue, writeJackson } from '../../../engine/server/jackson-json'
import { javaDateString, javaDouble, roundHalfUp4 } from '../../../engine/server/java-format'
import { javaHostAddress } from '../../../engine/server/net-transport'
import { digestOfAuth } from '../../../engine/tree/auth-providers'

describe('Java text forms', () => {
  it('prints doubles as Double.toString', () => {
    expect(javaDouble(0)).toBe('0.0')
    expect(javaDouble(3.9592)).toBe('3.9592')
    expect(javaDouble(17)).toBe('17.0')
    expect(javaDouble(1e7)).toBe('1.0E7')
    expect(javaDouble(0.0001)).toBe('1.0E-4')
    expect(javaDouble(0.001)).toBe('0.001')
    expect(javaDouble(1.5e-7)).toBe('1.5E-7')
  })

  it('rounds averages half-up to 4 decimals', () => {
    expect(roundHalfUp4(2 / 3)).toBe(0.6667)
    expect(roundHalfUp4(0.00005)).toBe(0.0001)
  })

  it('prints dates as java.util.Date in UTC', () => {
    expect(javaDateString(Date.UTC(2026, 10, 25, 15, 0, 5))).toBe('Wed Nov 25 15:00:05 UTC 2026')
  })

  it('prints host addresses as InetAddress.getHostAddress', () => {
    expect(javaHostAddress('::ffff:127.0.0.1')).toBe('127.0.0.1')
    expect(javaHostAddress('127.0.0.1')).toBe('127.0.0.1')
    expect(javaHostAddress('::1')).toBe('0:0:0:0:0:0:0:1')
    expect(javaHostAddress('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1%eth0')
  })
})

describe('auth ids', () => {
  it('hashes strings as Java', () => {
    expect(javaStringHash('')).toBe(0)
    expect(javaStringHash('hello')).toBe(99162322)
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648)
  })

  it('lists ids in the order Apache 3.8 printed for whoami (digest before ip here)', () => {
    const ids = new AuthIdSet([{ scheme: 'ip', id: '127.0.0.1' }])
    ids.add({ scheme: 'digest', id: digestOfAuth('u:p:q:r') })
    ids.add({ scheme: 'ip', id: '127.0.0.1' })
    expect(clientInfos(ids.list())).toEqual([
      { authScheme: 'digest', user: 'u' },
      { authScheme: 'ip', user: '127.0.0.1' },
    ])
    const bob = new AuthIdSet([{ scheme: 'ip', id: '127.0.0.1' }])
    bob.add({ scheme: 'digest', id: digestOfAuth('bob:secret') })
    expect(bob.list().map((id) => id.scheme)).toEqual(['digest', 'ip'])
  })
})

describe('Java hash-set order', () => {
  it('lists ephemerals as Apache 3.8 returned them from getEphemerals', () => {
    // Captured from Debian's Apache 3.8.0: twenty ephemerals created in the order e0x, e7x, e14x, … e133x.
    const created = Array.from({ length: 20 }, (_, i) => `/ephorder/e${i * 7}x`)
    expect(javaHashSetOrder(created)).toEqual([
      '/ephorder/e119x', '/ephorder/e28x', '/ephorder/e49x', '/ephorder/e133x', '/ephorder/e14x', '/ephorder/e112x',
      '/ephorder/e126x', '/ephorder/e105x', '/ephorder/e42x', '/ephorder/e63x', '/ephorder/e84x', '/ephorder/e35x',
      '/ephorder/e56x', '/ephorder/e77x', '/ephorder/e7x', '/ephorder/e21x', '/ephorder/e98x', '/ephorder/e70x',
      '/ephorder/e0x', '/ephorder/e91x',
    ])
  })
})

describe('Jackson pretty printer', () => {
  it('writes objects, arrays and numbers as Apache AdminServer does', () => {
    const value = new Map<string, JsonValue>([
      ['connections', [new Map<string, JsonValue>([['a', 1], ['b', new JsonDouble(0)]])]],
      ['empty', []],
      ['none', new Map()],
      ['ids', [72057630433542168n, 2n]],
      ['error', null],
    ])
    expect(writeJackson(value)).toBe(
      '{\n  "connections" : [ {\n    "a" : 1,\n    "b" : 0.0\n  } ],\n  "empty" : [ ],\n  "none" : { },\n  "ids" : [ 72057630433542168, 2 ],\n  "error" : null\n}',
    )
  })
})
