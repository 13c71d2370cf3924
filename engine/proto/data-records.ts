import { type Infer, int, list, long, longNumber, record, text } from '../jute'

/** Records of `org.apache.zookeeper.data` (zookeeper.jute). */

export const Id = record('Id', { scheme: text, id: text })
export type Id = Infer<typeof Id>

export const ACL = record('ACL', { perms: int, id: Id })
export type ACL = Infer<typeof ACL>

export const ACLList = list(ACL)

/** The Stat a client sees (68 bytes). Times are wall-clock ms, kept as numbers. */
export const Stat = record('Stat', {
  czxid: long,
  mzxid: long,
  ctime: longNumber,
  mtime: longNumber,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  dataLength: int,
  numChildren: int,
  pzxid: long,
})
export type Stat = Infer<typeof Stat>

/** The Stat as stored in snapshots (60 bytes): no dataLength/numChildren, cversion is the stored create count. */
export const StatPersisted = record('StatPersisted', {
  czxid: long,
  mzxid: long,
  ctime: longNumber,
  mtime: longNumber,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  pzxid: long,
})
export type StatPersisted = Infer<typeof StatPersisted>

export const ClientInfo = record('ClientInfo', { authScheme: text, user: text })
export type ClientInfo = Infer<typeof ClientInfo>

/** Permission bits (`ZooDefs.Perms`). */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const

export const ANYONE_ID: Id = { scheme: 'world', id: 'anyone' }
export const AUTH_IDS: Id = { scheme: 'auth', id: '' }
export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.ALL, id: ANYONE_ID }]
export const CREATOR_ALL_ACL: readonly ACL[] = [{ perms: Perms.ALL, id: AUTH_IDS }]
export const READ_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.READ, id: ANYONE_ID }]

export const EMPTY_STAT: Stat = {
  czxid: 0n,
  mzxid: 0n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 0n,
}
