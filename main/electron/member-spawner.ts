import type { MemberSpawner } from '../../engine/cluster'
import { defaultZooDeskSpawner } from '../../engine/cluster/member-process'

/**
 * Cluster members from inside Electron: Electron's own binary run as plain Node (ELECTRON_RUN_AS_NODE), as child
 * processes with Node's IPC channel, which the members watch to die with the app (plus the kernel's parent-death
 * signal on Linux). utilityProcess would give a MessagePort instead of that channel.
 */
export function electronMemberSpawner(): MemberSpawner {
  const spawn = defaultZooDeskSpawner({ nodePath: process.execPath })
  return (launch) => spawn({ ...launch, env: { ...launch.env, ELECTRON_RUN_AS_NODE: '1' } })
}
