// The cluster's peer links on real sockets, with echo servers standing in for members: relaying, symmetric and
// one-way partitions, blackholes, heal, and the rewrite of the election port's initial message.
import { type Server, type Socket, createConnection, createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { PeerMesh } from '../../../engine/cluster/peer-mesh'
import { planFreePorts } from '../../../engine/cluster/port-check'
import { type PortLayout, linkPort } from '../../../engine/cluster/port-layout'
import { encodeInitialMessage, readInitialMessage } from '../../../engine/quorum/wire/initial-message'

const HOST = '127.0.0.1'

interface Target {
  server: Server
  /** Every byte each accepted connection received, by connection order. */
  received: Buffer[]
}

/** A stand-in member port: echoes what it gets and records it. */
function echoServer(port: number): Promise<Target> {
  const target: Target = { server: createServer(), received: [] }
  target.server.on('connection', (socket) => {
    const index = target.received.push(Buffer.alloc(0)) - 1
    socket.on('data', (chunk: Buffer) => {
      target.received[index] = Buffer.concat([target.received[index] ?? Buffer.alloc(0), chunk])
      socket.write(chunk)
    })
    socket.on('error', () => {})
  })
  return new Promise((resolve, reject) => {
    target.server.once('error', reject)
    target.server.listen(port, HOST, () => resolve(target))
  })
}

interface Dialled {
  socket: Socket
  received: () => Buffer
  /** Resolves when the socket closes, true if by error (a reset). */
  closed: Promise<boolean>
}

function dial(port: number): Promise<Dialled> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0)
    const socket = createConnection({ host: HOST, port })
    const closed = new Promise<boolean>((resolveClosed) => socket.once('close', (hadError) => resolveClosed(hadError)))
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.removeListener('error', reject)
      socket.on('error', () => {})
      resolve({ socket, received: () => received, closed })
    })
  })
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether a fresh connection through `port` carries an echo within a short time. */
async function echoes(port: number): Promise<boolean> {
  let dialled: Dialled
  try {
    dialled = await dial(port)
  } catch {
    return false
  }
  dialled.socket.write('ping')
  const answered = await Promise.race([
    waitFor('echo', () => dialled.received().toString() === 'ping', 1000).then(() => true),
    dialled.closed.then(() => false),
  ]).catch(() => false)
  dialled.socket.destroy()
  return answered
}

let mesh: PeerMesh | undefined
let targets: Target[] = []

afterEach(async () => {
  await mesh?.close()
  mesh = undefined
  await Promise.all(targets.map((target) => new Promise((resolve) => target.server.close(resolve))))
  targets = []
})

/** Two members' quorum and election ports served by echo servers, and the mesh of links between them. */
async function twoMembers(): Promise<{ layout: PortLayout; mesh: PeerMesh; targets: Target[] }> {
  const layout = await planFreePorts(2)
  targets = await Promise.all(layout.members.flatMap((member) => [echoServer(member.quorumPort), echoServer(member.electionPort)]))
  mesh = new PeerMesh(layout)
  await mesh.start()
  return { layout, mesh, targets }
}

describe('peer links', () => {
  it('relay both ways, are cut by a symmetric partition (reset and refused) and come back on heal', async () => {
    const { layout, mesh } = await twoMembers()
    const oneToTwo = linkPort(layout.basePort, 2, 1, 2, 'quorum')
    const twoToOne = linkPort(layout.basePort, 2, 2, 1, 'quorum')
    expect(await echoes(oneToTwo)).toBe(true)
    expect(await echoes(twoToOne)).toBe(true)

    const open = await dial(oneToTwo)
    open.socket.write('before')
    await waitFor('echo before the partition', () => open.received().toString() === 'before')
    mesh.partition([1], [2])
    expect(await open.closed).toBe(true) // reset, not a clean close
    expect(mesh.partitions()).toEqual(
      expect.arrayContaining([
        { from: 1, to: 2, symmetric: true },
        { from: 2, to: 1, symmetric: true },
      ]),
    )
    expect(await echoes(oneToTwo)).toBe(false)
    expect(await echoes(twoToOne)).toBe(false)
    expect(await echoes(linkPort(layout.basePort, 2, 1, 2, 'election'))).toBe(false)

    mesh.heal()
    expect(mesh.partitions()).toEqual([])
    expect(await echoes(oneToTwo)).toBe(true)
    expect(await echoes(twoToOne)).toBe(true)
  })

  it('one-way: bytes from the first group vanish, the other direction flows, and torn connections reset on heal', async () => {
    const { layout, mesh, targets } = await twoMembers()
    const quorumOfTwo = targets[2] as Target // member 2's quorum port
    const quorumOfOne = targets[0] as Target
    const oneToTwo = await dial(linkPort(layout.basePort, 2, 1, 2, 'quorum'))
    const twoToOne = await dial(linkPort(layout.basePort, 2, 2, 1, 'quorum'))
    await waitFor('both relays connected', () => quorumOfTwo.received.length === 1 && quorumOfOne.received.length === 1)

    mesh.partition([1], [2], { oneWay: true })
    expect(mesh.partitions()).toEqual([{ from: 1, to: 2, symmetric: false }])
    // 1 dials 2: what 1 sends is lost, so nothing reaches 2 and nothing echoes.
    oneToTwo.socket.write('lost')
    // 2 dials 1: what 2 sends arrives at 1, and 1's echo (1 → 2) is lost.
    twoToOne.socket.write('arrives')
    await waitFor('2 → 1 bytes delivered', () => quorumOfOne.received[0]?.toString() === 'arrives')
    await pause(200)
    expect(quorumOfTwo.received[0]?.length).toBe(0)
    expect(oneToTwo.received().length).toBe(0)
    expect(twoToOne.received().length).toBe(0)

    mesh.heal()
    // Both connections lost bytes: their streams are torn, so the heal resets them.
    expect(await oneToTwo.closed).toBe(true)
    expect(await twoToOne.closed).toBe(true)
    expect(await echoes(linkPort(layout.basePort, 2, 1, 2, 'quorum'))).toBe(true)
    expect(await echoes(linkPort(layout.basePort, 2, 2, 1, 'quorum'))).toBe(true)
  })

  it('blackhole: connections across the cut are accepted and never answered, then reset on heal', async () => {
    const { layout, mesh, targets } = await twoMembers()
    mesh.partition([1], [2], { blackhole: true })
    const held = await dial(linkPort(layout.basePort, 2, 1, 2, 'quorum'))
    held.socket.write('nobody hears this')
    await pause(200)
    expect(held.received().length).toBe(0)
    expect(targets[2]?.received).toEqual([])
    mesh.heal()
    expect(await held.closed).toBe(true)
    expect(await echoes(linkPort(layout.basePort, 2, 1, 2, 'quorum'))).toBe(true)
  })

  it('holds a quorum dial while the target is not listening yet, and resets it once the retry window is over', async () => {
    const layout = await planFreePorts(2)
    mesh = new PeerMesh(layout, { quorumConnectRetryMs: 1500 })
    await mesh.start()
    const quorumOfTwo = layout.members[1]?.quorumPort as number
    // Nobody listens on member 2's ports: an election dial is reset at once (the member is down)…
    const election = await dial(linkPort(layout.basePort, 2, 1, 2, 'election'))
    expect(await election.closed).toBe(true)
    // …a quorum dial waits for the leader to open its quorum port, keeping what the learner sent meanwhile.
    const learner = await dial(linkPort(layout.basePort, 2, 1, 2, 'quorum'))
    learner.socket.write('FOLLOWERINFO')
    await pause(300)
    targets.push(await echoServer(quorumOfTwo))
    await waitFor('held bytes delivered once the target listens', () => learner.received().toString() === 'FOLLOWERINFO')
    learner.socket.destroy()
    // With no target at all, the dial is reset after the window.
    await new Promise((resolve) => targets.pop()?.server.close(resolve))
    const began = Date.now()
    const orphan = await dial(linkPort(layout.basePort, 2, 1, 2, 'quorum'))
    expect(await orphan.closed).toBe(true)
    expect(Date.now() - began).toBeGreaterThanOrEqual(1400)
  })

  it("rewrites the dialler's election address to the reverse link, leaving the rest of the stream intact", async () => {
    const { layout, targets } = await twoMembers()
    const electionOfTwo = targets[3] as Target
    const ownElectionAddress = `${HOST}:${layout.members[0]?.electionPort}`
    const dialler = await dial(linkPort(layout.basePort, 2, 1, 2, 'election'))
    const initial = encodeInitialMessage(1, ownElectionAddress)
    const frame = Buffer.from([0, 0, 0, 3, 7, 8, 9])
    // Split across writes, as TCP may deliver it.
    dialler.socket.write(initial.subarray(0, 11))
    await pause(20)
    dialler.socket.write(Buffer.concat([initial.subarray(11), frame]))
    await waitFor('initial message and frame at member 2', () => {
      const got = electionOfTwo.received[0]
      if (got === undefined) return false
      const read = readInitialMessage(got)
      return read.kind === 'message' && got.length === read.bytesUsed + frame.length
    })
    const got = electionOfTwo.received[0] as Buffer
    const read = readInitialMessage(got)
    if (read.kind !== 'message') throw new Error('incomplete')
    expect(read.message.sid).toBe(1n)
    expect(read.message.addresses).toEqual([`${HOST}:${linkPort(layout.basePort, 2, 2, 1, 'election')}`])
    expect(got.subarray(read.bytesUsed)).toEqual(frame)
    dialler.socket.destroy()
  })
})
