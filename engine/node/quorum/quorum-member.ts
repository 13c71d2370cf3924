import { rm } from 'node:fs/promises'
import type { Proposal } from '../../quorum/wire/proposal-data'
import { proposalOf } from '../../quorum/wire/proposal-data'
import { QuorumPeer } from '../../quorum/peer/quorum-peer'
import { DEFAULT_COMMIT_LOG_COUNT } from '../../quorum/zab/committed-log'
import type { ServerState } from '../../quorum/wire/notification'
import { ZooKeeperServer, systemClock } from '../../server/zookeeper-server'
import { DataTree } from '../../tree/data-tree'
import { loadEpochs, writeEpochFile } from '../../txn/epoch-files'
import { encodeSnapshot, listSnapshotFiles, writeSnapshotBytes } from '../../txn/snapshot'
import { dataTreeCodec } from '../../txn/tree-codec'
import type { LogEntry } from '../../txn/txn-log-reader'
import type { MemberConfig } from '../config-types'
import { DiskFaults } from '../disk-faults'
import { createLogger } from '../log'
import type { RunningMember } from '../member'
import { autoPurgerFor, openMemberStorage, storageFigures } from '../member-storage'
import { backupStaticConfig, writeActivatedConfig } from './config-files'
import { createQuorumNetwork } from './quorum-network'
import { PersistExecutor } from './persist-executor'
import { peerOptionsFor } from './peer-options'
import { serversOf } from './membership-servers'
import { QuorumHost, type QuorumStorage } from './quorum-host'

export { isQuorumConfig } from './peer-options'

const log = createLogger('quorum')

/** A running ensemble member: the standalone member's duties plus its role in the ensemble. */
export interface RunningQuorumMember extends RunningMember {
  readonly host: QuorumHost
  readonly disk: DiskFaults
}

export interface QuorumMemberHooks {
  onStateChanged?: (state: ServerState, leader: number | null) => void
  /** The member halted (its disk failed); it has stopped serving and is shutting down. */
  onHalt?: (reason: string) => void
}

/**
 * Starts one ensemble member (Apache's QuorumPeerMain in quorum mode): restores the database and epochs, binds the
 * client port (four-letter words answer at once; clients are served once the member leads or has synced), the
 * quorum and election ports, and starts electing.
 */
export async function startQuorumMember(config: MemberConfig, hooks: QuorumMemberHooks = {}): Promise<RunningQuorumMember> {
  const peerOptions = peerOptionsFor(config)
  const keep = Math.max(DEFAULT_COMMIT_LOG_COUNT, peerOptions.commitLogCount ?? 0)
  const recent: LogEntry[] = []
  const { storage, restored, treeOptions } = await openMemberStorage(config, log, (entry) => {
    recent.push(entry)
    if (recent.length > keep * 2) recent.splice(0, recent.length - keep)
  })
  const lastLoggedZxid = restored.lastProcessedZxid < 0n ? 0n : restored.lastProcessedZxid
  // Apache's initConfigInZKDatabase: /zookeeper/config holds the active configuration, at start, after a leader's
  // snapshot and at every activation. With reconfigEnabled, the first established leader gives the static
  // configuration the version epoch << 32 (ZOOKEEPER-1783) and every member adopts it; without, it stays 0.
  let configVersion = peerOptions.configVersion ?? 0n
  let configText = `${peerOptions.membershipText}version=${BigInt.asUintN(64, configVersion).toString(16)}`
  // Files are written at each activation (Apache writes them inside setQuorumVerifier); a failure is logged, as there.
  const configPath = config.reconfigEnabled ? config.configPath : undefined
  if (configPath !== undefined && config.dynamicConfigFile === undefined) {
    await backupStaticConfig(configPath).catch((error: unknown) => log.warn(`backing up ${configPath}: ${String(error)}`))
  }
  const initConfigNode = (tree: DataTree): void => tree.initConfigNode(Buffer.from(configText, 'utf8'), configVersion, Date.now())
  initConfigNode(restored.tree)
  const epochs = await loadEpochs(storage.snapDir, lastLoggedZxid, { raiseToLoggedEpoch: true })
  await storage.takeSnapshot(restored.tree, restored.sessions)
  const recentProposals: Proposal[] = recent.slice(-keep).map((entry) => proposalOf(entry, entry.digest))
  log.info(`myid ${config.myId}: epochs current ${epochs.currentEpoch} accepted ${epochs.acceptedEpoch}, last zxid 0x${lastLoggedZxid.toString(16)}`)

  const disk = new DiskFaults()
  const codec = dataTreeCodec(treeOptions)
  let stop: () => Promise<void> = async () => undefined
  const server = new ZooKeeperServer({
    config,
    tree: restored.tree,
    // An ensemble member logs through its quorum machines (persist effects), never through the sink.
    sink: { append: () => undefined, commit: () => Promise.resolve() },
    quorum: true,
    restoredSessions: restored.sessions,
    storage: storageFigures(storage),
    onFatalError: (error) => {
      log.error(`fatal: ${(error as Error).stack ?? String(error)}`)
      process.exitCode = 1
      void stop()
    },
  })
  const core = server.core
  storage.setSnapshotSource(() => ({ tree: core.tree as DataTree, sessions: core.sessions.sessionTimeouts() }))

  const quorumStorage: QuorumStorage = {
    writeEpoch: async (name, epoch) => {
      await disk.beforeDurableStep(`writing ${name}`)
      await writeEpochFile(storage.snapDir, name, epoch)
    },
    truncate: async (zxid) => {
      await disk.beforeDurableStep('truncating the log')
      await storage.snapshotIdle()
      await storage.truncateLog(zxid, 'dropLater')
      for (const file of await listSnapshotFiles(storage.snapDir)) {
        if (file.zxid > zxid) await rm(file.path, { force: true })
      }
    },
    reload: async () => {
      const reloaded = await storage.restore(
        () => new DataTree(treeOptions),
        (tree, entry) => void tree.processTxn(entry.header, entry.body, entry.digest),
      )
      initConfigNode(reloaded.tree)
      return { tree: reloaded.tree, sessions: reloaded.sessions }
    },
    writeSnapshot: async (zxid, bytes) => {
      await disk.beforeDurableStep('writing the leader snapshot')
      await writeSnapshotBytes(storage.snapDir, zxid, bytes)
      // Whatever the log holds past the snapshot is a history the leader did not keep.
      await storage.truncateLog(zxid, 'dropLater')
    },
    adoptSnapshot: (content) => initConfigNode(content.tree),
    encodeSnapshot: (content) => encodeSnapshot({ tree: content.tree, sessions: content.sessions }, codec),
  }

  let host!: QuorumHost
  const persist = new PersistExecutor(
    {
      append: (txn, digest) => void storage.append(txn, digest),
      commit: async () => {
        await disk.beforeDurableStep('txn log commit')
        await storage.commit()
      },
    },
    {
      persisted: (ticket) => host.input({ kind: 'persisted', ticket }),
      failed: (ticket, reason) => host.input({ kind: 'persistFailed', ticket, reason }),
    },
  )
  const peer = new QuorumPeer(peerOptions, {
    currentEpoch: epochs.currentEpoch,
    acceptedEpoch: epochs.acceptedEpoch,
    lastLoggedZxid,
    recentProposals,
  })
  host = new QuorumHost({
    peer,
    core,
    persist,
    storage: quorumStorage,
    nowMs: systemClock.nowMs,
    log: (level, message) => log[level](message),
    onHalt: (reason) => {
      log.error(`halting: ${reason}`)
      process.exitCode = 1
      hooks.onHalt?.(reason)
      void stop()
    },
    ...(hooks.onStateChanged ? { onStateChanged: hooks.onStateChanged } : {}),
    onConfigActivated: (text, version) => {
      if (configPath !== undefined && version !== configVersion) {
        try {
          writeActivatedConfig(configPath, text, version, config.myId)
        } catch (error) {
          log.error(`writing the dynamic config file: ${String(error)}`)
        }
      }
      configText = text
      configVersion = version
      network.useAddresses(serversOf(text))
      core.ensembleConfigVersion = version
      initConfigNode(core.tree as DataTree)
    },
  })
  const network = createQuorumNetwork(config, (input) => host.input(input), treeOptions, log)
  host.attachNetwork(network.network)

  const purger = autoPurgerFor(config)
  let bound: { port: number; adminPort?: number }
  try {
    bound = await server.listen()
    await network.listen()
  } catch (error) {
    await network.network.close().catch(() => undefined)
    await server.close().catch(() => undefined)
    await storage.close().catch(() => undefined)
    throw error
  }
  purger?.start()
  host.input({ kind: 'start' })

  let stopping: Promise<void> | undefined
  stop = () => {
    stopping ??= (async () => {
      purger?.stop()
      host.shutdown()
      await network.network.close()
      await server.close()
      await persist.idle()
      await storage.close()
    })()
    return stopping
  }
  return {
    clientPort: bound.port,
    ...(bound.adminPort !== undefined ? { adminPort: bound.adminPort } : {}),
    host,
    disk,
    zabTrace: host.zabTrace,
    expireSession: (sessionId) => core.expireSession(sessionId),
    stop,
  }
}
