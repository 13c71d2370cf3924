import { ZooKeeperServer } from '../server/zookeeper-server'
import type { TxnSink } from '../server/txn-sink'
import type { MemberConfig } from './config-types'
import { DiskFaults } from './disk-faults'
import { createLogger } from './log'
import { autoPurgerFor, openMemberStorage, storageFigures } from './member-storage'
import { isQuorumConfig, startQuorumMember } from './quorum/quorum-member'
import type { ZabTraceSource } from './quorum/zab-trace'

const log = createLogger('member')

/**
 * One running ensemble member (standalone or quorum), wired to real sockets and files: the composition root of
 * tree, storage, server and quorum. `zoodesk server` and the benchmark's local runs call this.
 */
export interface RunningMember {
  /** The client port actually bound (differs from config.clientPort when that is 0). */
  readonly clientPort: number
  /** The AdminServer's port, when it runs. */
  readonly adminPort?: number
  /** Stops serving, flushes and closes files; resolves when everything is released. */
  stop(): Promise<void>
  /** Injected disk faults (local clusters' slow or failing disks). */
  readonly disk: DiskFaults
  /** An ensemble member's elections, votes and txn counts as events (a local cluster's timeline shows them). */
  readonly zabTrace?: ZabTraceSource
  /** Expires a session as its timeout would; false when this member does not own sessions or does not know it. */
  expireSession?(sessionId: bigint): boolean
}

/**
 * Starts a member: standalone, or an ensemble member when the config has quorum peers (as Apache decides: more than
 * one server line, or any with standaloneEnabled=false). Rejects with the listener's error when the client port
 * cannot be bound (an Error with `code: 'EADDRINUSE'`; the CLI turns that into "port N is already in use").
 */
export async function startMember(config: MemberConfig): Promise<RunningMember> {
  if (isQuorumConfig(config)) return startQuorumMember(config)
  const { storage, restored } = await openMemberStorage(config, log)
  const tree = restored.tree
  // As Apache's loadData: "make a clean snapshot" at every start, so the next start replays nothing twice.
  await storage.takeSnapshot(tree, restored.sessions)

  const disk = new DiskFaults()
  const sink: TxnSink = {
    append: (txn) => void storage.append(txn),
    commit: async () => {
      await disk.beforeDurableStep('txn log commit')
      await storage.commit()
    },
  }
  const server = new ZooKeeperServer({
    config,
    tree,
    sink,
    restoredSessions: restored.sessions,
    storage: storageFigures(storage),
    onFatalError: (error) => {
      log.error(`fatal: ${(error as Error).stack ?? String(error)}`)
      process.exitCode = 1
      void server.close()
    },
  })
  storage.setSnapshotSource(() => ({ tree, sessions: server.core.sessions.sessionTimeouts() }))
  const purger = autoPurgerFor(config)

  let bound: { port: number; adminPort?: number }
  try {
    bound = await server.listen()
  } catch (error) {
    await server.close().catch(() => undefined)
    await storage.close().catch(() => undefined)
    throw error
  }
  purger?.start()

  let stopping: Promise<void> | undefined
  return {
    clientPort: bound.port,
    ...(bound.adminPort !== undefined ? { adminPort: bound.adminPort } : {}),
    disk,
    expireSession: (sessionId) => server.core.expireSession(sessionId),
    stop() {
      stopping ??= (async () => {
        purger?.stop()
        await server.close()
        await storage.close()
      })()
      return stopping
    },
  }
}
