import { LOOPBACK, type PortLayout, linkPort } from './port-layout'

/** One member as the cluster plans it. */
export type MemberRole = 'participant' | 'observer'
export type MemberKind = 'zoodesk' | 'apache'

export interface MemberPlan {
  id: number
  role: MemberRole
  kind: MemberKind
}

export type ConfigValue = string | number | boolean

export interface EnsembleSettings {
  tickTimeMs: number
  initLimitTicks: number
  syncLimitTicks: number
  /** Extra zoo.cfg keys, written last; `null` removes a key the cluster would write. */
  extraConfig: Readonly<Record<string, ConfigValue | null>>
  /** Peers are named by the link ports of the cluster's proxies (default), or by their real ports. */
  peerLinks?: boolean
}

/**
 * The zoo.cfg of one member, as key/value pairs in file order. Both kinds read the same keys. Local clusters exist
 * to be inspected: every four-letter word and the AdminServer (on loopback) are on. `reconfigEnabled` stays false:
 * members' configs differ on purpose (each names its peers by the link ports of its own proxies), and dynamic
 * reconfiguration would spread one member's view to the others. LocalClusterOptions.reconfigEnabled turns it on
 * (Apache and ZooDesk members), with peers named by their real ports (extraConfig is written last).
 */
export function memberConfigEntries(
  member: MemberPlan,
  members: readonly MemberPlan[],
  layout: PortLayout,
  settings: EnsembleSettings,
  zooKeeperDataDir: string,
): Map<string, string> {
  const own = layout.members[member.id - 1]
  if (own === undefined || own.id !== member.id) throw new RangeError(`member ${member.id} is not in the port layout`)
  const entries = new Map<string, string>([
    ['tickTime', String(settings.tickTimeMs)],
    ['initLimit', String(settings.initLimitTicks)],
    ['syncLimit', String(settings.syncLimitTicks)],
    ['dataDir', zooKeeperDataDir],
    ['clientPort', String(own.clientPort)],
    ['clientPortAddress', LOOPBACK],
    ['4lw.commands.whitelist', '*'],
    ['admin.enableServer', 'true'],
    ['admin.serverAddress', LOOPBACK],
    ['admin.serverPort', String(own.adminPort)],
    ['reconfigEnabled', 'false'],
    // TTL nodes on, so a test cluster can hold every node type (Apache turns an unknown key into the system
    // property zookeeper.<key>; ZooDesk reads it as the same setting).
    ['extendedTypesEnabled', 'true'],
  ])
  // One voter and no observers runs standalone, as Apache does; any other shape needs the quorum protocol (Apache
  // refuses observers with standaloneEnabled=true and a single voter).
  if (members.length > 1) entries.set('standaloneEnabled', 'false')
  if (member.role === 'observer') entries.set('peerType', 'observer')
  for (const peer of members) {
    const ports = layout.members[peer.id - 1]
    if (ports === undefined) throw new RangeError(`member ${peer.id} is not in the port layout`)
    const direct = peer.id === member.id || settings.peerLinks === false
    const quorumPort = direct ? ports.quorumPort : linkPort(layout.basePort, layout.memberCount, member.id, peer.id, 'quorum')
    const electionPort = direct ? ports.electionPort : linkPort(layout.basePort, layout.memberCount, member.id, peer.id, 'election')
    const roleSuffix = peer.role === 'observer' ? ':observer' : ''
    entries.set(`server.${peer.id}`, `${LOOPBACK}:${quorumPort}:${electionPort}${roleSuffix};${LOOPBACK}:${ports.clientPort}`)
  }
  for (const [key, value] of Object.entries(settings.extraConfig)) {
    if (value === null) entries.delete(key)
    else entries.set(key, String(value))
  }
  return entries
}

/** Java properties text; our values (paths, numbers, addresses) need no escaping except backslashes on Windows. */
export function renderZooCfg(member: MemberPlan, entries: ReadonlyMap<string, string>): string {
  const header = `# Member ${member.id} (${member.role}, ${member.kind}) of a ZooDesk local cluster. Rewritten at every start.\n`
  return header + [...entries].map(([key, value]) => `${key}=${value.replaceAll('\\', '\\\\')}`).join('\n') + '\n'
}
