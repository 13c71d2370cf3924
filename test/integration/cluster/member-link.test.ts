// The member side of a local cluster (attachToCluster), over a stand-in for process's IPC channel, and the layout
// and zoo.cfg the cluster writes.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { CLUSTER_PARENT_ENV, type DiskFaultMessage, attachToCluster, layoutSpan, planPorts } from '../../../engine/cluster'
import type { ParentChannel } from '../../../engine/cluster/member-link'
import { memberConfigEntries, renderZooCfg } from '../../../engine/cluster/member-config'

class FakeChannel extends EventEmitter {
  connected = true
  unrefs = 0
  readonly channel = { unref: () => void (this.unrefs += 1) }
  constructor(readonly env: Record<string, string | undefined>) {
    super()
  }
  send(): boolean {
    return true
  }
}

function attach(env: Record<string, string | undefined>) {
  const channel = new FakeChannel(env)
  const disks: DiskFaultMessage[] = []
  let gone = 0
  const attachment = attachToCluster({ onDisk: (message) => disks.push(message), onParentGone: () => (gone += 1) }, channel as unknown as ParentChannel)
  return { channel, disks, gone: () => gone, attachment }
}

describe('attachToCluster (member side)', () => {
  it('does nothing outside a cluster', () => {
    expect(attach({}).attachment).toBeNull()
    expect(attach({ [CLUSTER_PARENT_ENV]: '0' }).attachment).toBeNull()
  })

  it('passes valid disk messages on, ignores anything else, and never keeps the member alive by itself', () => {
    const { channel, disks, attachment } = attach({ [CLUSTER_PARENT_ENV]: '1' })
    expect(attachment).not.toBeNull()
    expect(channel.unrefs).toBe(1)
    channel.emit('message', { type: 'disk', mode: 'slow', delayMs: 20 })
    channel.emit('message', { type: 'disk', mode: 'melt', delayMs: 0 })
    channel.emit('message', { type: 'disk', mode: 'fail', delayMs: -1 })
    channel.emit('message', 'disk')
    channel.emit('message', null)
    channel.emit('message', { type: 'disk', mode: 'fail', delayMs: 0 })
    expect(disks).toEqual([
      { type: 'disk', mode: 'slow', delayMs: 20 },
      { type: 'disk', mode: 'fail', delayMs: 0 },
    ])
  })

  it('reports the parent gone when the channel closes, or at once if it already has; detach stops listening', () => {
    const live = attach({ [CLUSTER_PARENT_ENV]: '1' })
    live.channel.emit('disconnect')
    expect(live.gone()).toBe(1)

    const detached = attach({ [CLUSTER_PARENT_ENV]: '1' })
    detached.attachment?.detach()
    detached.channel.emit('disconnect')
    detached.channel.emit('message', { type: 'disk', mode: 'ok', delayMs: 0 })
    expect(detached.gone()).toBe(0)
    expect(detached.disks).toEqual([])

    const channel = new FakeChannel({ [CLUSTER_PARENT_ENV]: '1' })
    channel.connected = false
    let gone = 0
    expect(attachToCluster({ onDisk: () => {}, onParentGone: () => (gone += 1) }, channel as unknown as ParentChannel)).toBeNull()
    expect(gone).toBe(1)
  })
})

describe('cluster layout and member config', () => {
  it('gives every port one use, in a block of 2n(n+1) ports', () => {
    for (const members of [1, 2, 3, 5, 9]) {
      const layout = planPorts(30000, members)
      const ports = layout.all.map((entry) => entry.port)
      expect(new Set(ports).size).toBe(ports.length)
      expect(ports.length).toBe(layoutSpan(members))
      expect(Math.min(...ports)).toBe(30000)
      expect(Math.max(...ports)).toBe(30000 + layoutSpan(members) - 1)
    }
  })

  it("writes each member's own ports and its links to peers, observers marked, Apache-compatible keys", () => {
    const layout = planPorts(30000, 3)
    const members = [
      { id: 1, role: 'participant', kind: 'apache' },
      { id: 2, role: 'participant', kind: 'zoodesk' },
      { id: 3, role: 'observer', kind: 'zoodesk' },
    ] as const
    const settings = { tickTimeMs: 500, initLimitTicks: 10, syncLimitTicks: 5, extraConfig: { maxClientCnxns: 0, reconfigEnabled: null } }
    const text = renderZooCfg(members[2], memberConfigEntries(members[2], members, layout, settings, '/data/3'))
    expect(text).toBe(
      [
        '# Member 3 (observer, zoodesk) of a ZooDesk local cluster. Rewritten at every start.',
        'tickTime=500',
        'initLimit=10',
        'syncLimit=5',
        'dataDir=/data/3',
        'clientPort=30002',
        'clientPortAddress=127.0.0.1',
        '4lw.commands.whitelist=*',
        'admin.enableServer=true',
        'admin.serverAddress=127.0.0.1',
        'admin.serverPort=30005',
        'extendedTypesEnabled=true',
        'standaloneEnabled=false',
        'peerType=observer',
        // member 3 reaches 1 and 2 through links 3→1 (30020/30021) and 3→2 (30022/30023); its own line is real.
        'server.1=127.0.0.1:30020:30021;127.0.0.1:30000',
        'server.2=127.0.0.1:30022:30023;127.0.0.1:30001',
        'server.3=127.0.0.1:30008:30011:observer;127.0.0.1:30002',
        'maxClientCnxns=0',
        '',
      ].join('\n'),
    )
    // Without peer links, every member names its peers' real ports.
    const direct = memberConfigEntries(members[2], members, layout, { ...settings, peerLinks: false }, '/data/3')
    expect([direct.get('server.1'), direct.get('server.2')]).toEqual(['127.0.0.1:30006:30009;127.0.0.1:30000', '127.0.0.1:30007:30010;127.0.0.1:30001'])
  })
})
