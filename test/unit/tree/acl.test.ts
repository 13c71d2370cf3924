import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ACL, Id } from '../../../engine/proto/data-records'
import { Perms } from '../../../engine/proto/data-records'
import { ErrorCode, KeeperError } from '../../../engine/proto/errors'
import {
  AclCache,
  DEFAULT_AUTH_PROVIDERS,
  checkACL,
  digestAuthProvider,
  digestOf,
  digestOfAuth,
  exactMatchAuthProvider,
  fixupACL,
  ipAuthProvider,
  requireACL,
} from '../../../engine/tree/acl'

const world = (perms: number): ACL => ({ perms, id: { scheme: 'world', id: 'anyone' } })
const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } })
const ip = (id: string): Id => ({ scheme: 'ip', id })

describe('digestOf', () => {
  it('is user: + base64(SHA-1("user:password")), matching kazoo/Apache', () => {
    // Value printed by kazoo.security.make_digest_acl_credential('alice', 'pw') (same algorithm as Apache).
    expect(digestOf('alice', 'pw')).toBe('alice:V55/p2T0OpjQ+low3NVAH4aLvm0=')
    expect(digestOf('super', 'test')).toBe('super:' + createHash('sha1').update('super:test').digest('base64'))
  })

  it('takes the user as the text before the first colon of an auth packet', () => {
    expect(digestOfAuth('bob:pa:ss')).toBe('bob:' + createHash('sha1').update('bob:pa:ss').digest('base64'))
    expect(digestOfAuth('nocolon')).toBe('nocolon:' + createHash('sha1').update('nocolon').digest('base64'))
  })
})

describe('checkACL (ZooKeeperServer.checkACL)', () => {
  const alice = { scheme: 'digest', id: digestOf('alice', 'pw') }

  it('allows anything on an empty or absent list', () => {
    expect(checkACL([], Perms.ADMIN, [])).toBe(true)
    expect(checkACL(null, Perms.ADMIN, [])).toBe(true)
  })

  it('needs the permission bit on a matching entry', () => {
    const list = [world(Perms.READ), acl(Perms.ALL, 'digest', alice.id)]
    expect(checkACL(list, Perms.READ, [])).toBe(true)
    expect(checkACL(list, Perms.WRITE, [])).toBe(false)
    expect(checkACL(list, Perms.WRITE, [alice])).toBe(true)
    expect(checkACL(list, Perms.WRITE, [{ scheme: 'digest', id: digestOf('alice', 'wrong') }])).toBe(false)
    expect(checkACL([acl(Perms.READ, 'digest', alice.id)], Perms.WRITE, [alice])).toBe(false)
  })

  it('lets a super id, superUser or skipACL through anything', () => {
    const list = [acl(Perms.READ, 'digest', alice.id)]
    expect(checkACL(list, Perms.ADMIN, [{ scheme: 'super', id: '' }])).toBe(true)
    expect(checkACL(list, Perms.ADMIN, [], { superUser: true })).toBe(true)
    expect(checkACL(list, Perms.ADMIN, [], { skipACL: true })).toBe(true)
  })

  it('matches ip entries by prefix', () => {
    const list = [acl(Perms.READ, 'ip', '10.1.0.0/16'), acl(Perms.WRITE, 'ip', '192.168.1.7')]
    expect(checkACL(list, Perms.READ, [ip('10.1.200.3')])).toBe(true)
    expect(checkACL(list, Perms.READ, [ip('10.2.0.1')])).toBe(false)
    expect(checkACL(list, Perms.WRITE, [ip('192.168.1.7')])).toBe(true)
    expect(checkACL(list, Perms.WRITE, [ip('192.168.1.8')])).toBe(false)
    expect(checkACL(list, Perms.READ, [ip('::1')])).toBe(false)
  })

  it('ignores entries of schemes without a provider (world:other, super:…)', () => {
    expect(checkACL([acl(Perms.ALL, 'world', 'other')], Perms.READ, [{ scheme: 'world', id: 'other' }])).toBe(false)
    expect(checkACL([acl(Perms.ALL, 'sasl', 'bob')], Perms.READ, [{ scheme: 'sasl', id: 'bob' }])).toBe(false)
    const withSasl = new Map(DEFAULT_AUTH_PROVIDERS).set('sasl', exactMatchAuthProvider('sasl'))
    expect(checkACL([acl(Perms.ALL, 'sasl', 'bob')], Perms.READ, [{ scheme: 'sasl', id: 'bob' }], { providers: withSasl })).toBe(true)
  })

  it('requireACL throws NoAuth', () => {
    expect(() => requireACL([world(Perms.READ)], Perms.WRITE, [], '/a')).toThrow(expect.objectContaining({ code: ErrorCode.NOAUTH }))
  })
})

describe('ip provider (IPAuthenticationProvider)', () => {
  it.each([
    ['1.2.3.4', true],
    ['0.0.0.0/0', true],
    ['10.0.0.0/8', true],
    ['10.0.0.0/32', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0/-1', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/8/1', false],
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['1.2.3.256', false],
    ['1.2.3.', false],
    ['a.b.c.d', false],
    ['+1.2.3.4', true],
    ['::1', false],
    ['', false],
  ])('isValid(%j) = %s', (id, valid) => {
    expect(ipAuthProvider.isValid(id)).toBe(valid)
  })

  it('masks partial bytes', () => {
    expect(ipAuthProvider.matches('10.0.127.1', '10.0.0.0/17')).toBe(true)
    expect(ipAuthProvider.matches('10.0.128.1', '10.0.0.0/17')).toBe(false)
    expect(ipAuthProvider.matches('8.8.8.8', '1.1.1.1/0')).toBe(true)
  })
})

describe('digest provider validity (Java split drops trailing empty parts)', () => {
  it.each([
    ['user:hash', true],
    ['user:', false],
    ['user', false],
    [':hash', true],
    ['user:hash:', true],
    ['user:ha:sh', false],
    ['', false],
  ])('isValid(%j) = %s', (id, valid) => {
    expect(digestAuthProvider.isValid(id)).toBe(valid)
  })
})

describe('fixupACL (PrepRequestProcessor.fixupACL)', () => {
  const alice = { scheme: 'digest', id: digestOf('alice', 'pw') }
  const bob = { scheme: 'digest', id: digestOf('bob', 'pw') }
  const invalid = (list: ACL[], ids: Id[] = []) => {
    try {
      fixupACL(list, ids, { path: '/x' })
    } catch (error) {
      return error instanceof KeeperError && error.code === ErrorCode.INVALIDACL
    }
    return false
  }

  it('keeps world:anyone and valid ip/digest entries, dropping duplicates', () => {
    const list = [world(31), world(31), acl(1, 'ip', '1.2.3.4'), acl(3, 'digest', alice.id), world(1)]
    expect(fixupACL(list, [])).toEqual([world(31), acl(1, 'ip', '1.2.3.4'), acl(3, 'digest', alice.id), world(1)])
  })

  it('expands auth: to every authenticated id of the connection (not ip, not super)', () => {
    const ids: Id[] = [ip('127.0.0.1'), alice, { scheme: 'super', id: '' }, bob]
    expect(fixupACL([acl(Perms.ALL, 'auth', '')], ids)).toEqual([acl(31, 'digest', alice.id), acl(31, 'digest', bob.id)])
    // Whatever id the auth entry names, it expands the same way.
    expect(fixupACL([acl(1, 'auth', 'ignored')], [alice])).toEqual([acl(1, 'digest', alice.id)])
    // Expansion may repeat an explicit entry: Apache does not dedupe after expanding.
    expect(fixupACL([acl(31, 'digest', alice.id), acl(31, 'auth', '')], [alice])).toEqual([acl(31, 'digest', alice.id), acl(31, 'digest', alice.id)])
  })

  it('expands auth: to sasl/x509 ids when the server has those providers', () => {
    const providers = new Map(DEFAULT_AUTH_PROVIDERS).set('sasl', exactMatchAuthProvider('sasl'))
    expect(fixupACL([acl(31, 'auth', '')], [{ scheme: 'sasl', id: 'carol' }], { providers })).toEqual([acl(31, 'sasl', 'carol')])
    expect(invalid([acl(31, 'auth', '')], [{ scheme: 'sasl', id: 'carol' }])).toBe(true)
  })

  it('rejects empty lists, auth: without authenticated ids, and invalid ids', () => {
    expect(invalid([])).toBe(true)
    expect(invalid([acl(31, 'auth', '')], [ip('127.0.0.1')])).toBe(true)
    expect(invalid([acl(31, 'world', 'other')])).toBe(true)
    expect(invalid([acl(31, 'super', 'x')])).toBe(true)
    expect(invalid([acl(31, 'digest', 'nocolon')])).toBe(true)
    expect(invalid([acl(31, 'ip', '300.1.1.1')])).toBe(true)
    expect(invalid([acl(31, 'unknown', 'x')])).toBe(true)
    expect(invalid([world(31), acl(31, 'ip', 'bad')])).toBe(true)
  })
})

describe('AclCache (ReferenceCountedACLCache)', () => {
  it('allocates ids 1, 2, 3… per distinct list (order matters), counting uses', () => {
    const cache = new AclCache()
    const a = [world(31)]
    const b = [world(1), acl(31, 'ip', '1.2.3.4')]
    const bReordered = [acl(31, 'ip', '1.2.3.4'), world(1)]
    expect(cache.convertAcls(a)).toBe(1)
    expect(cache.convertAcls([world(31)])).toBe(1)
    expect(cache.convertAcls(b)).toBe(2)
    expect(cache.convertAcls(bReordered)).toBe(3)
    expect(cache.convertAcls(null)).toBe(-1)
    expect(cache.usesOf(1)).toBe(2)
    cache.removeUsage(1)
    expect(cache.convertLong(1)).toEqual(a)
    cache.removeUsage(1)
    expect(cache.convertLong(1)).toBeUndefined()
    expect(cache.convertAcls(a)).toBe(4)
    expect(cache.convertLong(-1)).toEqual([world(31)])
  })

  it('loads snapshot entries with no uses, purges the unused, and allocates past the largest id', () => {
    const cache = new AclCache()
    cache.load(5, [world(1)])
    cache.load(9, [world(3)])
    cache.addUsage(5)
    cache.addUsage(42) // unknown ids are ignored
    cache.purgeUnused()
    expect([...cache.entries()].map(([id]) => id)).toEqual([5])
    expect(cache.convertAcls([world(7)])).toBe(10)
    expect(cache.convertAcls([world(1)])).toBe(5)
  })
})
