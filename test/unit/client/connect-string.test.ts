import { describe, expect, it } from 'vitest'
import { Chroot } from '../../../engine/client/chroot'
import { ConnectStringError, parseConnectString } from '../../../engine/client/connect-string'
import { HostProvider } from '../../../engine/client/host-provider'
import { invalidPathReason } from '../../../engine/client/path'

describe('parseConnectString', () => {
  it('splits hosts, default port and chroot', () => {
    expect(parseConnectString('h1:2181,h2:2182/app/x')).toEqual({
      hosts: [
        { host: 'h1', port: 2181 },
        { host: 'h2', port: 2182 },
      ],
      chroot: '/app/x',
    })
    expect(parseConnectString('h1')).toEqual({ hosts: [{ host: 'h1', port: 2181 }], chroot: undefined })
    expect(parseConnectString('h1:')).toEqual({ hosts: [{ host: 'h1', port: 2181 }], chroot: undefined })
  })

  it('treats a "/" chroot as none', () => {
    expect(parseConnectString('h1:1/').chroot).toBeUndefined()
  })

  it('parses bracketed IPv6 literals', () => {
    expect(parseConnectString('[::1]:2999,[fe80::1]').hosts).toEqual([
      { host: '::1', port: 2999 },
      { host: 'fe80::1', port: 2181 },
    ])
  })

  it('rejects malformed input', () => {
    expect(() => parseConnectString('[::1')).toThrow(ConnectStringError)
    expect(() => parseConnectString('[::1]x')).toThrow(ConnectStringError)
    expect(() => parseConnectString('[::1]:')).toThrow(ConnectStringError)
    expect(() => parseConnectString('h:abc')).toThrow(ConnectStringError)
    expect(() => parseConnectString('h:1/a/')).toThrow(ConnectStringError)
    expect(() => parseConnectString('/a')).toThrow(ConnectStringError)
  })
})

describe('Chroot', () => {
  const chroot = new Chroot('/app')
  it('prepends to outgoing paths', () => {
    expect(chroot.toServer('/')).toBe('/app')
    expect(chroot.toServer('/a/b')).toBe('/app/a/b')
  })
  it('strips from incoming paths, leaving foreign ones alone', () => {
    expect(chroot.toClient('/app')).toBe('/')
    expect(chroot.toClient('/app/a')).toBe('/a')
    expect(chroot.toClient('/apple')).toBe('/apple')
    expect(chroot.toClient('/zookeeper/config')).toBe('/zookeeper/config')
  })
  it('is the identity without a chroot', () => {
    const none = new Chroot(undefined)
    expect(none.toServer('/a')).toBe('/a')
    expect(none.toClient('/a')).toBe('/a')
  })
})

describe('HostProvider', () => {
  const hosts = [1, 2, 3].map((port) => ({ host: 'h', port }))
  const pacing = { reconnectJitterMsMax: 1000, cycleDelayMs: 1000 }

  it('shuffles once and then goes round robin', () => {
    const provider = new HostProvider(hosts, pacing, () => 0.5)
    const order = provider.order.map((h) => h.port)
    expect([...order].sort()).toEqual([1, 2, 3])
    const seen = [0, 1, 2, 3, 4, 5].map(() => provider.next().host.port)
    expect(seen).toEqual([...order, ...order])
  })

  it('waits nothing the first time, a random jitter later, and a cycle pause after a full round', () => {
    const provider = new HostProvider(hosts, pacing, () => 0.25)
    expect(provider.next().delayMs).toBe(0)
    expect(provider.next().delayMs).toBe(250)
    expect(provider.next().delayMs).toBe(250)
    // Back at the first host (the last one we "were connected to" by Java's rule): jitter + cycle pause.
    expect(provider.next().delayMs).toBe(1250)
  })

  it('restarts the cycle from the host it connected to', () => {
    const provider = new HostProvider(hosts, pacing, () => 0)
    provider.next()
    provider.next()
    provider.onConnected()
    expect(provider.next().delayMs).toBe(0)
    expect(provider.next().delayMs).toBe(0)
    expect(provider.next().delayMs).toBe(1000)
  })
})

describe('invalidPathReason', () => {
  it('accepts what Java accepts', () => {
    for (const path of ['/', '/a', '/a/b.c', '/a/..b', '/zookeeper', '/ü']) expect(invalidPathReason(path)).toBeUndefined()
    expect(invalidPathReason('/q/', true)).toBeUndefined()
  })
  it('rejects what Java rejects', () => {
    for (const path of ['', 'a', '/a/', '//a', '/a//b', '/.', '/a/..', '/a/./b', '/a\u0000', '/a\u0001', '/\u007f', '/\ud83d\ude00', '/\ufff0']) {
      expect(invalidPathReason(path), JSON.stringify(path)).toBeDefined()
    }
  })
})
