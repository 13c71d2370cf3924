import type { ZabEvent } from '../node/quorum/zab-event'
import type { MemberKind } from './member-config'

/** A member process started (at cluster start or by startMember/restart). */
export interface MemberStartEvent {
  id: number
  kind: MemberKind
  pid: number | undefined
}

/** A member process ended. `expected` is false when nobody asked it to (a crash, a failed start, an outside kill). */
export interface MemberExitEvent {
  id: number
  kind: MemberKind
  code: number | null
  signal: NodeJS.Signals | null
  expected: boolean
}

/**
 * ZAB at work in one member: role changes, votes, elections, syncs, txn counts. ZooDesk members send them over their
 * IPC channel; Apache members' log lines are parsed (apache-zab-log.ts). `time` is the member's wall clock.
 */
export interface MemberZabEvent {
  id: number
  kind: MemberKind
  time: number
  event: ZabEvent
}

export interface ClusterEvents {
  'member-start': MemberStartEvent
  'member-exit': MemberExitEvent
  zab: MemberZabEvent
}

export type ClusterEventName = keyof ClusterEvents

/** A small typed event hub: `on` returns the function that unsubscribes. A throwing listener never breaks the cluster. */
export class ClusterEventHub {
  private readonly listeners: { [K in ClusterEventName]: Set<(event: ClusterEvents[K]) => void> } = {
    'member-start': new Set(),
    'member-exit': new Set(),
    zab: new Set(),
  }

  on<K extends ClusterEventName>(name: K, listener: (event: ClusterEvents[K]) => void): () => void {
    const set = this.listeners[name] as Set<(event: ClusterEvents[K]) => void>
    set.add(listener)
    return () => set.delete(listener)
  }

  emit<K extends ClusterEventName>(name: K, event: ClusterEvents[K]): void {
    for (const listener of [...(this.listeners[name] as Set<(event: ClusterEvents[K]) => void>)]) {
      try {
        listener(event)
      } catch {
        // a listener's bug is its own
      }
    }
  }
}
