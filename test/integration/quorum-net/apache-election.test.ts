import { afterAll, describe, expect, it } from 'vitest'
import { ElectionTransport } from '../../../engine/node/net'
import { ServerState } from '../../../engine/quorum/wire/notification'
import { type ApacheMember, apacheLog, membershipText, modeOf, serverLines, startApacheMembers, stopApacheMembers } from './apache-members'
import { CapturingLogger, LOOPBACK, type Received, eventually, sleep, vote } from './support'

let members: ApacheMember[] = []
let transport: ElectionTransport | undefined
afterAll(async () => {
  await transport?.close()
  await stopApacheMembers(members)
})

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

describe('ElectionTransport with Apache ZooKeeper 3.8.0 members', () => {
  // Apache holds sids 1 and 3, we hold 2: towards 1 our connection survives, towards 3 theirs does.
  it('exchanges notifications with both, whoever opens the connection', { timeout: 120_000 }, async () => {
    const servers = await serverLines([1, 2, 3])
    const [one, us, three] = servers as [(typeof servers)[0], (typeof servers)[0], (typeof servers)[0]]
    const received: Received[] = []
    const log = new CapturingLogger('election-2')
    transport = new ElectionTransport({
      myId: 2,
      bindHost: LOOPBACK,
      bindPort: us.electionPort,
      peers: new Map([
        [1, { host: LOOPBACK, port: one.electionPort }],
        [3, { host: LOOPBACK, port: three.electionPort }],
      ]),
      log,
      onNotification: (from, notification) => received.push({ from, notification }),
    })
    await transport.listen()
    members = await startApacheMembers([1, 3], servers)

    // During their election both send us their LOOKING votes: 1 connects, we close it and connect back; 3 connects
    // and its connection stays.
    await eventually(() => [1, 3].every((sid) => received.some((r) => r.from === sid)), 60_000, 'votes from both Apache members')
    const early = received.filter((r) => r.notification.state === ServerState.LOOKING)
    expect(early.length).toBeGreaterThan(0)
    for (const { notification } of early) {
      expect(notification.version).toBe(2)
      expect(notification.config?.toString()).toContain(`server.2=${LOOPBACK}:${us.quorumPort}:${us.electionPort}:participant`)
    }

    // Two of three are a quorum: they elect 3 without us.
    const [apache1, apache3] = members as [ApacheMember, ApacheMember]
    await until(async () => (await modeOf(apache1)) === 'follower' && (await modeOf(apache3)) === 'leader', 60_000, 'an Apache leader')

    // Our LOOKING vote is answered with the vote they settled on, in their new states.
    const before = received.length
    const ours = vote(2, { config: Buffer.from(membershipText(servers)) })
    transport.send(1, ours)
    transport.send(3, ours)
    const answer = (sid: number, state: ServerState) =>
      received.slice(before).find((r) => r.from === sid && r.notification.state === state)?.notification
    await eventually(() => answer(1, ServerState.FOLLOWING) !== undefined && answer(3, ServerState.LEADING) !== undefined, 20_000, 'answers to our vote')
    for (const settled of [answer(1, ServerState.FOLLOWING)!, answer(3, ServerState.LEADING)!]) {
      expect(settled.leader).toBe(3n)
    }
    expect(transport.connectionInitiator(1)).toBe('us')
    expect(transport.connectionInitiator(3)).toBe('them')
    for (const member of members) {
      expect(apacheLog(member)).toMatch(/Notification: my state:(FOLLOWING|LEADING); n\.sid:2, n\.state:LOOKING, n\.leader:2/)
    }
  })
})
