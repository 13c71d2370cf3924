import { MajorityQuorum } from '../../quorum/quorum-verifier'
import type { QuorumPeerOptions } from '../../quorum/peer/quorum-peer'
import type { MemberConfig, QuorumServerSpec } from '../config-types'

/** Apache runs an ensemble member (QuorumPeer) when more than one server is configured, or any with standaloneEnabled=false. */
export function isQuorumConfig(config: MemberConfig): boolean {
  return config.servers.length > 1 || (config.servers.length === 1 && !config.standaloneEnabled)
}

/** `QuorumServer.toString()`: the line as the membership text of notifications and NEWLEADER carries it. */
export function membershipLine(server: QuorumServerSpec): string {
  let line = `server.${server.id}=${hostString(server.host)}:${server.quorumPort}:${server.electionPort}:${server.role}`
  if (server.clientPort !== undefined) line += `;${hostString(server.clientHost ?? '0.0.0.0')}:${server.clientPort}`
  return `${line}\n`
}

function hostString(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/** The machines' settings from zoo.cfg: the membership, tick time and limits, and our id. */
export function peerOptionsFor(config: MemberConfig): QuorumPeerOptions {
  const voters = config.servers.filter((server) => server.role === 'participant').map((server) => server.id)
  const observers = config.servers.filter((server) => server.role === 'observer').map((server) => server.id)
  const connectLimit = Number(config.extraProperties['connectToLearnerMasterLimit'] ?? config.initLimitTicks)
  return {
    myId: config.myId,
    quorum: new MajorityQuorum(voters, observers),
    timing: {
      tickTimeMs: config.tickTimeMs,
      initLimitTicks: config.initLimitTicks,
      syncLimitTicks: config.syncLimitTicks,
      connectToLeaderLimitTicks: Number.isFinite(connectLimit) && connectLimit > 0 ? connectLimit : config.initLimitTicks,
    },
    membershipText: [...config.servers].sort((a, b) => a.id - b.id).map(membershipLine).join(''),
    reconfigEnabled: config.reconfigEnabled,
    configVersion: config.dynamicConfigFile === undefined ? 0n : versionFromFilename(config.dynamicConfigFile),
  }
}

/** `QuorumPeerConfig.getVersionFromFilename`: the hex after the last dot (`zoo.cfg.dynamic.100000014`); -1 if none. */
export function versionFromFilename(filename: string): bigint {
  const hex = filename.slice(filename.lastIndexOf('.') + 1)
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return -1n
  return BigInt.asIntN(64, BigInt(`0x${hex}`))
}
