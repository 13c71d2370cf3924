import { afterEach, describe, expect, it } from 'vitest'
import {
  type QuorumConnection,
  type QuorumConnectionClosed,
  QuorumListener,
  SnapshotScanner,
  connectToLeader,
} from '../../../engine/node/net'
import { PacketType } from '../../../engine/quorum/wire/packet-type'
import { type QuorumPacket, encodePacket, packet } from '../../../engine/quorum/wire/quorum-packet'
import { CapturingLogger, LOOPBACK, RawPeer, RawServer, blackHole, closedPort, eventually, sleep } from './support'
import { type TestSnapshot, encodeTestSnapshot, parseTestSnapshot, sampleSnapshot } from './snapshot-body'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface LeaderSide {
  listener: QuorumListener
  port: number
  log: CapturingLogger
  connections: QuorumConnection[]
  packets: Map<number, QuorumPacket[]>
  closes: Map<number, QuorumConnectionClosed[]>
}

async function startLeader(onLearner: (connection: QuorumConnection) => void = () => undefined): Promise<LeaderSide> {
  const log = new CapturingLogger('leader')
  const side: Omit<LeaderSide, 'listener' | 'port'> = { log, connections: [], packets: new Map(), closes: new Map() }
  const listener = new QuorumListener({
    bindHost: LOOPBACK,
    bindPort: 0,
    log,
    onLearnerConnected: (connection) => {
      side.connections.push(connection)
      onLearner(connection)
    },
    onPacket: (connection, received) => push(side.packets, connection.id, received),
    onClose: (connection, closed) => push(side.closes, connection.id, closed),
  })
  const port = await listener.listen()
  cleanups.push(() => listener.close())
  return { ...side, listener, port }
}

interface LearnerSide {
  connection: QuorumConnection<TestSnapshot>
  log: CapturingLogger
  connected: boolean
  received: { packet: QuorumPacket; snapshot: TestSnapshot | undefined }[]
  closes: QuorumConnectionClosed[]
}

function startLearner(port: number, extra: { connectTimeoutMs?: number; parse?: (bytes: Buffer) => TestSnapshot } = {}): LearnerSide {
  const log = new CapturingLogger('learner')
  const side: Omit<LearnerSide, 'connection'> = { log, connected: false, received: [], closes: [] }
  const connection = connectToLeader<TestSnapshot>({
    leader: { host: LOOPBACK, port },
    log,
    parseSnapshot: extra.parse ?? parseTestSnapshot,
    ...(extra.connectTimeoutMs !== undefined ? { connectTimeoutMs: extra.connectTimeoutMs } : {}),
    onConnected: () => {
      side.connected = true
    },
    onPacket: (_c, received, snapshot) => side.received.push({ packet: received, snapshot }),
    onClose: (_c, closed) => side.closes.push(closed),
  })
  cleanups.push(async () => connection.close('test over'))
  return Object.assign(side, { connection })
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

function samePacket(a: QuorumPacket, b: QuorumPacket): boolean {
  const sameData = a.data === null || b.data === null ? a.data === b.data : a.data.equals(b.data)
  return a.type === b.type && a.zxid === b.zxid && sameData && a.authinfo === null && b.authinfo === null
}

function dataOf(i: number): Buffer | null {
  if (i % 5 === 0) return null
  if (i % 5 === 1) return Buffer.alloc(0)
  if (i === 777) return Buffer.alloc(300_000, 7)
  return Buffer.from(`payload ${i}`)
}

describe('QuorumListener and connectToLeader', () => {
  it('carries packets both ways, in order, batched per turn', async () => {
    const leader = await startLeader()
    const learner = startLearner(leader.port)
    await eventually(() => learner.connected && leader.connections.length === 1)
    const toLearner = leader.connections[0]!
    const count = 2000
    for (let i = 0; i < count; i++) {
      learner.connection.send(packet(PacketType.ACK, BigInt(i), dataOf(i)))
      toLearner.send(packet(PacketType.PROPOSAL, BigInt(i), dataOf(i)))
    }
    const withAuth: QuorumPacket = { type: PacketType.REQUEST, zxid: -1n, data: Buffer.from('x'), authinfo: [{ scheme: 'digest', id: 'a:b' }] }
    learner.connection.send(withAuth)
    await eventually(() => (leader.packets.get(toLearner.id)?.length ?? 0) === count + 1 && learner.received.length === count)
    const atLeader = leader.packets.get(toLearner.id)!
    // Compared field by field: vitest's deep equality walks buffers byte by byte, which costs seconds here.
    const mismatches: string[] = []
    for (let i = 0; i < count; i++) {
      if (!samePacket(atLeader[i]!, packet(PacketType.ACK, BigInt(i), dataOf(i)))) mismatches.push(`to leader #${i}`)
      if (!samePacket(learner.received[i]!.packet, packet(PacketType.PROPOSAL, BigInt(i), dataOf(i)))) mismatches.push(`to learner #${i}`)
      if (learner.received[i]!.snapshot !== undefined) mismatches.push(`snapshot with #${i}`)
    }
    expect(mismatches).toEqual([])
    expect(atLeader[count]).toEqual(withAuth)
    expect(toLearner.pendingBytes).toBe(0)
  })

  it('streams a large SNAP body with backpressure and resumes packets after it', async () => {
    const snapshot = sampleSnapshot(2000, 4000) // about 8 MB, twice the high-water mark
    const body = encodeTestSnapshot(snapshot)
    const leader = await startLeader(async (connection) => {
      connection.send(packet(PacketType.LEADERINFO, 0x200000000n, Buffer.from([0, 1, 0, 0])))
      connection.send(packet(PacketType.SNAP, 0x100000bb8n))
      let waits = 0
      for (let offset = 0; offset < body.length; offset += 256 * 1024) {
        if (!connection.sendRaw(body.subarray(offset, offset + 256 * 1024))) {
          waits++
          await connection.whenDrained()
        }
      }
      connection.send(packet(PacketType.NEWLEADER, 0x200000000n, Buffer.from('server.1=...')))
      connection.send(packet(PacketType.UPTODATE, -1n))
      expect(waits).toBeGreaterThan(0)
    })
    const learner = startLearner(leader.port)
    await eventually(() => learner.received.length === 4, 20_000, 'the whole sync')
    expect(learner.received.map((r) => r.packet.type)).toEqual([PacketType.LEADERINFO, PacketType.SNAP, PacketType.NEWLEADER, PacketType.UPTODATE])
    expect(learner.received[1]!.packet.zxid).toBe(0x100000bb8n)
    const got = learner.received[1]!.snapshot!
    expect(got.sessions).toEqual(snapshot.sessions)
    expect(got.tree.acls).toEqual(snapshot.tree.acls)
    expect(got.tree.nodes.length).toBe(snapshot.tree.nodes.length)
    expect(got.tree.nodes[1500]!.path).toBe('/n/c1498')
    // Buffer.equals: a deep toEqual over 12 MB would take minutes.
    expect(encodeTestSnapshot(got).equals(body)).toBe(true)
    expect(learner.received[2]!.packet.data?.toString()).toBe('server.1=...')
    expect(learner.closes).toEqual([])

    // Back to packets: the same connection carries on both ways.
    learner.connection.send(packet(PacketType.ACK, 0x200000000n))
    await eventually(() => leader.packets.get(leader.connections[0]!.id)?.length === 1)
  })

  it('reads a SNAP section that arrives together with the packets around it, and an empty tree', async () => {
    const empty: TestSnapshot = { sessions: new Map(), tree: { acls: new Map(), nodes: [{ path: '', data: null, aclId: -1, stat: sampleSnapshot(0, 0).tree.nodes[0]!.stat }] } }
    const leader = await startLeader((connection) => {
      connection.sendRaw(Buffer.concat([
        encodePacket(packet(PacketType.SNAP, 5n)),
        encodeTestSnapshot(empty),
        encodePacket(packet(PacketType.NEWLEADER, 6n)),
        encodePacket(packet(PacketType.SNAP, 7n)),
        encodeTestSnapshot(sampleSnapshot(3, 30)),
        encodePacket(packet(PacketType.UPTODATE, 8n)),
      ]))
    })
    const learner = startLearner(leader.port)
    await eventually(() => learner.received.length === 4)
    expect(learner.received.map((r) => [r.packet.type, r.packet.zxid])).toEqual([
      [PacketType.SNAP, 5n],
      [PacketType.NEWLEADER, 6n],
      [PacketType.SNAP, 7n],
      [PacketType.UPTODATE, 8n],
    ])
    expect(learner.received[0]!.snapshot).toEqual(empty)
    expect(learner.received[2]!.snapshot!.tree.nodes.length).toBe(5)
  })

  it('finds the end of a snapshot fed one byte at a time', () => {
    const body = encodeTestSnapshot(sampleSnapshot(20, 40))
    const scanner = new SnapshotScanner()
    const early: number[] = []
    for (let i = 0; i < body.length - 1; i++) if (scanner.push(body.subarray(i, i + 1)) !== null) early.push(i)
    expect(early).toEqual([])
    expect(scanner.push(Buffer.concat([body.subarray(body.length - 1), Buffer.from('next')]))).toBe(1)
    expect(scanner.done).toBe(true)
    expect(scanner.bodyBytes).toBe(body.length - 14)
  })

  it('closes a learner that sends bytes that are not packets, and only that one', async () => {
    const leader = await startLeader()
    const good = startLearner(leader.port)
    await eventually(() => good.connected && leader.connections.length === 1)
    const bad = new RawPeer(leader.port)
    cleanups.push(async () => bad.destroy())
    await bad.connected
    await eventually(() => leader.connections.length === 2)
    const badId = leader.connections[1]!.id
    const garbage = Buffer.alloc(16)
    garbage.writeInt32BE(-7, 12) // data length -7
    bad.write(garbage)
    await eventually(() => bad.closed && leader.closes.has(badId))
    expect(leader.closes.get(badId)).toEqual([{ cause: 'error', reason: 'bad packet: packet data length -7 out of range', wasConnected: true }])
    expect(leader.log.has(/Closing learner connection .*packet data length -7 out of range/)).toBe(true)
    expect(leader.listener.connection(badId)).toBeUndefined()

    good.connection.send(packet(PacketType.PING, 1n))
    leader.connections[0]!.send(packet(PacketType.PING, 2n))
    await eventually(() => good.received.length === 1 && leader.packets.get(leader.connections[0]!.id)?.length === 1)
    expect(good.closes).toEqual([])
  })

  it('closes the learner side on a bad packet, a missing signature or a body its parser refuses', async () => {
    const fakeLeader = new RawServer()
    cleanups.push(() => fakeLeader.close())
    const port = await fakeLeader.listen()
    const snap = encodePacket(packet(PacketType.SNAP, 1n))
    const cases: { name: string; bytes: Buffer; reason: RegExp; parse?: (bytes: Buffer) => TestSnapshot }[] = [
      { name: 'bad packet', bytes: Buffer.alloc(24, 0xfe), reason: /^bad packet: packet data length -16843010 out of range/ },
      { name: 'missing signature', bytes: Buffer.concat([snap, encodeTestSnapshot(sampleSnapshot(2, 10), 'BenWasThere')]), reason: /^bad snapshot: Missing signature/ },
      { name: 'null path', bytes: Buffer.concat([snap, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])]), reason: /^bad snapshot: null node path/ },
      {
        name: 'parser refuses',
        bytes: Buffer.concat([snap, encodeTestSnapshot(sampleSnapshot(2, 10))]),
        reason: /^snapshot does not decode: no thanks/,
        parse: () => {
          throw new Error('no thanks')
        },
      },
    ]
    for (const [index, testCase] of cases.entries()) {
      const learner = startLearner(port, testCase.parse ? { parse: testCase.parse } : {})
      await eventually(() => learner.connected && fakeLeader.sockets.length === index + 1)
      fakeLeader.sockets[index]!.socket.write(testCase.bytes)
      await eventually(() => learner.closes.length === 1, 3000, testCase.name)
      expect(learner.closes[0]!.cause, testCase.name).toBe('error')
      expect(learner.closes[0]!.reason, testCase.name).toMatch(testCase.reason)
      expect(learner.received.filter((r) => r.packet.type === PacketType.SNAP), testCase.name).toEqual([])
      await eventually(() => fakeLeader.sockets[index]!.closed)
    }
  })

  it('closes promptly and once, from either side, and the listener closes everything', async () => {
    const leader = await startLeader()
    const first = startLearner(leader.port)
    const second = startLearner(leader.port)
    await eventually(() => first.connected && second.connected && leader.connections.length === 2)

    // The learner closes: it hears `local`, the leader `remote`.
    first.connection.send(packet(PacketType.PING, 1n))
    first.connection.close('bye')
    first.connection.close('again')
    expect(first.connection.send(packet(PacketType.PING, 2n))).toBe(false)
    await eventually(() => first.closes.length === 1 && leader.closes.size === 1)
    expect(first.closes).toEqual([{ cause: 'local', reason: 'bye', wasConnected: true }])
    const [closedId, closedAtLeader] = [...leader.closes][0]!
    expect(closedAtLeader).toEqual([{ cause: 'remote', reason: 'closed by the other side', wasConnected: true }])

    // The leader stops listening: the other learner hears `remote`, the leader `local`; the port is free again.
    const otherId = leader.connections.find((c) => c.id !== closedId)!.id
    await leader.listener.close()
    await leader.listener.close()
    await eventually(() => second.closes.length === 1 && leader.closes.has(otherId))
    expect(second.closes[0]!.cause).toBe('remote')
    expect(leader.closes.get(otherId)).toEqual([{ cause: 'local', reason: 'leader stopped listening', wasConnected: true }])
    const again = new QuorumListener({
      bindHost: LOOPBACK,
      bindPort: leader.port,
      log: new CapturingLogger(),
      onLearnerConnected: () => undefined,
      onPacket: () => undefined,
      onClose: () => undefined,
    })
    expect(await again.listen()).toBe(leader.port)
    await again.close()
    await sleep(20)
    expect(first.closes.length + second.closes.length).toBe(2)
  })

  it('reports a failed connect: refused, timed out, or abandoned', async () => {
    const refused = startLearner(await closedPort())
    await eventually(() => refused.closes.length === 1)
    expect(refused.closes[0]).toMatchObject({ cause: 'error', wasConnected: false })
    expect(refused.closes[0]!.reason).toMatch(/ECONNREFUSED/)
    expect(refused.log.has(/Cannot connect to leader at 127\.0\.0\.1:\d+: connect ECONNREFUSED/)).toBe(true)

    const hole = await blackHole(cleanups)
    const timedOut = startLearner(hole, { connectTimeoutMs: 300 })
    const abandoned = startLearner(hole)
    await sleep(100)
    abandoned.connection.close('gave up')
    await eventually(() => timedOut.closes.length === 1 && abandoned.closes.length === 1, 3000)
    expect(timedOut.closes[0]).toEqual({ cause: 'error', reason: 'connect timed out after 300 ms', wasConnected: false })
    expect(abandoned.closes[0]).toEqual({ cause: 'local', reason: 'gave up', wasConnected: false })
    expect(timedOut.connected || abandoned.connected).toBe(false)
  })

  it('holds no more than it was given when the other side does not read', async () => {
    const sink = new RawServer(false)
    cleanups.push(() => sink.close())
    const port = await sink.listen()
    const learner = startLearner(port)
    await eventually(() => learner.connected)
    const chunk = Buffer.alloc(1024 * 1024, 1)
    let accepted = 0
    while (learner.connection.sendRaw(chunk)) accepted++
    // The kernel took some; the rest waits in the socket, and the sender was told to stop at the high-water mark.
    expect(learner.connection.pendingBytes).toBeGreaterThanOrEqual(4 * 1024 * 1024 - chunk.length)
    expect(learner.connection.pendingBytes).toBeLessThanOrEqual((accepted + 1) * chunk.length)
    let drained = false
    void learner.connection.whenDrained().then(() => {
      drained = true
    })
    await sleep(50)
    expect(drained).toBe(false)
    sink.sockets[0]!.socket.resume()
    await eventually(() => drained, 5000, 'the drain')
    expect(learner.connection.pendingBytes).toBe(0)
  })
})
