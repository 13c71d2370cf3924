// THE contract between the UI and main: every method (its arguments' schema, its result type, the errors it may
// answer with) and every event stream. The IPC binding (main/rpc/ipc-binding.ts), the WebSocket binding
// (main/rpc/ws-server.ts) and the renderer's client (renderer/api/) are all derived from this object; nothing else
// writes a method or stream name by hand. Main validates every call's arguments against these schemas at run time.
//
// Types only flow to the renderer (`import type`); valibot stays in main.
import * as v from 'valibot'
import type {
  AclEntry,
  AuditEntry,
  ChildrenPage,
  ClientStateName,
  ClusterView,
  ClusterZabEvent,
  CodecPluginList,
  ConnectionTestReport,
  ConnectionView,
  ConsoleOutput,
  DataView,
  EnsembleConfigView,
  EventTypeName,
  ExportResult,
  DiffApplyResult,
  DiffEntriesPage,
  DiffEntryData,
  DiffPlan,
  DiffView,
  ForensicChildrenPage,
  ForensicDataDirView,
  ForensicExport,
  ForensicNode,
  ForensicTreeView,
  ForensicTxnDetail,
  ForensicTxnPage,
  ForensicTxnRate,
  HealthAlert,
  NodeHistoryView,
  NodeRestoreResult,
  NodeVersionData,
  HealthSnapshot,
  MemberSample,
  MultiOpResult,
  ProfileView,
  QuotaView,
  ReconfigPreviewView,
  SearchResult,
  SessionInfo,
  SessionLensView,
  TapTxnBatch,
  TapView,
  TreeOperationKind,
  TreeOperationPhase,
  TreeOperationResult,
  WatchKindName,
  WatchView,
  ZnodeStat,
} from './model'
import { regexProblem } from './search-pattern'
import { zkPathProblem } from './zk-path'

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** Every error code a call can answer with. */
export const ERROR_CODES = [
  /** The arguments do not match the method's schema (details.issues says where and why). */
  'BAD_ARGUMENTS',
  /** No such method (a client built from another contract version). */
  'UNKNOWN_METHOD',
  /** The connection, profile, watch, console, monitor, cluster or operation id is unknown. */
  'NOT_FOUND',
  /** A write on a read-only connection, refused in main. */
  'READ_ONLY',
  /** A dangerous operation: call again with `confirm` set to details.phrase. */
  'CONFIRMATION_REQUIRED',
  /** ZooKeeper answered with an error (details.keeperCode: NONODE, BADVERSION, NOAUTH, …). */
  'KEEPER',
  /** Could not open a connection; details.report names the failing step. */
  'CONNECTION_FAILED',
  /** The operation was cancelled (operations.cancel). */
  'CANCELLED',
  /** The request is well formed but not possible in the current state (a name in use, a cluster not running…). */
  'CONFLICT',
  /** The feature is not available here (e.g. no SSH tunnel support in this build). */
  'UNSUPPORTED',
  /** A bug or an unexpected failure in main; the message says what. */
  'INTERNAL',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface IssueDetail {
  /** Dot path into the arguments, e.g. `profile.credentials.0.user`; '' for the arguments as a whole. */
  path: string
  message: string
}

/** The error details each code carries. */
export interface ErrorDetails {
  BAD_ARGUMENTS: { issues: IssueDetail[] }
  UNKNOWN_METHOD: { method: string }
  NOT_FOUND: { what: string; id: string }
  READ_ONLY: { connectionId: string }
  CONFIRMATION_REQUIRED: { phrase: string; count: number; reason: string }
  KEEPER: { keeperCode: string; path: string | null }
  CONNECTION_FAILED: { report: ConnectionTestReport | null }
  CANCELLED: { operationId: string }
  CONFLICT: Record<string, never>
  UNSUPPORTED: Record<string, never>
  INTERNAL: Record<string, never>
}

export type ContractError<C extends ErrorCode = ErrorCode> = {
  [K in C]: { code: K; message: string; details: ErrorDetails[K] }
}[C]

/** Codes any method may answer with, whatever it declares. */
export type CommonErrorCode = 'BAD_ARGUMENTS' | 'UNKNOWN_METHOD' | 'INTERNAL'

// ---------------------------------------------------------------------------------------------------------------
// Declaration helpers

declare const resultType: unique symbol
declare const payloadType: unique symbol

export interface MethodSpec<A extends v.GenericSchema, R, E extends ErrorCode> {
  readonly args: A
  readonly errors: readonly E[]
  readonly summary: string
  /** Phantom: the result's type, never set at run time. */
  readonly [resultType]?: R
}

export interface EventSpec<P> {
  readonly summary: string
  readonly [payloadType]?: P
}

/** `method<Result>()(argsSchema, errors, summary)` — the result type is given explicitly, the rest is inferred. */
function method<R>() {
  return <A extends v.GenericSchema, const E extends readonly ErrorCode[]>(
    args: A,
    errors: E,
    summary: string,
  ): MethodSpec<A, R, E[number]> => ({ args, errors, summary })
}

function stream<P>(summary: string): EventSpec<P> {
  return { summary }
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas shared by many methods

const MAX_INT = 2 ** 31 - 1
/** ZooKeeper's default jute.maxbuffer (0xfffff) as base64 text, with room. */
const MAX_DATA_BASE64 = 1_400_000

const id = (what: string) => v.pipe(v.string(`${what} must be a string`), v.minLength(1, `${what} must not be empty`), v.maxLength(200))
const connectionId = id('connectionId')
const operationId = v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200), v.regex(/^[A-Za-z0-9_.:-]+$/, 'operationId: letters, digits, _ . : - only')))
const zpath = v.pipe(
  v.string('path must be a string'),
  v.maxLength(32_768),
  v.check((path) => zkPathProblem(path) === null, (issue) => `invalid path: ${zkPathProblem(String(issue.input)) ?? ''}`),
)
const data = v.nullable(v.pipe(v.string('data must be base64 text or null'), v.maxLength(MAX_DATA_BASE64), v.base64('data must be base64')))
const version = v.pipe(v.number('version must be a number'), v.integer('version must be an integer'), v.minValue(-1), v.maxValue(MAX_INT))
const intIn = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max))
const aclEntry = v.strictObject({
  perms: intIn(0, 31),
  scheme: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  id: v.pipe(v.string(), v.maxLength(10_000)),
})
const acl = v.pipe(v.array(aclEntry), v.minLength(1, 'an ACL needs at least one entry'), v.maxLength(1000))
const createMode = v.picklist([
  'PERSISTENT',
  'PERSISTENT_SEQUENTIAL',
  'EPHEMERAL',
  'EPHEMERAL_SEQUENTIAL',
  'CONTAINER',
  'PERSISTENT_WITH_TTL',
  'PERSISTENT_SEQUENTIAL_WITH_TTL',
])
/** Apache's EphemeralType.MAX_EXTENDED_SERVER_ID-limited TTL: 0xFFFFFFFFFF ms. */
const ttlMs = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(0xff_ffff_ffff))
const confirm = v.optional(v.pipe(v.string(), v.maxLength(33_000)))
const userWatchKind = v.picklist(['data', 'exists', 'children', 'persistent', 'persistentRecursive'])
const exportFormat = v.picklist(['json', 'zip'])
const empty = v.strictObject({})

/** A secret in a profile being saved: a string sets it, null clears it, absent keeps what is saved. */
const secret = v.optional(v.nullable(v.pipe(v.string(), v.maxLength(100_000))))
const pem = v.nullable(v.pipe(v.string(), v.maxLength(200_000)))

const profileInput = v.strictObject({
  /** Present: update that profile; absent: create a new one. */
  id: v.optional(id('profile id')),
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'a profile needs a name'), v.maxLength(200)),
  connectString: v.pipe(v.string(), v.trim(), v.minLength(1, 'a connect string is required'), v.maxLength(4000)),
  sessionTimeoutMs: v.optional(intIn(1000, 600_000), 30_000),
  readOnly: v.optional(v.boolean(), false),
  color: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64))), null),
  credentials: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          scheme: v.literal('digest'),
          user: v.pipe(v.string(), v.minLength(1), v.maxLength(1000), v.check((user) => !user.includes(':'), 'a digest user name cannot contain ":"')),
          password: secret,
        }),
      ),
      v.maxLength(20),
    ),
    [],
  ),
  tls: v.optional(
    v.nullable(
      v.strictObject({
        caPem: pem,
        certPem: pem,
        keyPem: secret,
        passphrase: secret,
        verifyHostname: v.optional(v.boolean(), true),
      }),
    ),
    null,
  ),
  ssh: v.optional(
    v.nullable(
      v.strictObject({
        host: v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
        port: v.optional(intIn(1, 65535), 22),
        user: v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
        auth: v.picklist(['password', 'key']),
        password: secret,
        privateKey: secret,
      }),
    ),
    null,
  ),
})
export type ProfileInput = v.InferOutput<typeof profileInput>

const adHocConnection = v.strictObject({
  connectString: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(4000)),
  name: v.optional(v.pipe(v.string(), v.maxLength(200))),
  sessionTimeoutMs: v.optional(intIn(1000, 600_000), 30_000),
  readOnly: v.optional(v.boolean(), false),
})

const multiOp = v.variant('op', [
  v.strictObject({ op: v.literal('create'), path: zpath, data, mode: createMode, acl: v.optional(acl), ttlMs: v.optional(ttlMs) }),
  v.strictObject({ op: v.literal('delete'), path: zpath, version }),
  v.strictObject({ op: v.literal('setData'), path: zpath, data, version }),
  v.strictObject({ op: v.literal('check'), path: zpath, version }),
])

const memberAddress = v.strictObject({
  host: v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
  clientPort: intIn(1, 65535),
  adminPort: v.optional(v.nullable(intIn(1, 65535)), null),
})

const healthTarget = v.variant('kind', [
  v.strictObject({ kind: v.literal('connection'), connectionId }),
  v.strictObject({ kind: v.literal('cluster'), clusterId: id('clusterId') }),
  v.strictObject({ kind: v.literal('members'), members: v.pipe(v.array(memberAddress), v.minLength(1), v.maxLength(64)) }),
])

/** A session id as zkCli and stat print it: 0x and up to 16 hex digits. */
const sessionId = v.pipe(v.string('sessionId must be a string'), v.regex(/^0x[0-9a-fA-F]{1,16}$/, 'sessionId: 0x followed by 1 to 16 hex digits'))

const searchArgs = v.pipe(
  v.strictObject({
    connectionId,
    /** The subtree's root. */
    path: zpath,
    query: v.pipe(v.string('query must be a string'), v.minLength(1, 'query must not be empty'), v.maxLength(1000)),
    /** What the query is tested on: the node's name, its whole path, or its data as UTF-8 text. */
    match: v.optional(v.picklist(['name', 'path', 'data']), 'name'),
    caseSensitive: v.optional(v.boolean(), false),
    /** The query is a JavaScript regular expression (tested with RegExp.test, unanchored). */
    regex: v.optional(v.boolean(), false),
    limit: v.optional(intIn(1, 10_000), 10_000),
    operationId,
  }),
  v.forward(
    v.check(
      (input) => !input.regex || regexProblem(input.query, input.caseSensitive) === null,
      (issue) => {
        const input = issue.input as { query: string; caseSensitive: boolean }
        return `not a valid regular expression: ${regexProblem(input.query, input.caseSensitive) ?? ''}`
      },
    ),
    ['query'],
  ),
)

// Data-dir forensics
const dataDirId = id('dataDirId')
const hexLong = (what: string) => v.pipe(v.string(`${what} must be a string`), v.regex(/^0x[0-9a-fA-F]{1,16}$/, `${what}: 0x followed by 1 to 16 hex digits`))
const localPath = (what: string) => v.pipe(v.string(`${what} must be a string`), v.trim(), v.minLength(1, `${what} must not be empty`), v.maxLength(4096))
const forensicTxnType = v.picklist(['create', 'create2', 'createContainer', 'createTTL', 'delete', 'deleteContainer', 'setData', 'reconfig', 'setACL', 'check', 'multi', 'createSession', 'closeSession', 'error'])
const forensicTxnFilter = v.strictObject({
  /** The txn touches this path or a path under it. */
  pathPrefix: v.optional(v.pipe(v.string(), v.maxLength(32_768))),
  sessionId: v.optional(hexLong('sessionId')),
  types: v.optional(v.pipe(v.array(forensicTxnType), v.maxLength(20))),
  /** Inclusive bounds on the txn's time, ms since the epoch. */
  fromTime: v.optional(v.pipe(v.number(), v.minValue(0))),
  toTime: v.optional(v.pipe(v.number(), v.minValue(0))),
  fromZxid: v.optional(hexLong('fromZxid')),
  toZxid: v.optional(hexLong('toZxid')),
})
export type ForensicTxnFilterInput = v.InferOutput<typeof forensicTxnFilter>
const forensicTarget = v.variant('kind', [
  v.strictObject({ kind: v.literal('snapshot'), zxid: hexLong('zxid') }),
  v.strictObject({ kind: v.literal('zxid'), zxid: hexLong('zxid') }),
])

const memberKind = v.picklist(['zoodesk', 'apache'])
const clusterId = id('clusterId')
const memberId = intIn(1, 255)

/** `host:port` (IPv6 in brackets): a leader's quorum address typed by the user. */
const quorumAddress = v.pipe(
  v.string('quorumAddress must be a string'),
  v.trim(),
  v.maxLength(1000),
  v.regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'quorumAddress: host:port, e.g. zk1.example.com:2888'),
  v.check((text) => Number(text.slice(text.lastIndexOf(':') + 1)) <= 65535, 'quorumAddress: port above 65535'),
)
const tapTarget = {
  quorumAddress: v.optional(quorumAddress),
  /** The sid announced to the leader; default a large one no member uses. */
  serverId: v.optional(intIn(256, Number.MAX_SAFE_INTEGER)),
}
// Subtree diffs
const diffId = id('diffId')
const diffSide = v.strictObject({ connectionId, path: zpath })
/** Relative paths of the entries to apply ('' is the root), or 'all' to mirror the source onto the target. */
const diffSelection = v.union([v.literal('all'), v.pipe(v.array(v.pipe(v.string(), v.maxLength(32_768))), v.minLength(1, 'pick at least one entry'), v.maxLength(1_000_000))])
/** Ops per multi transaction. */
const diffBatchOps = v.optional(intIn(1, 10_000))

const tapAttach = v.union([
  v.strictObject({ connectionId, ...tapTarget }),
  v.strictObject({ connectString: v.pipe(v.string(), v.trim(), v.minLength(1, 'a connect string is required'), v.maxLength(4000)), ...tapTarget }),
])

// Quotas (zkCli's setquota: count > 0, bytes >= 0) and incremental reconfig (joining specs, leaving server ids)
const QUOTA_LIMITS = ['count', 'bytes', 'countHard', 'bytesHard'] as const
const quotaSet = v.pipe(
  v.strictObject({
    connectionId,
    path: zpath,
    count: v.optional(intIn(1, MAX_INT)),
    bytes: v.optional(intIn(0, Number.MAX_SAFE_INTEGER)),
    countHard: v.optional(intIn(1, MAX_INT)),
    bytesHard: v.optional(intIn(0, Number.MAX_SAFE_INTEGER)),
  }),
  v.check((args) => QUOTA_LIMITS.some((limit) => args[limit] !== undefined), 'set at least one of count, bytes, countHard, bytesHard'),
)
const reconfigChange = {
  connectionId,
  /** `server.N=host:quorumPort:electionPort[:observer|:participant];[clientHost:]clientPort`, one per entry. */
  joining: v.optional(v.pipe(v.array(v.pipe(v.string(), v.trim(), v.maxLength(1000))), v.maxLength(255)), []),
  leaving: v.optional(v.pipe(v.array(intIn(0, MAX_INT)), v.maxLength(255)), []),
}

// ---------------------------------------------------------------------------------------------------------------
// Results that are small enough to declare inline

export interface AppInfo {
  version: string
  mode: 'electron' | 'browser'
  platform: string
  userDataDir: string
  /** How secrets are kept at rest. */
  secretStorage: 'safeStorage' | 'keyfile'
  /** The embedded local cluster and the connection the app opened to it, when there is one. */
  defaultClusterId: string | null
  defaultConnectionId: string | null
  /** Recursive deletes of more nodes than this ask for a typed confirmation. */
  confirmDeleteAbove: number
}

export interface ProgressEvent {
  operationId: string
  kind: TreeOperationKind
  phase: TreeOperationPhase
  done: number
  /** null while still counting. */
  total: number | null
  path: string
}

export interface WatchEventPayload {
  time: number
  connectionId: string
  /** The node's path as the connection sees it (chroot stripped); null for session events. */
  path: string | null
  type: EventTypeName
  state: string
  watchKind: WatchKindName
  /** The user watch that fired; null for the tree's own watches. */
  watchId: string | null
}

export interface ConnectionStateEvent {
  connectionId: string
  /** The session event: SyncConnected, Disconnected, Expired, Closed, … */
  event: string
  state: ClientStateName
  time: number
}

// ---------------------------------------------------------------------------------------------------------------
// The contract

export const contract = {
  methods: {
    'app.info': method<AppInfo>()(empty, [], 'What this app is and where it keeps its data.'),

    // Connections and saved profiles
    'connections.listProfiles': method<ProfileView[]>()(empty, [], 'Saved profiles, without secrets.'),
    'connections.saveProfile': method<ProfileView>()(v.strictObject({ profile: profileInput }), ['NOT_FOUND'], 'Create or update a profile; secrets are encrypted at rest.'),
    'connections.deleteProfile': method<{ deleted: boolean }>()(v.strictObject({ profileId: id('profileId') }), [], 'Forget a saved profile and its secrets.'),
    'connections.exportProfiles': method<{ json: string; count: number }>()(empty, [], 'All profiles as JSON, without any secret.'),
    'connections.importProfiles': method<{ imported: ProfileView[] }>()(
      v.strictObject({ json: v.pipe(v.string(), v.maxLength(10_000_000)) }),
      [],
      'Add profiles from an export (new ids; secrets are not part of exports).',
    ),
    'connections.test': method<ConnectionTestReport>()(
      v.variant('kind', [v.strictObject({ kind: v.literal('profile'), profileId: id('profileId') }), v.strictObject({ kind: v.literal('draft'), profile: profileInput })]),
      ['NOT_FOUND'],
      'Try a profile step by step (DNS, TCP, TLS, handshake, auth) and say which step failed.',
    ),
    'connections.open': method<ConnectionView>()(
      v.variant('kind', [v.strictObject({ kind: v.literal('profile'), profileId: id('profileId') }), v.strictObject({ kind: v.literal('adHoc'), connection: adHocConnection })]),
      ['NOT_FOUND', 'CONNECTION_FAILED', 'UNSUPPORTED'],
      'Open a session (many may be open at once).',
    ),
    'connections.close': method<{ closed: boolean }>()(v.strictObject({ connectionId }), ['NOT_FOUND'], 'Close a session and everything bound to it.'),
    'connections.list': method<ConnectionView[]>()(empty, [], 'Open connections.'),

    // Znodes
    'znodes.children': method<ChildrenPage>()(
      v.strictObject({
        connectionId,
        path: zpath,
        offset: v.optional(intIn(0, MAX_INT), 0),
        limit: v.optional(intIn(1, 5000), 500),
        withStat: v.optional(v.boolean(), true),
        /** Set the tree's child watch (events on watches.event, watchKind tree-children). */
        watch: v.optional(v.boolean(), false),
        cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
      }),
      ['NOT_FOUND', 'KEEPER'],
      'One page of a node’s children (sorted by name), with their stats.',
    ),
    'znodes.get': method<DataView>()(
      v.strictObject({ connectionId, path: zpath, watch: v.optional(v.boolean(), false) }),
      ['NOT_FOUND', 'KEEPER'],
      'Data and stat of a node.',
    ),
    'znodes.exists': method<{ stat: ZnodeStat | null }>()(v.strictObject({ connectionId, path: zpath }), ['NOT_FOUND', 'KEEPER'], 'Stat of a node, or null.'),
    'znodes.set': method<{ stat: ZnodeStat }>()(
      v.strictObject({ connectionId, path: zpath, data, version }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY'],
      'Set data if the version matches (-1: any).',
    ),
    'znodes.create': method<{ path: string; stat: ZnodeStat | null }>()(
      v.strictObject({ connectionId, path: zpath, data: v.optional(data, null), mode: v.optional(createMode, 'PERSISTENT'), acl: v.optional(acl), ttlMs: v.optional(ttlMs) }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY'],
      'Create a node in any mode (sequential, ephemeral, container, TTL).',
    ),
    'znodes.delete': method<{ deleted: true }>()(
      v.strictObject({ connectionId, path: zpath, version }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY'],
      'Delete one node if the version matches.',
    ),
    'znodes.getAcl': method<{ acl: AclEntry[]; stat: ZnodeStat }>()(v.strictObject({ connectionId, path: zpath }), ['NOT_FOUND', 'KEEPER'], 'ACL of a node.'),
    'znodes.setAcl': method<{ stat: ZnodeStat }>()(
      v.strictObject({ connectionId, path: zpath, acl, version }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY'],
      'Set the ACL if the ACL version matches.',
    ),
    'znodes.multi': method<{ results: MultiOpResult[] }>()(
      v.strictObject({ connectionId, ops: v.pipe(v.array(multiOp), v.minLength(1), v.maxLength(10_000)) }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY'],
      'Apply ops atomically; on failure details.keeperCode is the culprit’s code.',
    ),
    'znodes.deleteRecursive': method<TreeOperationResult>()(
      v.strictObject({ connectionId, path: zpath, confirm, operationId }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY', 'CONFIRMATION_REQUIRED', 'CANCELLED'],
      'Delete a node and its subtree (asks for a typed confirmation above confirmDeleteAbove nodes).',
    ),
    'znodes.copy': method<TreeOperationResult>()(
      v.strictObject({ connectionId, from: zpath, to: zpath, targetConnectionId: v.optional(connectionId), confirm, operationId }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY', 'CONFIRMATION_REQUIRED', 'CANCELLED', 'CONFLICT'],
      'Copy a subtree (data, ACLs, node kinds) to another path, possibly on another connection.',
    ),
    'znodes.move': method<TreeOperationResult>()(
      v.strictObject({ connectionId, from: zpath, to: zpath, targetConnectionId: v.optional(connectionId), confirm, operationId }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY', 'CONFIRMATION_REQUIRED', 'CANCELLED', 'CONFLICT'],
      'Copy a subtree, then delete the source.',
    ),
    'znodes.export': method<ExportResult>()(
      v.strictObject({ connectionId, path: zpath, format: v.optional(exportFormat, 'json'), operationId }),
      ['NOT_FOUND', 'KEEPER', 'CANCELLED'],
      'Export a subtree as JSON or as a zip of raw data.',
    ),
    'znodes.import': method<TreeOperationResult>()(
      v.strictObject({
        connectionId,
        path: zpath,
        format: exportFormat,
        content: v.pipe(v.string(), v.maxLength(512 * 1024 * 1024)),
        /** Restore ephemerals as persistent nodes instead of skipping them. */
        ephemeralsAsPersistent: v.optional(v.boolean(), false),
        confirm,
        operationId,
      }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY', 'CONFIRMATION_REQUIRED', 'CANCELLED'],
      'Import an export under a path (asks for a typed confirmation when that path exists).',
    ),
    'znodes.search': method<SearchResult>()(
      searchArgs,
      ['NOT_FOUND', 'KEEPER', 'CANCELLED'],
      'Search a subtree in main by name, path or data (substring or regex); progress on operations.progress, capped at limit.',
    ),
    'znodes.sessionInfo': method<SessionInfo>()(
      v.strictObject({ connectionId, sessionId }),
      ['NOT_FOUND'],
      'Which member holds a session (an ephemeral node’s owner) and the client’s address, from every member’s cons.',
    ),
    'operations.cancel': method<{ cancelled: boolean }>()(v.strictObject({ operationId: id('operationId') }), [], 'Cancel a running recursive operation.'),

    // Watches
    'watches.add': method<WatchView>()(
      v.strictObject({ connectionId, path: zpath, kind: userWatchKind }),
      ['NOT_FOUND', 'KEEPER'],
      'Set a one-shot (data, exists, children), persistent or persistent recursive watch.',
    ),
    'watches.remove': method<{ removed: boolean }>()(v.strictObject({ watchId: id('watchId') }), ['NOT_FOUND', 'KEEPER'], 'Remove a user watch.'),
    'watches.list': method<WatchView[]>()(v.strictObject({ connectionId: v.optional(connectionId) }), [], 'User watches.'),

    // Console
    'console.open': method<{ consoleId: string; prompt: string }>()(v.strictObject({ connectionId }), ['NOT_FOUND'], 'A zkCli-compatible shell session on a connection’s ensemble.'),
    'console.execute': method<{ output: ConsoleOutput[]; prompt: string; exitCode: number }>()(
      v.strictObject({ consoleId: id('consoleId'), line: v.pipe(v.string(), v.maxLength(1_000_000)) }),
      ['NOT_FOUND', 'READ_ONLY'],
      'Run one line; output printed later (watch events) arrives on console.output.',
    ),
    'console.complete': method<{ candidates: string[] }>()(v.strictObject({ consoleId: id('consoleId'), line: v.pipe(v.string(), v.maxLength(100_000)) }), ['NOT_FOUND'], 'Tab completion.'),
    'console.close': method<{ closed: boolean }>()(v.strictObject({ consoleId: id('consoleId') }), ['NOT_FOUND'], 'End a console session.'),

    // Health
    'health.watch': method<HealthSnapshot>()(
      v.strictObject({ target: healthTarget, intervalMs: v.optional(intIn(200, 60_000), 1000) }),
      ['NOT_FOUND'],
      'Start polling an ensemble’s members (srvr/mntr, AdminServer fallback); samples arrive on health.sample.',
    ),
    'health.unwatch': method<{ stopped: boolean }>()(v.strictObject({ monitorId: id('monitorId') }), ['NOT_FOUND'], 'Stop polling.'),
    'health.snapshot': method<HealthSnapshot>()(v.strictObject({ monitorId: id('monitorId') }), ['NOT_FOUND'], 'Latest sample of each member, leader and quorum.'),
    'health.series': method<{ samples: MemberSample[] }>()(
      v.strictObject({ monitorId: id('monitorId'), member: v.optional(v.pipe(v.string(), v.maxLength(1000))), sinceMs: v.optional(v.pipe(v.number(), v.minValue(0))) }),
      ['NOT_FOUND'],
      'The time series (last hour).',
    ),
    'health.list': method<HealthSnapshot[]>()(empty, [], 'Running monitors.'),

    // Local clusters
    'clusters.list': method<ClusterView[]>()(empty, [], 'Local clusters.'),
    'clusters.create': method<ClusterView>()(
      v.strictObject({
        name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)),
        voters: v.optional(intIn(1, 9), 3),
        observers: v.optional(intIn(0, 9), 0),
        basePort: v.optional(v.nullable(intIn(1024, 65000)), null),
        dataDir: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(4000))), null),
        tickTimeMs: v.optional(intIn(10, 60_000), 2000),
        /**
         * Which server the members run: ZooDesk's engine, or Apache ZooKeeper 3.8 where installed; or one kind per
         * member in id order (voters first), for mixed ensembles.
         */
        kind: v.optional(v.union([memberKind, v.pipe(v.array(memberKind), v.minLength(1), v.maxLength(18))]), 'zoodesk'),
        /** zoo.cfg `reconfigEnabled=true`: dynamic reconfiguration allowed (peers then use real ports: no partitions). */
        reconfigEnabled: v.optional(v.boolean(), false),
        start: v.optional(v.boolean(), true),
      }),
      ['CONFLICT', 'UNSUPPORTED'],
      'Create (and by default start) a local ensemble; members run in their own processes.',
    ),
    'clusters.start': method<ClusterView>()(v.strictObject({ clusterId }), ['NOT_FOUND', 'CONFLICT'], 'Start every member.'),
    'clusters.stop': method<ClusterView>()(v.strictObject({ clusterId }), ['NOT_FOUND'], 'Stop every member (data kept).'),
    'clusters.remove': method<{ removed: boolean }>()(
      v.strictObject({ clusterId, deleteData: v.optional(v.boolean(), false), confirm }),
      ['NOT_FOUND', 'CONFIRMATION_REQUIRED'],
      'Stop a cluster and forget it (deleting its data needs a typed confirmation).',
    ),
    'clusters.killMember': method<ClusterView>()(v.strictObject({ clusterId, memberId }), ['NOT_FOUND', 'CONFLICT'], 'kill -9 one member.'),
    'clusters.restartMember': method<ClusterView>()(v.strictObject({ clusterId, memberId }), ['NOT_FOUND', 'CONFLICT'], 'Start a member again (after a kill or stop).'),
    'clusters.partition': method<ClusterView>()(
      v.strictObject({ clusterId, groups: v.pipe(v.array(v.pipe(v.array(memberId), v.minLength(1))), v.minLength(2), v.maxLength(18)) }),
      ['NOT_FOUND', 'CONFLICT', 'UNSUPPORTED'],
      'Cut the quorum network into groups that cannot reach each other.',
    ),
    'clusters.heal': method<ClusterView>()(v.strictObject({ clusterId }), ['NOT_FOUND', 'UNSUPPORTED'], 'Undo a partition.'),
    'clusters.setDisk': method<ClusterView>()(
      v.strictObject({ clusterId, memberId, mode: v.picklist(['ok', 'slow', 'fail']), delayMs: v.optional(intIn(0, 60_000), 0) }),
      ['NOT_FOUND', 'CONFLICT', 'UNSUPPORTED'],
      'Make a ZooDesk member’s disk slow (extra delay per write and fsync), failing, or ok again.',
    ),
    'clusters.timeline': method<{ events: ClusterZabEvent[] }>()(
      v.strictObject({ clusterId, sinceMs: v.optional(v.pipe(v.number(), v.minValue(0))) }),
      ['NOT_FOUND'],
      'The buffered ZAB history of a cluster (votes, elections, syncs, txn counts; the last 2,000 events), oldest first.',
    ),

    // Observer tap
    'tap.attach': method<TapView>()(
      tapAttach,
      ['NOT_FOUND'],
      'Attach to an ensemble’s leader as a non-voting observer and stream its committed txns (tap.txns, tap.state).',
    ),
    'tap.detach': method<{ detached: boolean }>()(v.strictObject({ tapId: id('tapId') }), ['NOT_FOUND'], 'Close a tap’s leader connection.'),
    'tap.list': method<TapView[]>()(empty, [], 'Attached taps.'),

    // Session lens
    'sessions.list': method<SessionLensView>()(
      v.union([v.strictObject({ connectionId }), v.strictObject({ clusterId })]),
      ['NOT_FOUND'],
      'Live sessions of an ensemble from every member’s cons, the leader’s dump and every member’s wchc: each with its member, address, ephemerals and watches.',
    ),
    'sessions.expire': method<{ expired: boolean; tookMs: number }>()(
      v.strictObject({ clusterId, sessionId: hexLong('sessionId') }),
      ['NOT_FOUND', 'UNSUPPORTED'],
      'Expire a session of a local ZooDesk cluster on purpose, as its timeout would (closeSession through the leader).',
    ),

    // Quotas (zkCli's layout under /zookeeper/quota) and dynamic reconfiguration
    'quotas.list': method<QuotaView[]>()(v.strictObject({ connectionId }), ['NOT_FOUND', 'KEEPER'], 'Every quota of the connection’s tree: limits and usage.'),
    'quotas.set': method<{ quota: QuotaView; warnings: string[] }>()(
      quotaSet,
      ['NOT_FOUND', 'READ_ONLY', 'KEEPER', 'CONFLICT'],
      'Set soft/hard count/bytes limits on a path (as zkCli setquota; unset limits are kept). CONFLICT: no such node, or a parent or child already has a quota.',
    ),
    'quotas.delete': method<{ deleted: boolean }>()(
      v.strictObject({ connectionId, path: zpath, limits: v.optional(v.pipe(v.array(v.picklist(QUOTA_LIMITS)), v.maxLength(4))) }),
      ['NOT_FOUND', 'READ_ONLY', 'KEEPER'],
      'Remove a quota, or only the given limits (as zkCli delquota [-n|-b|-N|-B]).',
    ),
    'reconfig.config': method<EnsembleConfigView>()(
      v.strictObject({ connectionId }),
      ['NOT_FOUND', 'KEEPER'],
      'The ensemble’s members and quorum from /zookeeper/config, and whether it can be reconfigured.',
    ),
    'reconfig.preview': method<ReconfigPreviewView>()(
      v.strictObject(reconfigChange),
      ['NOT_FOUND', 'KEEPER'],
      'The members and quorum an incremental reconfig would make, and why the server would refuse it.',
    ),
    'reconfig.apply': method<EnsembleConfigView>()(
      v.strictObject({ ...reconfigChange, fromVersion: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{1,16}$/, 'fromVersion: the hex config version'))) }),
      ['NOT_FOUND', 'READ_ONLY', 'KEEPER', 'CONFLICT', 'UNSUPPORTED', 'BAD_ARGUMENTS'],
      'Apply an incremental reconfig (joining / leaving) against the previewed config version; UNSUPPORTED on a ZooDesk ensemble.',
    ),

    // Subtree diffs
    'diffs.compare': method<DiffView>()(
      v.strictObject({ source: diffSide, target: diffSide, operationId }),
      ['NOT_FOUND', 'KEEPER', 'CANCELLED'],
      'Compare two subtrees (one connection or two): every node added / changed (data, ACL, kind) / unchanged / removed.',
    ),
    'diffs.compareImport': method<DiffView>()(
      v.strictObject({
        target: diffSide,
        /** What the user picked, shown as the source side's name. */
        fileName: v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
        format: exportFormat,
        content: v.pipe(v.string(), v.maxLength(512 * 1024 * 1024)),
        /** Compare ephemerals of the file as persistent nodes (else they are left out, as the import leaves them). */
        ephemeralsAsPersistent: v.optional(v.boolean(), false),
        operationId,
      }),
      ['NOT_FOUND', 'KEEPER', 'CANCELLED'],
      'Compare an export file (JSON or zip) with a subtree before importing it: the diff then previews and applies the import with versioned multis.',
    ),
    'diffs.get': method<DiffView>()(v.strictObject({ diffId }), ['NOT_FOUND'], 'A compared diff’s endpoints and summary.'),
    'diffs.entries': method<DiffEntriesPage>()(
      v.strictObject({
        diffId,
        statuses: v.optional(v.pipe(v.array(v.picklist(['added', 'changed', 'unchanged', 'removed'])), v.maxLength(4))),
        offset: v.optional(intIn(0, MAX_INT), 0),
        limit: v.optional(intIn(1, 5000), 500),
      }),
      ['NOT_FOUND'],
      'One page of a diff’s entries in path order, optionally only some statuses.',
    ),
    'diffs.entryData': method<DiffEntryData>()(
      v.strictObject({ diffId, path: v.pipe(v.string(), v.maxLength(32_768)) }),
      ['NOT_FOUND'],
      'Both sides’ data of one entry, as read during the compare.',
    ),
    'diffs.preview': method<DiffPlan>()(
      v.strictObject({ diffId, entries: diffSelection, batchOps: diffBatchOps }),
      ['NOT_FOUND'],
      'The exact creates, setDatas, setACLs and deletes an apply would send, with their versions and batches.',
    ),
    'diffs.apply': method<DiffApplyResult>()(
      v.strictObject({ diffId, entries: diffSelection, batchOps: diffBatchOps, operationId }),
      ['NOT_FOUND', 'READ_ONLY', 'CONFLICT', 'CANCELLED', 'KEEPER'],
      'Apply a mirror or a selection with versioned multi transactions; a batch hit by a concurrent change aborts whole.',
    ),
    'diffs.close': method<{ closed: boolean }>()(v.strictObject({ diffId }), [], 'Forget a compared diff.'),

    // Audit log
    'audit.list': method<{ entries: AuditEntry[]; total: number }>()(
      v.strictObject({ offset: v.optional(intIn(0, MAX_INT), 0), limit: v.optional(intIn(1, 10_000), 200), connectionId: v.optional(connectionId) }),
      [],
      'Changes the app made, newest first.',
    ),
    'audit.export': method<{ content: string; fileName: string }>()(v.strictObject({ format: v.optional(v.picklist(['json', 'csv']), 'csv') }), [], 'The whole audit log as CSV or JSON.'),

    // Data-dir forensics: a ZooKeeper dataDir (Apache's or ours) read offline
    'forensics.open': method<ForensicDataDirView | null>()(
      v.strictObject({
        /** A folder on the machine main runs on; absent: ask with a folder dialog (Electron only; null when dismissed). */
        path: v.optional(localPath('path')),
        /** Apache's dataLogDir, when the logs live apart from the snapshots. */
        dataLogDir: v.optional(localPath('dataLogDir')),
        operationId,
      }),
      ['NOT_FOUND', 'UNSUPPORTED', 'CANCELLED'],
      'Open a data directory: check every snapshot and index every txn log (progress in bytes on operations.progress).',
    ),
    'forensics.close': method<{ closed: boolean }>()(v.strictObject({ dataDirId }), [], 'Forget an opened data directory and its index.'),
    'forensics.tree': method<ForensicTreeView>()(
      v.strictObject({ dataDirId, at: forensicTarget, operationId }),
      ['NOT_FOUND', 'CONFLICT', 'CANCELLED'],
      'Build the tree as of a snapshot, or as of a zxid (newest snapshot at or before it + the logged txns replayed).',
    ),
    'forensics.children': method<ForensicChildrenPage>()(
      v.strictObject({ dataDirId, path: zpath, offset: v.optional(intIn(0, MAX_INT), 0), limit: v.optional(intIn(1, 5000), 500) }),
      ['NOT_FOUND', 'CONFLICT'],
      'One page of a node’s children (sorted by name) in the built tree.',
    ),
    'forensics.node': method<ForensicNode>()(v.strictObject({ dataDirId, path: zpath }), ['NOT_FOUND', 'CONFLICT'], 'Data, stat and ACL of a node in the built tree.'),
    'forensics.txns': method<ForensicTxnPage>()(
      v.strictObject({ dataDirId, filter: v.optional(forensicTxnFilter, {}), offset: v.optional(intIn(0, MAX_INT), 0), limit: v.optional(intIn(1, 5000), 200) }),
      ['NOT_FOUND'],
      'One page of the txns matching a filter (path prefix, session, types, time and zxid ranges), in log order.',
    ),
    'forensics.rate': method<ForensicTxnRate>()(
      v.strictObject({ dataDirId, filter: v.optional(forensicTxnFilter, {}), buckets: v.optional(intIn(10, 2000), 240) }),
      ['NOT_FOUND'],
      'The txns matching a filter counted over time (at most `buckets` round-length buckets) and by type, for a chart.',
    ),
    'forensics.txn': method<ForensicTxnDetail>()(
      v.strictObject({ dataDirId, row: intIn(0, MAX_INT) }),
      ['NOT_FOUND'],
      'One txn read back from its log file and decoded (body, data, ACLs, digest).',
    ),
    'forensics.export': method<ForensicExport>()(
      v.variant('what', [
        v.strictObject({ dataDirId, what: v.literal('tree'), path: v.optional(zpath, '/'), operationId }),
        v.strictObject({ dataDirId, what: v.literal('txns'), filter: v.optional(forensicTxnFilter, {}), operationId }),
      ]),
      ['NOT_FOUND', 'CONFLICT', 'CANCELLED'],
      'The built tree (a ZooDesk export, importable) or the filtered txns, decoded, as JSON.',
    ),

    // Per-node history: every version from a local cluster's txn log, or a partial timeline from the watch stream
    'history.list': method<NodeHistoryView>()(
      v.strictObject({ connectionId, path: zpath, operationId }),
      ['NOT_FOUND', 'CANCELLED'],
      'Every version of a node: from the txn log of a local cluster behind the connection, else (remote) the partial timeline seen by a persistent watch since the first call.',
    ),
    'history.version': method<NodeVersionData>()(
      v.strictObject({ connectionId, path: zpath, zxid: hexLong('zxid') }),
      ['NOT_FOUND'],
      'Data and ACL of one version (by the zxid history.list gave).',
    ),
    'history.restore': method<NodeRestoreResult>()(
      v.strictObject({ connectionId, path: zpath, zxid: hexLong('zxid'), expectedVersion: v.optional(version) }),
      ['NOT_FOUND', 'KEEPER', 'READ_ONLY', 'CONFLICT'],
      'Write a version’s data back with a versioned setData (expectedVersion, default the current version read now): a concurrent change answers KEEPER BADVERSION and overwrites nothing.',
    ),
    'history.forget': method<{ forgotten: boolean }>()(v.strictObject({ connectionId, path: zpath }), [], 'Stop a partial (watch) timeline and drop it.'),

    // Codec plug-ins: ES modules in <userData>/codecs/, served same-origin under codec-plugins/<file> for the renderer to import
    'codecs.plugins': method<CodecPluginList>()(empty, [], 'The plug-in modules in the codec plug-in folder (created when missing), with what is wrong with a file before loading it; watching the folder starts (codecs.pluginsChanged).'),
    'codecs.openFolder': method<{ folder: string; opened: boolean; problem: string | null }>()(empty, [], 'Open the codec plug-in folder in the file manager (Electron); browser mode answers opened: false and the path to show.'),
  },

  events: {
    'connections.state': stream<ConnectionStateEvent>('A connection’s session changed state (connected, disconnected, expired, closed).'),
    'watches.event': stream<WatchEventPayload>('A watch fired on any connection (user watches and the tree’s own).'),
    'operations.progress': stream<ProgressEvent>('Progress of a recursive delete/copy/move/export/import/search (throttled).'),
    'console.output': stream<{ consoleId: string } & ConsoleOutput>('Console text printed outside a command (watch notifications).'),
    'health.sample': stream<{ monitorId: string; samples: MemberSample[] }>('One poll round of an ensemble.'),
    'health.alert': stream<HealthAlert>('Leader change, quorum lost/restored, member down/up, notices.'),
    'clusters.state': stream<ClusterView>('A local cluster or one of its members changed state.'),
    'clusters.zab': stream<ClusterZabEvent>('ZAB in a local cluster’s member: a role change, a vote, an election result, a sync, txn counts.'),
    'audit.entry': stream<AuditEntry>('A change the app just made.'),
    'tap.txns': stream<TapTxnBatch>('A tap’s committed txns, batched (about every 200 ms), with counts by type.'),
    'tap.state': stream<TapView>('A tap changed phase, leader, epoch or found a gap.'),
    'history.changed': stream<{ connectionId: string; path: string }>('A partial (watch) timeline saw its node change: history.list has a new version.'),
    'codecs.pluginsChanged': stream<CodecPluginList>('A file in the codec plug-in folder was added, changed or removed (after codecs.plugins was called once).'),
  },
} as const

// ---------------------------------------------------------------------------------------------------------------
// Types derived from the contract

export type Contract = typeof contract
export type MethodName = keyof Contract['methods']
export type EventName = keyof Contract['events']

type SpecOf<M extends MethodName> = Contract['methods'][M]
/** What a caller passes (defaults may be left out). */
export type MethodArgs<M extends MethodName> = v.InferInput<SpecOf<M>['args']>
/** What a handler receives: validated, defaults filled in. */
export type ParsedArgs<M extends MethodName> = v.InferOutput<SpecOf<M>['args']>
export type MethodResult<M extends MethodName> = SpecOf<M> extends MethodSpec<v.GenericSchema, infer R, ErrorCode> ? R : never
export type MethodErrorCode<M extends MethodName> =
  | (SpecOf<M> extends MethodSpec<v.GenericSchema, unknown, infer E> ? E : never)
  | CommonErrorCode
export type MethodError<M extends MethodName> = ContractError<MethodErrorCode<M>>
export type EventPayload<E extends EventName> = Contract['events'][E] extends EventSpec<infer P> ? P : never

export const METHOD_NAMES = Object.keys(contract.methods) as MethodName[]
export const EVENT_NAMES = Object.keys(contract.events) as EventName[]
