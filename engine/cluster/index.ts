export {
  LocalCluster,
  type LocalClusterOptions,
  type ClusterMember,
  type MemberStatus,
  type DiskFault,
  type WaitOptions,
} from './local-cluster'
export type { ClusterEvents, ClusterEventName, MemberExitEvent, MemberStartEvent } from './cluster-events'
export type { MemberKind, MemberRole, ConfigValue } from './member-config'
export type { MemberMode } from './srvr'
export type { PartitionOptions } from './peer-mesh'
export type { MemberExit, MemberHandle, MemberSignal, MemberSpawner, ZooDeskLaunch } from './member-process'
export type { ApacheLaunchOptions } from './apache-launch'
export { PortInUseError } from './port-check'
export { planPorts, layoutSpan, linkPort, type PortLayout, type MemberPorts, type PeerLinkPorts } from './port-layout'
export { CLUSTER_PARENT_ENV, attachToCluster, type ClusterMemberHooks, type ClusterAttachment } from './member-link'
export { parseClusterMessage, type ClusterToMemberMessage, type DiskFaultMessage, type DiskMode, type ExpireSessionMessage } from './member-messages'
export { parseMemberMessage, parseZabEvent, type MemberToClusterMessage, type ZabTraceMessage } from './member-messages'
export type { MemberZabEvent } from './cluster-events'
export type { ZabEvent, ZabEventType, ZabState, ZabSyncKind, ZabVote } from '../node/quorum/zab-event'
export { ApacheZabLogParser, type ApacheZabRecord } from './apache-zab-log'
