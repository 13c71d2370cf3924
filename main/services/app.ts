import { join } from 'node:path'
import type { MemberSpawner } from '../../engine/cluster'
import type { AppInfo } from '../contract/contract'
import type { ClusterView } from '../contract/model'
import { Dispatcher, type Handlers } from '../rpc/dispatcher'
import { EventBus } from '../rpc/event-bus'
import { AuditLog } from './audit-log'
import { Clusters } from './clusters/clusters'
import { CodecPlugins } from './codecs/codec-plugins'
import { codecPluginFolder } from './codecs/plugin-files'
import { Connections } from './connections/connections'
import { testConnection } from './connections/connection-test'
import { ProfileStore, resolveDraft } from './connections/profile-store'
import { Consoles } from './console/consoles'
import { Diffs } from './diffs/diffs'
import { Forensics } from './forensics/forensics'
import { Health } from './health/health'
import { History } from './history/history'
import { Operations } from './operations'
import type { SecretBox } from './secrets/secret-box'
import { Taps } from './tap/taps'
import { Sessions } from './sessions/sessions'
import { Quotas } from './quotas/quotas'
import { Reconfig } from './reconfig/reconfig'
import { Watches } from './watches/watches'
import { lookUpSession } from './znodes/session-info'
import { CONFIRM_DELETE_ABOVE, Znodes } from './znodes/znodes'

/** Voting members of the embedded default cluster created at first launch: a real ensemble, to be looked at. */
export const DEFAULT_CLUSTER_VOTERS = 3
export const DEFAULT_CLUSTER_NAME = 'Local'

export interface AppEnvironment {
  mode: 'electron' | 'browser'
  version: string
  userDataDir: string
  secretBox: SecretBox
  /** The ZooDesk CLI bundle that local cluster members run. */
  zoodeskScript: string
  spawnMember?: MemberSpawner
  /** A folder dialog (Electron): forensics.open without a path asks with it. Absent in browser mode. */
  pickDirectory?: () => Promise<string | null>
  /** Opens a folder in the file manager (Electron's shell.openPath: '' or an error message). Absent in browser mode. */
  openPath?: (path: string) => Promise<string>
  /** Create/start the default local cluster and connect to it (false in tests that bring their own servers). */
  defaultCluster: boolean
  onInternalError?: (method: string, error: unknown) => void
}

export interface AppServices {
  readonly bus: EventBus
  readonly dispatcher: Dispatcher
  /** Creates (first launch) or starts the default cluster, and opens a connection to it. */
  startDefaultCluster(): Promise<void>
  /** Closes consoles, monitors, connections, and stops every cluster member. */
  shutdown(): Promise<void>
}

/** Builds every service and binds the contract's methods to them. Both the Electron app and browser mode use it. */
export function createAppServices(env: AppEnvironment): AppServices {
  const bus = new EventBus()
  const audit = new AuditLog(join(env.userDataDir, 'audit.jsonl'), bus)
  const profiles = new ProfileStore(join(env.userDataDir, 'profiles.json'), env.secretBox)
  const connections = new Connections(bus)
  const operations = new Operations(bus)
  const watches = new Watches(connections, bus)
  const znodes = new Znodes(connections, watches, operations, audit)
  const consoles = new Consoles(connections, bus, audit)
  const clusters = new Clusters(
    { userDataDir: env.userDataDir, zoodeskScript: env.zoodeskScript, ...(env.spawnMember === undefined ? {} : { spawnMember: env.spawnMember }) },
    bus,
  )
  const health = new Health(connections, (clusterId) => clusters.monitoredMembers(clusterId), bus)
  const forensics = new Forensics(operations, env.pickDirectory)
  const taps = new Taps(connections, bus)
  const sessions = new Sessions(connections, clusters)
  const quotas = new Quotas(connections, audit)
  const reconfig = new Reconfig(connections, audit)
  const diffs = new Diffs(connections, operations, audit)
  const history = new History(connections, clusters, operations, audit, bus)
  const codecPlugins = new CodecPlugins(codecPluginFolder(env.userDataDir), bus, env.openPath)
  let defaultConnectionId: string | null = null

  const profileAudit = (operation: string, detail: string) =>
    audit.record({ connectionId: null, connectionName: null, operation, path: null, oldVersion: null, newVersion: null, detail })
  const clusterAudit = (operation: string, view: ClusterView, detail?: string): ClusterView => {
    profileAudit(operation, detail === undefined ? view.name : `${view.name}: ${detail}`)
    return view
  }

  const handlers: Handlers = {
    'app.info': (): AppInfo => ({
      version: env.version,
      mode: env.mode,
      platform: process.platform,
      userDataDir: env.userDataDir,
      secretStorage: env.secretBox.kind,
      defaultClusterId: clusters.defaultCluster()?.clusterId ?? null,
      defaultConnectionId,
      confirmDeleteAbove: CONFIRM_DELETE_ABOVE,
    }),

    'connections.listProfiles': () => profiles.list(),
    'connections.saveProfile': ({ profile }) => {
      const saved = profiles.save(profile)
      connections.relabel(saved.id, saved.name, saved.color)
      profileAudit(profile.id === undefined ? 'profile create' : 'profile update', saved.name)
      return saved
    },
    'connections.deleteProfile': ({ profileId }) => {
      const deleted = profiles.delete(profileId)
      if (deleted) profileAudit('profile delete', profileId)
      return { deleted }
    },
    'connections.exportProfiles': () => profiles.exportJson(),
    'connections.importProfiles': ({ json }) => {
      const imported = profiles.importJson(json)
      profileAudit('profile import', `${imported.length} profiles`)
      return { imported }
    },
    'connections.test': (args) => {
      if (args.kind === 'profile') return testConnection(profiles.resolve(args.profileId))
      // A draft of a saved profile keeps the saved secrets the form left untouched.
      const draft = resolveDraft(args.profile)
      if (args.profile.id !== undefined) {
        const saved = profiles.resolve(args.profile.id)
        draft.credentials = args.profile.credentials.flatMap((credential) => {
          const password = credential.password === undefined ? saved.credentials.find((old) => old.user === credential.user)?.password : credential.password
          return typeof password === 'string' ? [{ user: credential.user, password }] : []
        })
        if (draft.tls !== null && args.profile.tls !== null) {
          if (args.profile.tls.keyPem === undefined) draft.tls.key = saved.tls?.key ?? null
          if (args.profile.tls.passphrase === undefined) draft.tls.passphrase = saved.tls?.passphrase ?? null
        }
      }
      return testConnection(draft)
    },
    'connections.open': (args) => {
      if (args.kind === 'profile') return connections.connect(profiles.resolve(args.profileId))
      const { connection } = args
      return connections.connect({
        id: null,
        name: connection.name ?? connection.connectString,
        connectString: connection.connectString,
        sessionTimeoutMs: connection.sessionTimeoutMs,
        readOnly: connection.readOnly,
        color: null,
        credentials: [],
        tls: null,
        ssh: null,
      })
    },
    'connections.close': async ({ connectionId }) => {
      if (connectionId === defaultConnectionId) defaultConnectionId = null
      return { closed: await connections.close(connectionId) }
    },
    'connections.list': () => connections.list(),

    'znodes.children': (args) => znodes.children(args),
    'znodes.get': (args) => znodes.get(args),
    'znodes.exists': (args) => znodes.exists(args),
    'znodes.set': (args) => znodes.set(args),
    'znodes.create': (args) => znodes.create(args),
    'znodes.delete': (args) => znodes.delete(args),
    'znodes.getAcl': (args) => znodes.getAcl(args),
    'znodes.setAcl': (args) => znodes.setAcl(args),
    'znodes.multi': (args) => znodes.multi(args),
    'znodes.deleteRecursive': (args) => znodes.deleteRecursive(args),
    'znodes.copy': (args) => znodes.copy(args),
    'znodes.move': (args) => znodes.copy(args, true),
    'znodes.export': (args) => znodes.export(args),
    'znodes.import': (args) => znodes.import(args),
    'znodes.search': (args) => znodes.search(args),
    'znodes.sessionInfo': ({ connectionId, sessionId }) => lookUpSession(connections.get(connectionId), sessionId),
    'operations.cancel': ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),

    'watches.add': ({ connectionId, path, kind }) => watches.add(connectionId, path, kind),
    'watches.remove': async ({ watchId }) => ({ removed: await watches.remove(watchId) }),
    'watches.list': ({ connectionId }) => watches.list(connectionId),

    'console.open': ({ connectionId }) => consoles.open(connectionId),
    'console.execute': ({ consoleId, line }) => consoles.execute(consoleId, line),
    'console.complete': ({ consoleId, line }) => consoles.complete(consoleId, line),
    'console.close': async ({ consoleId }) => ({ closed: await consoles.close(consoleId) }),

    'health.watch': (args) => health.watch(args),
    'health.unwatch': async ({ monitorId }) => ({ stopped: await health.unwatch(monitorId) }),
    'health.snapshot': ({ monitorId }) => health.snapshot(monitorId),
    'health.series': ({ monitorId, member, sinceMs }) => health.series(monitorId, member, sinceMs),
    'health.list': () => health.list(),

    'clusters.list': () => clusters.list(),
    'clusters.create': async (args) => clusterAudit('cluster create', await clusters.create(args), `${args.voters} voters, ${args.observers} observers, ${Array.isArray(args.kind) ? args.kind.join('+') : args.kind}${args.reconfigEnabled ? ', reconfigEnabled' : ''}`),
    'clusters.start': async ({ clusterId }) => clusterAudit('cluster start', await clusters.start(clusterId)),
    'clusters.stop': async ({ clusterId }) => clusterAudit('cluster stop', await clusters.stop(clusterId)),
    'clusters.remove': async (args) => {
      const name = clusters.byId(args.clusterId).name
      const removed = await clusters.remove(args)
      profileAudit('cluster remove', `${name}${args.deleteData ? ' (data deleted)' : ''}`)
      return { removed }
    },
    'clusters.killMember': async ({ clusterId, memberId }) => clusterAudit('cluster kill', await clusters.killMember(clusterId, memberId), `member ${memberId}`),
    'clusters.restartMember': async ({ clusterId, memberId }) => clusterAudit('cluster restart', await clusters.restartMember(clusterId, memberId), `member ${memberId}`),
    'clusters.partition': ({ clusterId, groups }) => clusterAudit('cluster partition', clusters.partition(clusterId, groups), JSON.stringify(groups)),
    'clusters.heal': ({ clusterId }) => clusterAudit('cluster heal', clusters.heal(clusterId)),
    'clusters.setDisk': async (args) => clusterAudit('cluster disk', await clusters.setDisk(args), `member ${args.memberId}: ${args.mode}${args.mode === 'slow' ? ` +${args.delayMs} ms` : ''}`),
    'clusters.timeline': ({ clusterId, sinceMs }) => clusters.timeline(clusterId, sinceMs),

    'audit.list': ({ offset, limit, connectionId }) => audit.list(offset, limit, connectionId),
    'audit.export': ({ format }) => audit.export(format),

    'forensics.open': (args) => forensics.openDataDir(args),
    'forensics.close': async ({ dataDirId }) => ({ closed: await forensics.close(dataDirId) }),
    'forensics.tree': (args) => forensics.tree(args),
    'forensics.children': (args) => forensics.children(args),
    'forensics.node': (args) => forensics.node(args),
    'forensics.txns': (args) => forensics.txns(args),
    'forensics.rate': (args) => forensics.rate(args),
    'forensics.txn': (args) => forensics.txn(args),
    'forensics.export': (args) => forensics.export(args),

    'tap.attach': (args) => taps.attach(args),
    'tap.detach': async ({ tapId }) => ({ detached: await taps.detach(tapId) }),
    'tap.list': () => taps.list(),
    'sessions.list': (args) => sessions.list(args),
    'sessions.expire': (args) => sessions.expire(args),

    'quotas.list': ({ connectionId }) => quotas.list(connectionId),
    'quotas.set': (args) => quotas.set(args),
    'quotas.delete': (args) => quotas.delete(args),
    'reconfig.config': ({ connectionId }) => reconfig.config(connectionId),
    'reconfig.preview': (args) => reconfig.preview(args),
    'reconfig.apply': (args) => reconfig.apply(args),

    'diffs.compare': (args) => diffs.compare(args),
    'diffs.compareImport': (args) => diffs.compareImport(args),
    'diffs.get': ({ diffId }) => diffs.get(diffId),
    'diffs.entries': (args) => diffs.entries(args),
    'diffs.entryData': (args) => diffs.entryData(args),
    'diffs.preview': (args) => diffs.preview(args),
    'diffs.apply': (args) => diffs.apply(args),
    'diffs.close': ({ diffId }) => ({ closed: diffs.close(diffId) }),

    'history.list': (args) => history.list(args),
    'history.version': (args) => history.version(args),
    'history.restore': (args) => history.restore(args),
    'history.forget': async ({ connectionId, path }) => ({ forgotten: await history.forget(connectionId, path) }),

    'codecs.plugins': () => codecPlugins.list(),
    'codecs.openFolder': () => codecPlugins.openFolder(),
  }

  const dispatcher = new Dispatcher(handlers, env.onInternalError)

  return {
    bus,
    dispatcher,
    async startDefaultCluster() {
      if (!env.defaultCluster) return
      await clusters.restoreSaved()
      let cluster = clusters.defaultCluster()
      if (cluster === null) {
        cluster = await clusters.create({
          name: DEFAULT_CLUSTER_NAME,
          voters: DEFAULT_CLUSTER_VOTERS,
          observers: 0,
          basePort: null,
          dataDir: null,
          tickTimeMs: 2000,
          kind: 'zoodesk',
          reconfigEnabled: false,
          start: true,
          isDefault: true,
        })
      } else {
        cluster = await clusters.start(cluster.clusterId)
      }
      const connection = await connections.connect({
        id: null,
        name: `${cluster.name} cluster`,
        connectString: cluster.connectString,
        sessionTimeoutMs: 30_000,
        readOnly: false,
        color: null,
        credentials: [],
        tls: null,
        ssh: null,
      })
      defaultConnectionId = connection.connectionId
    },
    async shutdown() {
      operations.cancelAll()
      codecPlugins.stopWatching()
      await consoles.closeAll().catch(() => {})
      await health.stopAll().catch(() => {})
      await forensics.closeAll().catch(() => {})
      await taps.stopAll().catch(() => {})
      await history.stopAll().catch(() => {})
      await connections.closeAll().catch(() => {})
      await clusters.stopAll()
    },
  }
}
