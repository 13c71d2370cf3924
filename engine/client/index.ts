export { ZooKeeperClient, type ConnectOptions } from './client'
export { parseConnectString, ConnectStringError, DEFAULT_CLIENT_PORT, type ConnectString, type HostAndPort } from './connect-string'
export { Chroot } from './chroot'
export { HostProvider, APACHE_RECONNECT_PACING, type ReconnectPacing } from './host-provider'
export {
  KeeperException,
  isKeeperException,
  isNoNode,
  isNodeExists,
  isBadVersion,
  isNotEmpty,
  isNoAuth,
  isConnectionLoss,
  isSessionExpired,
  isNoWatcher,
  isRecoverable,
} from './errors'
export { EventStream, EventStreamOverflowError } from './event-stream'
export * from './multi'
export type * from './types'
export type { SessionEvents } from './session'
export { invalidPathReason } from './path'
export {
  AddWatchMode,
  CreateMode,
  ErrorCode,
  EventType,
  KeeperState,
  Perms,
  WatcherType,
  OPEN_ACL_UNSAFE,
  CREATOR_ALL_ACL,
  READ_ACL_UNSAFE,
  type ACL,
  type Id,
  type Stat,
  type ClientInfo,
} from '../proto'
