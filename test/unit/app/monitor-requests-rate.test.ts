// The requests/s arithmetic of MemberPoller, against a scripted four-letter-word server on a real socket: the member
// counts our own words as packets (Apache does, before the whitelist check), a slow round leaves a gap that the next
// rate averages over, and a restart (counter down, or mntr's uptime shorter than the gap) starts counting over.
// Real servers are polled in test/integration/app/search-session-health.test.ts.
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { MemberPoller } from '../../../engine/monitor'

interface Scripted {
  port: number
  /** Client packets besides the 4lw (what the rate should show). */
  clientPackets: number
  uptimeMs: number
  /** Answers to hold back (never answered: the poller times out). */
  silent: boolean
  close(): Promise<void>
}

async function scriptedMember(): Promise<Scripted> {
  let received = 0
  const state: Omit<Scripted, 'port' | 'close'> = { clientPackets: 0, uptimeMs: 1_000_000, silent: false }
  const server: Server = createServer((socket) => {
    socket.once('data', (data) => {
      received++ // the word itself, as the server counts it
      if (state.silent) return
      const counter = received + state.clientPackets
      const word = data.toString('latin1', 0, 4)
      socket.end(
        word === 'srvr'
          ? `Zookeeper version: scripted\nReceived: ${counter}\nMode: standalone\nNode count: 5\n`
          : `zk_server_state\tstandalone\nzk_packets_received\t${counter}\nzk_uptime\t${state.uptimeMs}\n`,
      )
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => sockets.add(socket))
  return Object.assign(state, {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}

let member: Scripted | undefined
afterEach(async () => {
  await member?.close()
})

describe('MemberPoller requests/s', () => {
  it('leaves out its own words, averages over a slow round, and starts over after a restart', async () => {
    member = await scriptedMember()
    const poller = new MemberPoller({ host: '127.0.0.1', clientPort: member.port, adminPort: null }, 200)
    let clock = 0
    const at = (ms: number) => () => (clock = ms)
    expect((await poller.poll(at(1000))).requestsPerSecond).toBeNull()
    // No client traffic: our srvr and mntr are all the member counted.
    expect((await poller.poll(at(2000))).requestsPerSecond).toBe(0)
    member.clientPackets += 50
    expect((await poller.poll(at(3000))).requestsPerSecond).toBe(50)
    // A round with no answer: unknown; the next one spans both seconds.
    member.silent = true
    const slow = await poller.poll(at(4000))
    expect(slow.requestsPerSecond).toBeNull()
    member.silent = false
    member.clientPackets += 300
    expect((await poller.poll(at(5000))).requestsPerSecond).toBe(150)
    // Restarted between rounds (uptime shorter than the gap): counting starts over.
    member.uptimeMs = 500
    member.clientPackets += 10
    expect((await poller.poll(at(6000))).requestsPerSecond).toBeNull()
    member.uptimeMs = 1500
    member.clientPackets += 20
    expect((await poller.poll(at(7000))).requestsPerSecond).toBe(20)
    // The counter went down (srst, or a restart without mntr): null, then rates again.
    member.clientPackets -= 1000
    expect((await poller.poll(at(8000))).requestsPerSecond).toBeNull()
    expect((await poller.poll(at(9000))).requestsPerSecond).toBe(0)
    expect(clock).toBe(9000)
  })
})
