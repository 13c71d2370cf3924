// The cluster → member "expire this session" IPC message: checked on receipt like the disk message.
import { describe, expect, it } from 'vitest'
import { parseClusterMessage } from '../../../engine/cluster/member-messages'
import { attachToCluster, type ParentChannel } from '../../../engine/cluster/member-link'

describe('expire-session message', () => {
  it('accepts a 0x session id and rejects anything else', () => {
    expect(parseClusterMessage({ type: 'expire-session', sessionId: '0x100000abc000001' })).toEqual({ type: 'expire-session', sessionId: '0x100000abc000001' })
    for (const sessionId of ['100', '0x', '0xZZ', '0x12345678901234567', 5, null]) expect(parseClusterMessage({ type: 'expire-session', sessionId })).toBeUndefined()
  })

  it('reaches the member’s hook as a bigint; disk messages still go to onDisk', () => {
    const listeners: ((message: unknown) => void)[] = []
    const channel: ParentChannel = {
      env: { ZOODESK_CLUSTER_PARENT: '1' },
      connected: true,
      send: () => true,
      on: (event: string, listener: (message: unknown) => void) => (event === 'message' ? listeners.push(listener) : undefined),
      removeListener: () => undefined,
    } as unknown as ParentChannel
    const expired: bigint[] = []
    const disks: string[] = []
    const attachment = attachToCluster({ onDisk: (message) => disks.push(message.mode), onExpireSession: (id) => expired.push(id), onParentGone: () => undefined }, channel)
    for (const listener of listeners) {
      listener({ type: 'expire-session', sessionId: '0xffffffffffffffff' })
      listener({ type: 'disk', mode: 'slow', delayMs: 5 })
      listener({ type: 'expire-session', sessionId: 'nope' })
    }
    expect(expired).toEqual([0xffffffffffffffffn])
    expect(disks).toEqual(['slow'])
    attachment?.detach()
  })
})
