import { type Infer, bool, buffer, int, list, long, record, text, ustring } from '../jute'
import { ACLList, ClientInfo, Stat } from './data-records'

/** Records of `org.apache.zookeeper.proto` (zookeeper.jute), declared once: type, encoder and decoder. */

/** Without the optional trailing readOnly byte, which the handshake code reads by hand (§1.3). */
export const ConnectRequest = record('ConnectRequest', {
  protocolVersion: int,
  lastZxidSeen: long,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
})
export type ConnectRequest = Infer<typeof ConnectRequest>

export const ConnectResponse = record('ConnectResponse', {
  protocolVersion: int,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
})
export type ConnectResponse = Infer<typeof ConnectResponse>

export const RequestHeader = record('RequestHeader', { xid: int, type: int })
export type RequestHeader = Infer<typeof RequestHeader>

export const ReplyHeader = record('ReplyHeader', { xid: int, zxid: long, err: int })
export type ReplyHeader = Infer<typeof ReplyHeader>

export const MultiHeader = record('MultiHeader', { type: int, done: bool, err: int })
export type MultiHeader = Infer<typeof MultiHeader>

export const AuthPacket = record('AuthPacket', { type: int, scheme: text, auth: buffer })
export type AuthPacket = Infer<typeof AuthPacket>

const paths = list(text)

export const SetWatches = record('SetWatches', {
  relativeZxid: long,
  dataWatches: paths,
  existWatches: paths,
  childWatches: paths,
})
export type SetWatches = Infer<typeof SetWatches>

export const SetWatches2 = record('SetWatches2', {
  relativeZxid: long,
  dataWatches: paths,
  existWatches: paths,
  childWatches: paths,
  persistentWatches: paths,
  persistentRecursiveWatches: paths,
})
export type SetWatches2 = Infer<typeof SetWatches2>

export const CreateRequest = record('CreateRequest', { path: text, data: buffer, acl: ACLList, flags: int })
export type CreateRequest = Infer<typeof CreateRequest>

export const CreateTTLRequest = record('CreateTTLRequest', {
  path: text,
  data: buffer,
  acl: ACLList,
  flags: int,
  ttl: long,
})
export type CreateTTLRequest = Infer<typeof CreateTTLRequest>

export const CreateResponse = record('CreateResponse', { path: text })
export type CreateResponse = Infer<typeof CreateResponse>

export const Create2Response = record('Create2Response', { path: text, stat: Stat })
export type Create2Response = Infer<typeof Create2Response>

export const DeleteRequest = record('DeleteRequest', { path: text, version: int })
export type DeleteRequest = Infer<typeof DeleteRequest>

/** exists, getData, getChildren and getChildren2 requests share this shape. */
export const PathWatchRequest = record('PathWatchRequest', { path: text, watch: bool })
export type PathWatchRequest = Infer<typeof PathWatchRequest>
export const ExistsRequest = PathWatchRequest
export const GetDataRequest = PathWatchRequest
export const GetChildrenRequest = PathWatchRequest
export const GetChildren2Request = PathWatchRequest

/** exists, setData and setACL responses share this shape. */
export const StatResponse = record('StatResponse', { stat: Stat })
export type StatResponse = Infer<typeof StatResponse>
export const ExistsResponse = StatResponse
export const SetDataResponse = StatResponse
export const SetACLResponse = StatResponse

export const GetDataResponse = record('GetDataResponse', { data: buffer, stat: Stat })
export type GetDataResponse = Infer<typeof GetDataResponse>

export const SetDataRequest = record('SetDataRequest', { path: text, data: buffer, version: int })
export type SetDataRequest = Infer<typeof SetDataRequest>

/** getACL, getEphemerals, getAllChildrenNumber and sync requests carry only a path. */
export const PathRequest = record('PathRequest', { path: text })
export type PathRequest = Infer<typeof PathRequest>
export const GetACLRequest = PathRequest
export const SyncRequest = PathRequest
export const SyncResponse = PathRequest
export const GetAllChildrenNumberRequest = PathRequest
export const GetEphemeralsRequest = record('GetEphemeralsRequest', { prefixPath: text })
export type GetEphemeralsRequest = Infer<typeof GetEphemeralsRequest>

export const GetACLResponse = record('GetACLResponse', { acl: ACLList, stat: Stat })
export type GetACLResponse = Infer<typeof GetACLResponse>

export const SetACLRequest = record('SetACLRequest', { path: text, acl: ACLList, version: int })
export type SetACLRequest = Infer<typeof SetACLRequest>

export const GetChildrenResponse = record('GetChildrenResponse', { children: list(text) })
export type GetChildrenResponse = Infer<typeof GetChildrenResponse>

export const GetChildren2Response = record('GetChildren2Response', { children: list(text), stat: Stat })
export type GetChildren2Response = Infer<typeof GetChildren2Response>

export const GetAllChildrenNumberResponse = record('GetAllChildrenNumberResponse', { totalNumber: int })
export type GetAllChildrenNumberResponse = Infer<typeof GetAllChildrenNumberResponse>

export const GetEphemeralsResponse = record('GetEphemeralsResponse', { ephemerals: list(text) })
export type GetEphemeralsResponse = Infer<typeof GetEphemeralsResponse>

export const CheckVersionRequest = record('CheckVersionRequest', { path: text, version: int })
export type CheckVersionRequest = Infer<typeof CheckVersionRequest>

export const ReconfigRequest = record('ReconfigRequest', {
  joiningServers: ustring,
  leavingServers: ustring,
  newMembers: ustring,
  curConfigId: long,
})
export type ReconfigRequest = Infer<typeof ReconfigRequest>

/** checkWatches and removeWatches; `type` is a WatcherType. */
export const WatchesRequest = record('WatchesRequest', { path: text, type: int })
export type WatchesRequest = Infer<typeof WatchesRequest>
export const CheckWatchesRequest = WatchesRequest
export const RemoveWatchesRequest = WatchesRequest

export const AddWatchRequest = record('AddWatchRequest', { path: text, mode: int })
export type AddWatchRequest = Infer<typeof AddWatchRequest>

export const WhoAmIResponse = record('WhoAmIResponse', { clientInfo: list(ClientInfo) })
export type WhoAmIResponse = Infer<typeof WhoAmIResponse>

export const WatcherEvent = record('WatcherEvent', { type: int, state: int, path: text })
export type WatcherEvent = Infer<typeof WatcherEvent>

export const ErrorResponse = record('ErrorResponse', { err: int })
export type ErrorResponse = Infer<typeof ErrorResponse>

export const GetSASLRequest = record('GetSASLRequest', { token: buffer })
export const SetSASLResponse = record('SetSASLResponse', { token: buffer })
