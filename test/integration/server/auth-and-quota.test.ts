import { afterEach, describe, expect, it } from 'vitest'
import {
  AuthPacket,
  CreateRequest,
  ErrorCode,
  GetSASLRequest,
  OPEN_ACL_UNSAFE,
  OpCode,
  PathWatchRequest,
  SetDataRequest,
  SetWatches,
  WhoAmIResponse,
} from '../../../engine/proto'
import { digestOf } from '../../../engine/tree/auth-providers'
import { RawClient, type RunningServer, decodeBody, startServer } from './harness'

const OPEN = [...OPEN_ACL_UNSAFE]

describe('auth packets', () => {
  let running: RunningServer
  afterEach(async () => {
    await running.close()
  })

  it('answers digest auth at once with xid -4 and zxid 0; whoAmI lists the ids', async () => {
    running = await startServer()
    const client = await RawClient.session(running.port)
    client.send(-4, OpCode.auth, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('u:p:q:r') })
    expect(await client.reply()).toMatchObject({ xid: -4, zxid: 0n, err: 0 })
    const who = await client.call(1, OpCode.whoAmI)
    expect(decodeBody(WhoAmIResponse, who.body).clientInfo).toEqual([
      { authScheme: 'digest', user: 'u' },
      { authScheme: 'ip', user: '127.0.0.1' },
    ])
    client.close()
  })

  it('refuses an unknown scheme with AUTHFAILED (-115) and closes', async () => {
    running = await startServer()
    const client = await RawClient.session(running.port)
    client.send(-4, OpCode.auth, AuthPacket, { type: 0, scheme: 'foo', auth: Buffer.from('abc') })
    expect(await client.reply()).toMatchObject({ xid: -4, zxid: 0n, err: ErrorCode.AUTHFAILED })
    expect(await client.waitClosed()).toBe(true)
    expect(running.server.core.stats.authFailedCount).toBe(1)
  })

  it('makes a connection super when its digest equals superDigest', async () => {
    running = await startServer({ superDigest: digestOf('super', 'adminsecret') })
    const owner = await RawClient.session(running.port)
    owner.send(-4, OpCode.auth, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('alice:pw') })
    await owner.reply()
    const locked = [{ perms: 31, id: { scheme: 'digest', id: digestOf('alice', 'pw') } }]
    expect((await owner.call(1, OpCode.create, CreateRequest, { path: '/locked', data: null, acl: locked, flags: 0 })).err).toBe(0)
    const stranger = await RawClient.session(running.port)
    expect((await stranger.call(1, OpCode.getData, PathWatchRequest, { path: '/locked', watch: false })).err).toBe(ErrorCode.NOAUTH)
    const admin = await RawClient.session(running.port)
    admin.send(-4, OpCode.auth, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('super:adminsecret') })
    await admin.reply()
    expect((await admin.call(1, OpCode.getData, PathWatchRequest, { path: '/locked', watch: false })).err).toBe(0)
    const who = decodeBody(WhoAmIResponse, (await admin.call(2, OpCode.whoAmI)).body).clientInfo
    expect(who.map((info) => info.authScheme).sort()).toEqual(['digest', 'ip', 'super'])
    for (const c of [owner, stranger, admin]) c.close()
  })

  it('answers SASL tokens with an empty (null) token: no SASL is configured, as Apache without JAAS', async () => {
    running = await startServer()
    const client = await RawClient.session(running.port)
    const reply = await client.call(1, OpCode.sasl, GetSASLRequest, { token: Buffer.alloc(0) })
    expect(reply).toMatchObject({ xid: 1, zxid: 0n, err: 0 })
    expect([...reply.body]).toEqual([0xff, 0xff, 0xff, 0xff])
    client.close()
  })

  it('closes the connection on a SASL request with a null token (Apache: an uncaught NPE on its length)', async () => {
    running = await startServer()
    const client = await RawClient.session(running.port)
    const garbage = await client.call(1, OpCode.sasl, GetSASLRequest, { token: Buffer.from('not a sasl token') })
    expect(garbage).toMatchObject({ xid: 1, err: 0 })
    client.send(2, OpCode.sasl, GetSASLRequest, { token: null })
    expect(await client.waitClosed()).toBe(true)
  })

  it('echoes xid -8 for SetWatches and fires catch-up events before the reply', async () => {
    running = await startServer()
    const client = await RawClient.session(running.port)
    await client.call(1, OpCode.create, CreateRequest, { path: '/w', data: null, acl: OPEN, flags: 0 })
    client.send(-8, OpCode.setWatches, SetWatches, { relativeZxid: 0n, dataWatches: ['/w', '/gone'], existWatches: [], childWatches: [] })
    const events: Array<{ type: number; path: string }> = []
    const reply = await client.replyFor(-8, events)
    expect(reply.err).toBe(0)
    expect(events).toEqual([
      { type: 3, path: '/w' },
      { type: 2, path: '/gone' },
    ])
    client.close()
  })
})

describe('quotas', () => {
  let running: RunningServer
  afterEach(async () => {
    await running.close()
  })

  async function withCountQuota(enforceQuota: boolean): Promise<RawClient> {
    running = await startServer({ enforceQuota })
    const client = await RawClient.session(running.port)
    let xid = 1
    const create = (path: string, data: string | null) =>
      client.call(xid++, OpCode.create, CreateRequest, { path, data: data === null ? null : Buffer.from(data), acl: OPEN, flags: 0 })
    await create('/q', null)
    await create('/zookeeper/quota/q', null)
    await create('/zookeeper/quota/q/zookeeper_limits', 'count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=2')
    await create('/zookeeper/quota/q/zookeeper_stats', 'count=0,bytes=0')
    return client
  }

  it('refuses writes beyond a hard limit with QUOTAEXCEEDED when enforceQuota is on', async () => {
    const client = await withCountQuota(true)
    expect((await client.call(10, OpCode.create, CreateRequest, { path: '/q/a', data: null, acl: OPEN, flags: 0 })).err).toBe(0)
    const refused = await client.call(11, OpCode.create, CreateRequest, { path: '/q/b', data: null, acl: OPEN, flags: 0 })
    expect(refused.err).toBe(ErrorCode.QUOTAEXCEEDED)
    const tooBig = await client.call(12, OpCode.setData, SetDataRequest, { path: '/q/a', data: Buffer.alloc(11), version: -1 })
    expect(tooBig.err).toBe(ErrorCode.QUOTAEXCEEDED)
    expect((await client.call(13, OpCode.setData, SetDataRequest, { path: '/q/a', data: Buffer.alloc(10), version: -1 })).err).toBe(0)
    client.close()
  })

  it('only tracks usage when enforceQuota is off', async () => {
    const client = await withCountQuota(false)
    for (const [xid, path] of [[10, '/q/a'], [11, '/q/b'], [12, '/q/c']] as const) {
      expect((await client.call(xid, OpCode.create, CreateRequest, { path, data: null, acl: OPEN, flags: 0 })).err).toBe(0)
    }
    expect(running.tree.getNode('/zookeeper/quota/q/zookeeper_stats')?.data?.toString()).toMatch(/^count=4,bytes=0/)
    client.close()
  })
})
