import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CreateRequest,
  CreateResponse,
  ErrorCode,
  GetDataRequest,
  GetDataResponse,
  OPEN_ACL_UNSAFE,
  OpCode,
  ReconfigRequest,
} from '../../../engine/proto'
import { sessionPassword } from '../../../engine/server/session-identity'
import { RawClient, type RunningServer, decodeBody, startServer } from './harness'

describe('handshake', () => {
  let running: RunningServer
  beforeEach(async () => {
    running = await startServer()
  })
  afterEach(async () => {
    await running.close()
  })

  it('creates a session: clamped timeout, Apache-layout id, Java-Random password, readOnly flag echoed', async () => {
    const client = await RawClient.open(running.port)
    const response = await client.handshake({ timeoutMs: 1000, readOnly: false })
    expect(response.protocolVersion).toBe(0)
    expect(response.timeOut).toBe(4000) // min = 2 × tickTime
    expect(response.sessionId >> 56n).toBe(1n) // standalone Apache uses server id 1
    expect(response.passwd).toEqual(sessionPassword(response.sessionId))
    expect(response.readOnly).toBe(false)
    expect(response.raw.length).toBe(37)
    client.close()
  })

  it('answers an old client (44-byte request) without the readOnly byte, and clamps to the maximum', async () => {
    const client = await RawClient.open(running.port)
    const response = await client.handshake({ timeoutMs: 10_000_000 })
    expect(response.timeOut).toBe(40000)
    expect(response.readOnly).toBeUndefined()
    expect(response.raw.length).toBe(36)
    client.close()
  })

  it('reconnects with id and password, and drops the previous connection of that session', async () => {
    const first = await RawClient.session(running.port, { readOnly: false })
    const second = await RawClient.session(running.port, { sessionId: first.sessionId, password: first.password, readOnly: false })
    expect(second.sessionId).toBe(first.sessionId)
    expect(await first.waitClosed()).toBe(true)
    const reply = await second.call(1, OpCode.exists, GetDataRequest, { path: '/', watch: false })
    expect(reply.err).toBe(0)
    second.close()
  })

  it('refuses a wrong password with a zeroed response and closes', async () => {
    const first = await RawClient.session(running.port, { readOnly: false })
    const bad = await RawClient.open(running.port)
    const response = await bad.handshake({ sessionId: first.sessionId, password: Buffer.alloc(16, 7), readOnly: false })
    expect(response.timeOut).toBe(0)
    expect(response.sessionId).toBe(0n)
    expect(response.passwd).toEqual(Buffer.alloc(16))
    expect(await bad.waitClosed()).toBe(true)
    first.close()
  })

  it('takes requests pipelined right behind the ConnectRequest and answers them in order', async () => {
    const client = await RawClient.open(running.port)
    const w = [client.connectFrame({ readOnly: false })]
    client.sendFrame(w[0]!)
    client.send(1, OpCode.create, CreateRequest, { path: '/a', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags: 0 })
    client.send(2, OpCode.getData, GetDataRequest, { path: '/a', watch: false })
    await client.nextFrame() // ConnectResponse
    const created = await client.replyFor(1)
    expect(decodeBody(CreateResponse, created.body).path).toBe('/a')
    const read = await client.replyFor(2)
    expect(read.err).toBe(0)
    expect(decodeBody(GetDataResponse, read.body).data).toEqual(Buffer.from('x'))
    expect(read.zxid).toBe(created.zxid)
    client.close()
  })

  it('closes a client that has seen a newer zxid than ours (it must try another server)', async () => {
    const client = await RawClient.open(running.port)
    client.sendFrame(client.connectFrame({ lastZxidSeen: 1000n, readOnly: false }))
    expect(await client.waitClosed()).toBe(true)
  })

  it('answers reconfig with RECONFIGDISABLED by default, and with UNIMPLEMENTED (standalone) when enabled', async () => {
    const client = await RawClient.session(running.port)
    const body = { joiningServers: null, leavingServers: null, newMembers: 'server.1=127.0.0.1:2888:3888', curConfigId: -1n }
    const disabled = await client.call(1, OpCode.reconfig, ReconfigRequest, body)
    expect(disabled.err).toBe(ErrorCode.RECONFIGDISABLED)
    expect(disabled.zxid).toBe(running.tree.lastProcessedZxid) // still an error txn with its own zxid
    client.close()
    const enabled = await startServer({ reconfigEnabled: true })
    const other = await RawClient.session(enabled.port)
    expect((await other.call(1, OpCode.reconfig, ReconfigRequest, body)).err).toBe(ErrorCode.UNIMPLEMENTED)
    other.close()
    await enabled.close()
  })

  it('closes a connection whose first frame is not a ConnectRequest', async () => {
    const client = await RawClient.open(running.port)
    client.send(-2, OpCode.ping)
    expect(await client.waitClosed()).toBe(true)
  })

  it('closes on a length beyond jute.maxbuffer or below zero, without a reply', async () => {
    const big = await RawClient.session(running.port)
    const header = Buffer.alloc(4)
    header.writeInt32BE(0x100000, 0)
    big.sendRaw(header)
    expect(await big.waitClosed()).toBe(true)
    const negative = await RawClient.session(running.port)
    header.writeInt32BE(-5, 0)
    negative.sendRaw(header)
    expect(await negative.waitClosed()).toBe(true)
  })

  it('answers ping with xid -2 and the last zxid', async () => {
    const client = await RawClient.session(running.port)
    await client.call(1, OpCode.create, CreateRequest, { path: '/p', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 })
    client.send(7, OpCode.ping)
    const pong = await client.reply()
    expect(pong.xid).toBe(-2)
    expect(pong.err).toBe(0)
    expect(pong.zxid).toBe(running.tree.lastProcessedZxid)
    expect(pong.body.length).toBe(0)
    client.close()
  })

  it('closeSession: txn, reply, then the server closes the socket', async () => {
    const client = await RawClient.session(running.port)
    const reply = await client.call(5, OpCode.closeSession)
    expect(reply.err).toBe(0)
    expect(await client.waitClosed()).toBe(true)
    expect(running.server.core.sessions.get(client.sessionId)).toBeUndefined()
  })

  it('unknown opcode and top-level check: UNIMPLEMENTED with zxid -1, then close', async () => {
    for (const type of [55, OpCode.check, OpCode.notification]) {
      const client = await RawClient.session(running.port)
      client.sendBody(3, type, Buffer.alloc(0))
      const reply = await client.reply()
      expect(reply).toMatchObject({ xid: 3, zxid: -1n, err: ErrorCode.UNIMPLEMENTED })
      expect(await client.waitClosed()).toBe(true)
    }
  })
})
