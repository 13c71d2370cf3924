import { type Server, type Socket, createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode, type SessionEvent, ZooKeeperClient } from '../../../engine/client'
import { FrameDecoder } from '../../../engine/client/frame-decoder'
import { JuteReader, JuteWriter } from '../../../engine/jute'
import { ConnectRequest, ConnectResponse, OpCode, ReplyHeader, Stat, EMPTY_STAT } from '../../../engine/proto'
import { ClientPool, eventually } from './support/helpers'

/**
 * A scripted server on a real socket: records every frame the client sends and lets each test answer as it likes,
 * to check bytes on the wire and the client's reaction to answers a healthy server never gives.
 */
class ScriptedServer {
  readonly frames: Buffer[][] = []
  readonly sockets: Socket[] = []
  private server: Server | undefined
  port = 0
  onFrame: (socket: Socket, frame: Buffer, connection: number, index: number) => void = () => undefined

  async start(): Promise<void> {
    this.server = createServer((socket) => {
      const connection = this.sockets.length
      this.sockets.push(socket)
      this.frames.push([])
      const decoder = new FrameDecoder(1 << 20)
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk)
        for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
          const copy = Buffer.from(frame)
          this.frames[connection]!.push(copy)
          this.onFrame(socket, copy, connection, this.frames[connection]!.length - 1)
        }
      })
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    const address = this.server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : 0
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }
}

function send(socket: Socket, write: (w: JuteWriter) => void): void {
  const w = new JuteWriter()
  w.int(0)
  write(w)
  w.intAt(0, w.offset - 4)
  socket.write(w.toBuffer())
}

function connectResponse(socket: Socket, timeOut: number, readOnly?: boolean, sessionId = 0x1234n): void {
  send(socket, (w) => {
    ConnectResponse.write(w, { protocolVersion: 0, timeOut, sessionId, passwd: Buffer.alloc(16, 7) })
    if (readOnly !== undefined) w.bool(readOnly)
  })
}

function header(frame: Buffer): { xid: number; type: number } {
  return { xid: frame.readInt32BE(0), type: frame.readInt32BE(4) }
}

describe('client wire behaviour against a scripted server', () => {
  const servers: ScriptedServer[] = []
  const pool = new ClientPool()
  const fastPacing = { reconnectJitterMsMax: 1, cycleDelayMs: 1 }

  async function scripted(): Promise<ScriptedServer> {
    const server = new ScriptedServer()
    await server.start()
    servers.push(server)
    return server
  }

  afterEach(async () => {
    // Scripted servers never answer closeSession: drop them first so close() does not wait for a reply.
    await Promise.all(servers.splice(0).map((server) => server.stop()))
    await pool.closeAll()
  })

  it('sends a 45-byte ConnectRequest with the readOnly flag, then pings at a third of the session timeout', async () => {
    const server = await scripted()
    const pingTimes: number[] = []
    server.onFrame = (socket, frame, _connection, index) => {
      if (index === 0) return connectResponse(socket, 3000, false)
      if (header(frame).type === OpCode.ping) {
        pingTimes.push(Date.now())
        send(socket, (w) => ReplyHeader.write(w, { xid: -2, zxid: 5n, err: 0 }))
      }
    }
    const client = pool.track(new ZooKeeperClient(`127.0.0.1:${server.port}`, { sessionTimeoutMs: 3000, canBeReadOnly: true }))
    await client.waitForState('CONNECTED')
    const first = server.frames[0]![0]!
    expect(first.length).toBe(45)
    const request = ConnectRequest.read(new JuteReader(first))
    expect(request).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 3000,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
    })
    expect(first[44]).toBe(1)
    expect(client.negotiatedTimeoutMs).toBe(3000)
    await eventually(() => pingTimes.length >= 3, 5000, 'three pings')
    // readTimeout = 2000 ms, ping after 1000 ms without sending.
    const gaps = pingTimes.slice(1).map((t, i) => t - pingTimes[i]!)
    for (const gap of gaps) expect(gap).toBeGreaterThan(800)
    for (const gap of gaps) expect(gap).toBeLessThan(1600)
    // Ping replies carry a zxid, but Java only takes zxids from ordinary replies.
    expect(client.lastZxidSeen).toBe(0n)
  })

  it('reports ConnectedReadOnly when the server says it is read-only', async () => {
    const server = await scripted()
    server.onFrame = (socket, _frame, _c, index) => index === 0 && connectResponse(socket, 4000, true)
    const client = pool.track(new ZooKeeperClient(`127.0.0.1:${server.port}`, { canBeReadOnly: true }))
    expect(await client.waitForState('ConnectedReadOnly')).toBe('CONNECTEDREADONLY')
  })

  it('treats a timeout of 0 as an expired session: Expired, CLOSED, queued requests fail with SESSIONEXPIRED', async () => {
    const server = await scripted()
    server.onFrame = (socket, _frame, _c, index) => index === 0 && connectResponse(socket, 0, false, 0n)
    const events: SessionEvent[] = []
    const client = pool.track(new ZooKeeperClient(`127.0.0.1:${server.port}`, { sessionId: 99n, sessionPassword: Buffer.alloc(16, 1) }))
    client.on('state', (event) => events.push(event))
    const queued = client.exists('/a')
    await expect(queued).rejects.toMatchObject({ code: ErrorCode.SESSIONEXPIRED })
    expect(events).toEqual([{ event: 'Expired', state: 'CLOSED' }])
    const request = ConnectRequest.read(new JuteReader(server.frames[0]![0]!))
    expect(request.sessionId).toBe(99n)
    await expect(client.exists('/a')).rejects.toMatchObject({ code: ErrorCode.SESSIONEXPIRED })
  })

  it('drops the connection on an out-of-order reply xid, failing the request with CONNECTIONLOSS, and reconnects', async () => {
    const server = await scripted()
    server.onFrame = (socket, frame, connection, index) => {
      if (index === 0) return connectResponse(socket, 4000, false)
      const { xid, type } = header(frame)
      if (type !== OpCode.exists) return
      const replyXid = connection === 0 ? xid + 1 : xid
      send(socket, (w) => {
        ReplyHeader.write(w, { xid: replyXid, zxid: 10n, err: 0 })
        Stat.write(w, EMPTY_STAT)
      })
    }
    const events: string[] = []
    const client = pool.track(
      new ZooKeeperClient(`127.0.0.1:${server.port}`, { reconnectPacing: fastPacing, sessionTimeoutMs: 4000 }),
    )
    client.on('state', (event) => events.push(event.event))
    await client.waitForState('CONNECTED')
    await expect(client.exists('/a')).rejects.toMatchObject({ code: ErrorCode.CONNECTIONLOSS })
    await client.waitForState('CONNECTED')
    expect(await client.exists('/a')).toEqual(EMPTY_STAT)
    expect(events).toEqual(['SyncConnected', 'Disconnected', 'SyncConnected'])
    // The reconnect resumes the session and reports the zxid seen so far.
    const again = ConnectRequest.read(new JuteReader(server.frames[1]![0]!))
    expect(again.sessionId).toBe(0x1234n)
    expect(again.passwd).toEqual(Buffer.alloc(16, 7))
  })

  it('moves to another host when the server stops answering (read timeout)', async () => {
    const silent = await scripted()
    const healthy = await scripted()
    silent.onFrame = (socket, _frame, _c, index) => index === 0 && connectResponse(socket, 1500, false)
    healthy.onFrame = (socket, frame, _c, index) => {
      if (index === 0) return connectResponse(socket, 1500, false)
      if (header(frame).type === OpCode.ping) send(socket, (w) => ReplyHeader.write(w, { xid: -2, zxid: 0n, err: 0 }))
    }
    const client = pool.track(
      new ZooKeeperClient(`127.0.0.1:${silent.port},127.0.0.1:${healthy.port}`, {
        reconnectPacing: fastPacing,
        sessionTimeoutMs: 1500,
        random: () => 0.99, // keeps the order as written
      }),
    )
    await client.waitForState('CONNECTED')
    expect(client.connectedHost?.port).toBe(silent.port)
    await client.waitForState('Disconnected', 3000)
    await client.waitForState('CONNECTED', 3000)
    expect(client.connectedHost?.port).toBe(healthy.port)
  })

  it('sends auth, then SetWatches with the last zxid, then queued requests after a reconnect', async () => {
    const server = await scripted()
    server.onFrame = (socket, frame, _connection, index) => {
      if (index === 0) return connectResponse(socket, 4000, false)
      const { xid, type } = header(frame)
      if (type === OpCode.auth) return send(socket, (w) => ReplyHeader.write(w, { xid: -4, zxid: 0n, err: 0 }))
      if (type === OpCode.getData) {
        return send(socket, (w) => {
          ReplyHeader.write(w, { xid, zxid: 77n, err: 0 })
          w.buffer(Buffer.from('v'))
          Stat.write(w, EMPTY_STAT)
        })
      }
      if (type === OpCode.addWatch) return send(socket, (w) => (ReplyHeader.write(w, { xid, zxid: 78n, err: 0 }), w.int(0)))
      send(socket, (w) => ReplyHeader.write(w, { xid, zxid: 0n, err: 0 }))
    }
    const client = pool.track(new ZooKeeperClient(`127.0.0.1:${server.port}`, { reconnectPacing: fastPacing }))
    await client.waitForState('CONNECTED')
    await client.addAuth('digest', 'u:p')
    await client.getData('/d', () => undefined)
    await client.addWatch('/p', () => undefined, 1)
    expect(client.lastZxidSeen).toBe(78n)
    client.dropConnection()
    const queued = client.getData('/after')
    await queued
    const types = server.frames[1]!.map((frame, i) => (i === 0 ? 'connect' : header(frame).type))
    expect(types).toEqual(['connect', OpCode.auth, OpCode.setWatches2, OpCode.getData])
    const setWatches = new JuteReader(server.frames[1]![2]!.subarray(8))
    expect(setWatches.long()).toBe(78n)
    expect([setWatches.int(), setWatches.ustring()]).toEqual([1, '/d'])
    expect([setWatches.int(), setWatches.int(), setWatches.int(), setWatches.int(), setWatches.ustring()]).toEqual([
      0, 0, 0, 1, '/p',
    ])
    // xids stay ordinary and increasing across connections.
    expect(header(server.frames[1]![2]!).xid).toBeGreaterThan(0)
  })

  it('splits watch re-registration into SetWatches batches of about 128 KB of paths', async () => {
    const server = await scripted()
    server.onFrame = (socket, frame, _connection, index) => {
      if (index === 0) return connectResponse(socket, 4000, false)
      const { xid, type } = header(frame)
      if (type === OpCode.exists) {
        return send(socket, (w) => {
          ReplyHeader.write(w, { xid, zxid: 5n, err: 0 })
          Stat.write(w, EMPTY_STAT)
        })
      }
      send(socket, (w) => ReplyHeader.write(w, { xid, zxid: 0n, err: 0 }))
    }
    const client = pool.track(new ZooKeeperClient(`127.0.0.1:${server.port}`, { reconnectPacing: fastPacing }))
    const longName = 'x'.repeat(1000)
    await Promise.all(Array.from({ length: 300 }, (_, i) => client.exists(`/${longName}${i}`, () => undefined)))
    client.dropConnection()
    await client.waitForState('CONNECTED')
    await client.exists('/')
    const batches = server.frames[1]!.slice(1).filter((frame) => header(frame).type === OpCode.setWatches)
    expect(batches.length).toBe(3)
    const counts = batches.map((frame) => {
      const r = new JuteReader(frame.subarray(8))
      r.long()
      return r.int()
    })
    // Java adds paths while the batch holds fewer than 128 Ki characters, so each batch ends just past the limit.
    expect(counts).toEqual([131, 131, 38])
  })

  it('fails with AUTHFAILED and stops when the server rejects auth', async () => {
    const server = await scripted()
    server.onFrame = (socket, frame, _c, index) => {
      if (index === 0) return connectResponse(socket, 4000, false)
      if (header(frame).type === OpCode.auth) {
        send(socket, (w) => ReplyHeader.write(w, { xid: -4, zxid: 0n, err: ErrorCode.AUTHFAILED }))
        socket.end()
      }
    }
    const client = pool.track(new ZooKeeperClient(`127.0.0.1:${server.port}`, { reconnectPacing: fastPacing }))
    await client.waitForState('CONNECTED')
    await expect(client.addAuth('bogus', 'x')).rejects.toMatchObject({ code: ErrorCode.AUTHFAILED })
    expect(client.state).toBe('AUTH_FAILED')
    await expect(client.exists('/a')).rejects.toMatchObject({ code: ErrorCode.AUTHFAILED })
    expect(server.sockets).toHaveLength(1)
  })

  it('drops the connection when a frame is longer than maxFrameBytes', async () => {
    const server = await scripted()
    server.onFrame = (socket, frame, connection, index) => {
      if (index === 0) return connectResponse(socket, 4000, false)
      const { xid } = header(frame)
      if (connection === 0) {
        return send(socket, (w) => {
          ReplyHeader.write(w, { xid, zxid: 1n, err: 0 })
          w.buffer(Buffer.alloc(2000))
          Stat.write(w, EMPTY_STAT)
        })
      }
      send(socket, (w) => ReplyHeader.write(w, { xid, zxid: 1n, err: ErrorCode.NONODE }))
    }
    const client = pool.track(
      new ZooKeeperClient(`127.0.0.1:${server.port}`, { reconnectPacing: fastPacing, maxFrameBytes: 1000 }),
    )
    await expect(client.getData('/big')).rejects.toMatchObject({ code: ErrorCode.CONNECTIONLOSS })
    await expect(client.getData('/big')).rejects.toMatchObject({ code: ErrorCode.NONODE })
  })
})
