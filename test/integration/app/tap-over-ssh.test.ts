// The observer tap of a connection that goes through an SSH tunnel (a real SSH server, ssh2's, forwarding TCP): the
// members are asked srvr through the tunnel's local ports, the leader is matched to its server.N line by the
// address the profile names, and its quorum port is reached through a forwarding port of the same tunnel. What the
// ensemble commits is what the tap streams; closing the connection (and its tunnel) detaches the tap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZooKeeperClient } from '../../../engine/client'
import type { ClusterView } from '../../../main/contract/model'
import { type AppHarness, eventually, startAppHarness } from './support/app-harness'
import { SSH_LOGIN, type TestSshServer, startSshServer } from './support/ssh-server'

const CREATES = 40

describe('observer tap through a connection’s SSH tunnel (3-member ZooDesk ensemble)', () => {
  let app: AppHarness
  let cluster: ClusterView
  let ssh: TestSshServer

  beforeAll(async () => {
    app = await startAppHarness()
    ssh = await startSshServer()
    cluster = await app.client.api.clusters.create({ name: 'tap-ssh', voters: 3, tickTimeMs: 500 })
  }, 180_000)

  afterAll(async () => {
    await app?.close()
    await ssh?.close()
  })

  it('streams every committed txn, reaching the leader’s quorum port through the tunnel', async () => {
    const api = app.client.api
    const profile = await api.connections.saveProfile({
      profile: { name: 'tunnelled', connectString: cluster.connectString, sessionTimeoutMs: 10_000, ssh: { host: '127.0.0.1', port: ssh.port, ...SSH_LOGIN } },
    })
    const tunnelled = await api.connections.open({ kind: 'profile', profileId: profile.id })
    const tap = await api.tap.attach({ connectionId: tunnelled.connectionId })
    const live = await eventually(
      () => app.events('tap.state').find((state) => state.tapId === tap.tapId && state.phase === 'live'),
      'the tap live',
      30_000,
    ).catch((error: Error) => {
      const last = app.events('tap.state').filter((state) => state.tapId === tap.tapId).at(-1)
      throw new Error(`${error.message}; last state ${JSON.stringify(last)}; forwarded ${ssh.destinations().join(' ')}`)
    })
    // The leader is named as the ensemble names it, and its quorum port went through the SSH server.
    expect(live.leaderQuorumAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(ssh.destinations()).toContain(live.leaderQuorumAddress)
    expect(cluster.members.map((member) => `127.0.0.1:${member.clientPort}`)).toContain(live.leaderClientAddress)

    const writer = await ZooKeeperClient.connect(cluster.connectString, { sessionTimeoutMs: 10_000 })
    try {
      await writer.create('/tap-ssh', null)
      for (let i = 0; i < CREATES; i++) await writer.create(`/tap-ssh/n${i}`, `v${i}`)
    } finally {
      await writer.close()
    }
    const streamed = (): string[] =>
      app
        .events('tap.txns')
        .filter((batch) => batch.tapId === tap.tapId)
        .flatMap((batch) => batch.txns.filter((txn) => txn.type === 'create').flatMap((txn) => txn.paths))
        .filter((path) => path.startsWith('/tap-ssh'))
    await eventually(() => (streamed().length >= CREATES + 1 ? true : undefined), `${CREATES + 1} creates streamed`, 20_000)
    expect(streamed()).toEqual(['/tap-ssh', ...Array.from({ length: CREATES }, (_, i) => `/tap-ssh/n${i}`)])

    await api.connections.close({ connectionId: tunnelled.connectionId })
    await eventually(() => app.events('tap.state').find((state) => state.tapId === tap.tapId && state.phase === 'stopped'), 'the tap detached with its tunnel')
    expect(await api.tap.list()).toEqual([])
  })
})
