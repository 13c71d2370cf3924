import { afterEach, describe, expect, it } from 'vitest'
import {
  OBSERVER_ID,
  PROTOCOL_VERSION_V1,
  encodeInitialMessage,
  frameElectionMessage,
  readInitialMessage,
} from '../../../engine/quorum/wire/initial-message'
import { ServerState, decodeNotification, encodeNotification } from '../../../engine/quorum/wire/notification'
import type { SocketAddress } from '../../../engine/node/net'
import {
  LOOPBACK,
  RawPeer,
  RawServer,
  type TestMember,
  blackHole,
  closedPort,
  eventually,
  sleep,
  startMember,
  startMembers,
  vote,
} from './support'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function track(...members: TestMember[]): void {
  for (const member of members) cleanups.push(() => member.transport.close())
}

function trackServer(server: RawServer): RawServer {
  cleanups.push(() => server.close())
  return server
}

function trackPeer(peer: RawPeer): RawPeer {
  cleanups.push(async () => peer.destroy())
  return peer
}

/** Splits what a raw socket read into the initial message and the election frames after it. */
function parseStream(bytes: Buffer): { sid: bigint; addresses: string[]; protocolVersion: bigint; frames: Buffer[] } {
  const read = readInitialMessage(bytes)
  if (read.kind !== 'message') throw new Error('no complete initial message')
  const frames: Buffer[] = []
  let offset = read.bytesUsed
  while (offset + 4 <= bytes.length) {
    const length = bytes.readInt32BE(offset)
    if (offset + 4 + length > bytes.length) break
    frames.push(bytes.subarray(offset + 4, offset + 4 + length))
    offset += 4 + length
  }
  return { ...read.message, frames }
}

describe('ElectionTransport', () => {
  it('exchanges notifications in both directions, keeping the connection the higher sid opened', async () => {
    const { members } = await startMembers([1, 2, 3])
    track(...members.values())
    for (const from of members.values()) {
      for (const to of members.keys()) {
        if (to !== from.id) from.transport.send(to, vote(from.id, { zxid: BigInt(from.id * 10 + to) }))
      }
    }
    for (const member of members.values()) {
      await eventually(() => new Set(member.received.map((r) => r.from)).size === 2, 5000, `member ${member.id} hears both others`)
    }
    for (const member of members.values()) {
      for (const { from, notification } of member.received) {
        expect(notification.leader).toBe(BigInt(from))
        expect(notification.state).toBe(ServerState.LOOKING)
        // The newest message from `from` to us carried zxid from*10+us; a re-send on reconnect repeats it.
        expect(notification.zxid).toBe(BigInt(from * 10 + member.id))
      }
    }
    const m1 = members.get(1)!.transport
    const m2 = members.get(2)!.transport
    const m3 = members.get(3)!.transport
    expect(m1.connectedPeers()).toEqual([2, 3])
    expect([m1.connectionInitiator(2), m2.connectionInitiator(1)]).toEqual(['them', 'us'])
    expect([m1.connectionInitiator(3), m3.connectionInitiator(1)]).toEqual(['them', 'us'])
    expect([m2.connectionInitiator(3), m3.connectionInitiator(2)]).toEqual(['them', 'us'])
    expect(members.get(1)!.log.has(/Have smaller server identifier, so dropping the connection: \(myId:1 --> sid:2\)/)).toBe(true)

    // Loopback: a message to ourselves comes back without a socket.
    m2.send(2, vote(2, { zxid: 77n }))
    await eventually(() => members.get(2)!.received.some((r) => r.from === 2 && r.notification.zxid === 77n))

    // A message over the 512 KiB frame limit is refused here rather than breaking the connection there.
    m2.send(1, vote(2, { zxid: 78n, config: Buffer.alloc(600_000) }))
    m2.send(1, vote(2, { zxid: 79n }))
    await eventually(() => members.get(1)!.received.some((r) => r.notification.zxid === 79n))
    expect(members.get(1)!.received.some((r) => r.notification.zxid === 78n)).toBe(false)
    expect(members.get(2)!.log.has(/not sending a 600044-byte notification to server 1/)).toBe(true)
    expect(m1.connectionInitiator(2)).toBe('them')
  })

  it('opens with the initial message and keeps its own connection only towards a lower sid', async () => {
    const lower = trackServer(new RawServer())
    const higher = trackServer(new RawServer())
    const peers = new Map<number, SocketAddress>([
      [1, { host: LOOPBACK, port: await lower.listen() }],
      [7, { host: LOOPBACK, port: await higher.listen() }],
    ])
    const me = await startMember(5, peers)
    track(me)
    const sent = vote(5, { zxid: 0x100000002n, electionEpoch: 3n, peerEpoch: 1n, config: Buffer.from('server.5=x\nversion=0') })

    me.transport.send(1, sent)
    await eventually(() => lower.sockets.length === 1 && lower.bytesOf(0).length > 20 + 4 + 44)
    const towardsLower = parseStream(lower.bytesOf(0))
    expect(towardsLower.protocolVersion).toBe(PROTOCOL_VERSION_V1)
    expect(towardsLower.sid).toBe(5n)
    expect(towardsLower.addresses).toEqual([`${LOOPBACK}:${me.port}`])
    expect(towardsLower.frames.map((frame) => Buffer.from(frame))).toEqual([encodeNotification(sent)])
    expect(decodeNotification(towardsLower.frames[0]!).config?.toString()).toBe('server.5=x\nversion=0')
    expect(me.transport.connectionInitiator(1)).toBe('us')

    me.transport.send(7, sent)
    await eventually(() => higher.sockets[0]?.closed === true, 3000, 'the connection to the higher sid to close')
    // Only the introduction: the higher sid will connect back and receive the message then.
    expect(higher.bytesOf(0)).toEqual(encodeInitialMessage(5, `${LOOPBACK}:${me.port}`))
    expect(me.transport.connectionInitiator(7)).toBeNull()
    expect(me.transport.pendingBytes(7)).toBe(4 + encodeNotification(sent).length)

    // The higher sid connects back: it gets the waiting message on that connection.
    const back = trackPeer(new RawPeer(me.port))
    await back.connected
    back.write(encodeInitialMessage(7, `${LOOPBACK}:${higher.port}`))
    await eventually(() => back.bytes.length >= 4 + 44)
    expect(back.bytes.subarray(4)).toEqual(encodeNotification(sent))
    expect(me.transport.connectionInitiator(7)).toBe('them')
    back.write(frameElectionMessage(encodeNotification(vote(7, { zxid: 9n }))))
    await eventually(() => me.received.some((r) => r.from === 7))
    expect(me.received.find((r) => r.from === 7)!.notification.zxid).toBe(9n)
  })

  it('closes a connection from a lower sid and connects back to the address it announced', async () => {
    const announced = trackServer(new RawServer())
    const announcedPort = await announced.listen()
    const me = await startMember(5, new Map())
    track(me)
    const lower = trackPeer(new RawPeer(me.port))
    await lower.connected
    lower.write(encodeInitialMessage(2, `${LOOPBACK}:${announcedPort}`))
    await eventually(() => lower.closed, 3000, 'the lower sid connection to close')
    await eventually(() => announced.bytesOf(0).length >= 20)
    const hello = parseStream(announced.bytesOf(0))
    expect(hello.sid).toBe(5n)
    expect(announced.sockets[0]!.closed).toBe(false)
    expect(me.transport.connectionInitiator(2)).toBe('us')
    // Server 2 is not in our configuration: as in Apache 3.8, its messages are still delivered.
    announced.sockets[0]!.socket.write(frameElectionMessage(encodeNotification(vote(2, { state: ServerState.FOLLOWING }))))
    await eventually(() => me.received.length === 1)
    expect(me.received[0]!.from).toBe(2)
    expect(me.received[0]!.notification.state).toBe(ServerState.FOLLOWING)
  })

  it('accepts a higher sid outside the configuration, and a second connection from it replaces the first', async () => {
    const me = await startMember(5, new Map())
    track(me)
    const first = trackPeer(new RawPeer(me.port))
    await first.connected
    first.write(Buffer.concat([encodeInitialMessage(9, `${LOOPBACK}:1`), frameElectionMessage(encodeNotification(vote(9, { zxid: 1n })))]))
    await eventually(() => me.received.length === 1)
    expect(me.received[0]!.from).toBe(9)
    me.transport.send(9, vote(5, { zxid: 11n }))
    await eventually(() => first.bytes.length >= 48)
    expect(decodeNotification(first.bytes.subarray(4)).zxid).toBe(11n)

    const second = trackPeer(new RawPeer(me.port))
    await second.connected
    second.write(encodeInitialMessage(9, `${LOOPBACK}:1`))
    await eventually(() => first.closed, 3000, 'the older connection to close')
    // The new connection starts with the last message sent (Apache's SendWorker re-sends lastMessageSent).
    await eventually(() => second.bytes.length >= 48)
    expect(decodeNotification(second.bytes.subarray(4)).zxid).toBe(11n)
    second.write(frameElectionMessage(encodeNotification(vote(9, { zxid: 2n }))))
    await eventually(() => me.received.length === 2)
    expect(me.received[1]!.notification.zxid).toBe(2n)
  })

  it('maps OBSERVER_ID to a fresh negative sid and connects back to it', async () => {
    const announced = trackServer(new RawServer())
    const announcedPort = await announced.listen()
    const me = await startMember(1, new Map())
    track(me)
    const observer = trackPeer(new RawPeer(me.port))
    await observer.connected
    const hello = Buffer.alloc(8)
    hello.writeBigInt64BE(PROTOCOL_VERSION_V1)
    const rest = encodeInitialMessage(0, `${LOOPBACK}:${announcedPort}`).subarray(8)
    rest.writeBigInt64BE(OBSERVER_ID, 0)
    observer.write(Buffer.concat([hello, rest]))
    await eventually(() => observer.closed && announced.sockets.length === 1)
    expect(me.log.has(/Setting arbitrary identifier to observer: -1/)).toBe(true)
    announced.sockets[0]!.socket.write(frameElectionMessage(encodeNotification(vote(3, { state: ServerState.OBSERVING }))))
    await eventually(() => me.received.length === 1)
    expect(me.received[0]!.from).toBe(-1)
  })

  it('drops only the offending connection on garbage, a wrong version, an unknown lower sid or our own sid', async () => {
    const { members } = await startMembers([5, 6])
    track(...members.values())
    const me = members.get(5)!
    const other = members.get(6)!
    const attempts: { name: string; bytes: Buffer; log: RegExp }[] = [
      { name: 'garbage', bytes: Buffer.alloc(32, 0xff), log: /Initial message parsing error!.*unrecognized protocol version -1/ },
      { name: 'wrong version', bytes: versioned(-65537n, 8, 'x:1'), log: /unrecognized protocol version -65537/ },
      { name: 'address length 0', bytes: versioned(PROTOCOL_VERSION_V1, 8, ''), log: /Unreasonable buffer length: 0/ },
      { name: 'address without port', bytes: versioned(PROTOCOL_VERSION_V1, 8, 'nohost'), log: /Badly formed address: nohost/ },
      { name: 'legacy sid-only from an unknown lower sid', bytes: longBytes(3n), log: /Invalid server id: 3/ },
      { name: 'our own sid', bytes: encodeInitialMessage(5, `${LOOPBACK}:1`), log: /connection request from a server with our own ID/ },
      {
        name: 'bad frame length',
        bytes: Buffer.concat([encodeInitialMessage(8, `${LOOPBACK}:1`), Buffer.from([0x7f, 0xff, 0xff, 0xff])]),
        log: /Connection broken for id 8, my id = 5: Received packet with invalid packet: 2147483647/,
      },
    ]
    for (const attempt of attempts) {
      const peer = trackPeer(new RawPeer(me.port))
      await peer.connected
      peer.write(attempt.bytes)
      await eventually(() => peer.closed, 3000, `${attempt.name}: connection closed`)
      expect(me.log.has(attempt.log), `${attempt.name}: ${me.log.lines.join('\n')}`).toBe(true)
    }

    // A malformed notification is skipped; the connection and the next message survive.
    const sloppy = trackPeer(new RawPeer(me.port))
    await sloppy.connected
    sloppy.write(Buffer.concat([
      encodeInitialMessage(10, `${LOOPBACK}:1`),
      frameElectionMessage(Buffer.alloc(10)),
      frameElectionMessage(encodeNotification(vote(10, { zxid: 5n }))),
    ]))
    await eventually(() => me.received.some((r) => r.from === 10))
    expect(me.log.has(/Skipping the processing of a partial \/ malformed response message sent by sid=10 \(message length: 10\)/)).toBe(true)
    expect(sloppy.closed).toBe(false)

    // Meanwhile the real peers are unaffected.
    me.transport.send(6, vote(5, { zxid: 56n }))
    other.transport.send(5, vote(6, { zxid: 65n }))
    await eventually(() => other.received.some((r) => r.notification.zxid === 56n) && me.received.some((r) => r.notification.zxid === 65n))
  })

  it('closes a connection that never introduces itself', async () => {
    const me = await startMember(5, new Map(), { handshakeTimeoutMs: 200 })
    track(me)
    const silent = trackPeer(new RawPeer(me.port))
    await silent.connected
    silent.write(Buffer.from([0xff, 0xff])) // part of a version, then nothing
    await eventually(() => silent.closed, 3000, 'the silent connection to close')
    expect(me.log.has(/no initial message within 200 ms/)).toBe(true)
  })

  it('does not let a down, unreachable or non-reading peer hold up the others', async () => {
    const silent = trackServer(new RawServer(false)) // accepts, never reads
    const peers = new Map<number, SocketAddress>([
      [1, { host: LOOPBACK, port: await silent.listen() }],
      [2, { host: LOOPBACK, port: await closedPort() }],
      // SYNs to it are dropped: only the connect timeout ends the attempt.
      [9, { host: LOOPBACK, port: await blackHole(cleanups) }],
    ])
    // A connect timeout well above the delivery bound below: the others must not wait for it.
    const { members } = await startMembers([3, 4], { connectTimeoutMs: 1500 }, peers)
    track(...members.values())
    const me = members.get(3)!
    const other = members.get(4)!
    const bulky = vote(3, { config: Buffer.alloc(200_000, 0x61) })

    me.transport.send(1, vote(3))
    await eventually(() => me.transport.connectionInitiator(1) === 'us', 2000, 'a connection to the silent peer')
    const began = performance.now()
    me.transport.send(9, vote(3))
    me.transport.send(2, vote(3))
    for (let i = 0; i < 60; i++) me.transport.send(1, { ...bulky, zxid: BigInt(i) })
    const sentAt = performance.now()
    me.transport.send(4, vote(3, { zxid: 34n }))
    await eventually(() => other.received.some((r) => r.notification.zxid === 34n), 2000, 'member 4 to hear from 3')
    expect(performance.now() - sentAt).toBeLessThan(1000)

    // 12 MB were offered to the peer that does not read: only the socket buffers and one waiting message are held.
    await sleep(100)
    expect(me.transport.pendingBytes(1)).toBeLessThan(2 * 1024 * 1024)
    expect(me.transport.connectionInitiator(1)).toBe('us')
    await eventually(() => me.log.has(/Cannot open channel to 2 at election address/), 2000, 'the refused connect to be logged')
    await eventually(() => me.log.has(/Cannot open channel to 9 at election address .*connect timed out after 1500 ms/), 4000, 'the unreachable peer to be given up')
    expect(performance.now() - began).toBeGreaterThanOrEqual(1490)
    me.transport.send(4, vote(3, { zxid: 35n }))
    await eventually(() => other.received.some((r) => r.notification.zxid === 35n))
  })

  it('keeps only the newest message for a peer that is down, and re-sends the last one on a new connection', async () => {
    const port2 = await closedPort()
    const peers = new Map<number, SocketAddress>([[2, { host: LOOPBACK, port: port2 }]])
    const one = await startMember(1, peers)
    track(one)
    for (const zxid of [1n, 2n, 3n]) {
      one.transport.send(2, vote(1, { zxid }))
      await sleep(20)
    }
    // One attempt per send, each refused before the next send.
    await eventually(() => one.log.lines.filter((line) => /Cannot open channel to 2/.test(line)).length >= 3)

    // Server 2 comes up and talks first: its connection to 1 (higher sid) survives and 1 sends what waits.
    const two = await startMember(2, peers, {}, port2)
    cleanups.push(() => two.transport.close())
    two.transport.send(1, vote(2))
    await eventually(() => two.received.length >= 1)
    await sleep(200)
    expect(two.received.map((r) => r.notification.zxid)).toEqual([3n])

    // Server 2 restarts: the new connection starts with 1's last message, without 1 sending anything.
    await two.transport.close()
    const again = await startMember(2, peers, {}, port2)
    cleanups.push(() => again.transport.close())
    again.transport.send(1, vote(2))
    await eventually(() => again.received.length >= 1)
    expect(again.received[0]!.from).toBe(1)
    expect(again.received[0]!.notification.zxid).toBe(3n)
  })

  it('closes idempotently, after which sends are ignored and the port is free', async () => {
    const { members } = await startMembers([1, 2])
    const one = members.get(1)!
    const two = members.get(2)!
    one.transport.send(2, vote(1))
    await eventually(() => two.received.length === 1)
    await Promise.all([one.transport.close(), one.transport.close()])
    await one.transport.close()
    one.transport.send(2, vote(1, { zxid: 4n }))
    await eventually(() => two.transport.connectedPeers().length === 0, 3000, 'member 2 to see the connection go')
    await sleep(50)
    expect(two.received.length).toBe(1)
    const reused = await startMember(1, new Map(), {}, one.port)
    await reused.transport.close()
    await two.transport.close()
  })
})

function longBytes(value: bigint): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(value)
  return bytes
}

/** An initial message with any version and address text. */
function versioned(version: bigint, sid: number, address: string): Buffer {
  const text = Buffer.from(address, 'utf8')
  const bytes = Buffer.alloc(20 + text.length)
  bytes.writeBigInt64BE(version, 0)
  bytes.writeBigInt64BE(BigInt(sid), 8)
  bytes.writeInt32BE(text.length, 16)
  text.copy(bytes, 20)
  return bytes
}
