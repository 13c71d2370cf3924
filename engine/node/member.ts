import type { MemberConfig } from './config-types'

/**
 * One running ensemble member (standalone or quorum), wired to real sockets and files: the composition root of
 * tree, storage, server and quorum. `zoodesk server` and the benchmark's local runs call this.
 */
export interface RunningMember {
  /** The client port actually bound (differs from config.clientPort when that is 0). */
  readonly clientPort: number
  /** Stops serving, flushes and closes files; resolves when everything is released. */
  stop(): Promise<void>
}

/**
 * Starts a member. Rejects with the listener's error when the client port cannot be bound (an Error with
 * `code: 'EADDRINUSE'`, as Node reports it; the CLI turns that into "port N is already in use").
 */
export async function startMember(config: MemberConfig): Promise<RunningMember> {
  // TODO(lead): wire DataTree + txn log/snapshots + request pipeline + client listener (+ quorum) here.
  void config
  throw new Error('startMember is not yet wired')
}
