import type { ZabTraceSource } from '../node/quorum/zab-trace'
import { type DiskFaultMessage, type MemberToClusterMessage, parseClusterMessage } from './member-messages'

/**
 * The member side of a local cluster: `zoodesk server` calls `attachToCluster` at start. A ZooDesk member started
 * by a cluster has this variable set to `1` and an IPC channel to the cluster process.
 */
export const CLUSTER_PARENT_ENV = 'ZOODESK_CLUSTER_PARENT'

export interface ClusterMemberHooks {
  /** Apply a disk fault to the member's storage (the cluster sends one at each start too, when set). */
  onDisk(message: DiskFaultMessage): void
  /** Expire this session as its timeout would, when this member owns sessions (the leader); ignored otherwise. */
  onExpireSession?: (sessionId: bigint) => void
  /**
   * The cluster process is gone (it exited, crashed or was SIGKILLed). Default: exit at once with code 1, without
   * a graceful stop: no one is left to wait for it, and a member must never outlive its cluster.
   */
  onParentGone?: () => void
}

/** The parts of `process` we use; injectable for tests. */
export interface ParentChannel {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly connected?: boolean
  send?: unknown
  channel?: { unref(): void } | null
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'disconnect', listener: () => void): unknown
  removeListener(event: 'message' | 'disconnect', listener: (...args: never[]) => void): unknown
}

export interface ClusterAttachment {
  detach(): void
  /** Sends a message to the cluster; dropped quietly when the channel has closed (the member is exiting then). */
  send(message: MemberToClusterMessage): void
  /** Forwards a member's ZAB trace (its elections, votes and txn counts) to the cluster, for its timeline. */
  reportZabTrace(source: ZabTraceSource | undefined): void
}

type SendFunction = (message: unknown, callback: (error: Error | null) => void) => boolean

/**
 * Wires a member to the cluster that started it: disk-fault messages go to `hooks.onDisk`, and the member exits
 * when the IPC channel closes, which the OS does when the parent dies by any means. Returns null (and does
 * nothing) when this process was not started by a cluster.
 */
export function attachToCluster(hooks: ClusterMemberHooks, channel: ParentChannel = process as unknown as ParentChannel): ClusterAttachment | null {
  if (channel.env[CLUSTER_PARENT_ENV] !== '1' || typeof channel.send !== 'function') return null
  const parentGone = hooks.onParentGone ?? (() => process.exit(1))
  if (channel.connected === false) {
    parentGone()
    return null
  }
  const onMessage = (value: unknown) => {
    const message = parseClusterMessage(value)
    if (message?.type === 'disk') hooks.onDisk(message)
    else if (message?.type === 'expire-session') hooks.onExpireSession?.(BigInt(message.sessionId))
  }
  channel.on('message', onMessage)
  channel.on('disconnect', parentGone)
  // The channel alone must not keep a stopped member alive.
  channel.channel?.unref()
  const sendFunction = channel.send as SendFunction
  let stopTrace: (() => void) | undefined
  const send = (message: MemberToClusterMessage): void => {
    if (channel.connected === false) return
    try {
      // The callback keeps a failed send (channel closing) from becoming an 'error' event.
      sendFunction.call(channel, message, () => undefined)
    } catch {
      // closed between the check and the send
    }
  }
  return {
    detach() {
      stopTrace?.()
      channel.removeListener('message', onMessage)
      channel.removeListener('disconnect', parentGone)
    },
    send,
    reportZabTrace(source) {
      stopTrace?.()
      stopTrace = source?.subscribe((time, event) => send({ type: 'zab', time, event }))
    },
  }
}
