// Debian's Apache ZooKeeper 3.8.0 as ensemble members whose configuration names servers we play ourselves (only
// their election port), for interop tests of the election transport. Built on the compat harness's JVM pieces.
import type { ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killNow, spawnTracked } from '../../compat/harness/child'
import { FAST_JVM_FLAGS, JAVA, SERVER_CLASSPATH, SERVER_MAIN, log4jProperties } from '../../compat/harness/jvm'
import { LOOPBACK, fourLetter, freePort } from '../../compat/harness/net'

export interface ServerLine {
  id: number
  quorumPort: number
  electionPort: number
}

export interface ApacheMember {
  id: number
  clientPort: number
  dir: string
  logFile: string
  child: ChildProcess
}

/** Ports for `server.N` lines: free now, on 127.0.0.1. */
export async function serverLines(ids: readonly number[]): Promise<ServerLine[]> {
  const lines: ServerLine[] = []
  for (const id of ids) lines.push({ id, quorumPort: await freePort(), electionPort: await freePort() })
  return lines
}

/** `server.N=…` lines as Apache's QuorumVerifier.toString prints them (what notifications carry), then the version. */
export function membershipText(servers: readonly ServerLine[]): string {
  return servers.map((s) => `server.${s.id}=${LOOPBACK}:${s.quorumPort}:${s.electionPort}:participant\n`).join('') + 'version=0'
}

/** Starts the members in `ids` (each with its own dir, myid and zoo.cfg naming every server). */
export async function startApacheMembers(ids: readonly number[], servers: readonly ServerLine[]): Promise<ApacheMember[]> {
  const members: ApacheMember[] = []
  try {
    for (const id of ids) members.push(await launch(id, servers))
  } catch (error) {
    await stopApacheMembers(members)
    throw error
  }
  return members
}

async function launch(id: number, servers: readonly ServerLine[]): Promise<ApacheMember> {
  const dir = mkdtempSync(join(tmpdir(), `zoodesk-quorum-net-apache-${id}-`))
  const dataDir = join(dir, 'data')
  mkdirSync(dataDir)
  writeFileSync(join(dataDir, 'myid'), `${id}\n`)
  const clientPort = await freePort()
  const config = [
    'tickTime=500',
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${dataDir}`,
    `clientPort=${clientPort}`,
    `clientPortAddress=${LOOPBACK}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    ...servers.map((s) => `server.${s.id}=${LOOPBACK}:${s.quorumPort}:${s.electionPort}`),
  ]
  writeFileSync(join(dir, 'zoo.cfg'), config.join('\n') + '\n')
  const logFile = join(dir, 'zookeeper.log')
  writeFileSync(join(dir, 'log4j.properties'), log4jProperties(logFile))
  const out = openSync(join(dir, 'jvm.out'), 'a')
  try {
    const child = spawnTracked(
      JAVA,
      [
        '-Xmx128m',
        ...FAST_JVM_FLAGS,
        `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
        `-Dzookeeper.log.dir=${dir}`,
        '-cp',
        SERVER_CLASSPATH,
        SERVER_MAIN,
        join(dir, 'zoo.cfg'),
      ],
      { cwd: dir, stdio: ['ignore', out, out] },
    )
    return { id, clientPort, dir, logFile, child }
  } finally {
    closeSync(out)
  }
}

/** `leader` / `follower` once the member has joined a quorum, else null. */
export async function modeOf(member: ApacheMember): Promise<string | null> {
  try {
    const srvr = await fourLetter(LOOPBACK, member.clientPort, 'srvr', { timeoutMs: 1000 })
    return /^Mode: (\w+)/m.exec(srvr)?.[1] ?? null
  } catch {
    return null
  }
}

export function apacheLog(member: ApacheMember): string {
  try {
    return readFileSync(member.logFile, 'utf8')
  } catch {
    return ''
  }
}

/** SIGKILL (nothing to keep) and remove the dirs. Keeps them with ZOODESK_COMPAT_KEEP=1. */
export async function stopApacheMembers(members: readonly ApacheMember[]): Promise<void> {
  await Promise.all(members.map((member) => killNow(member.child)))
  if (process.env['ZOODESK_COMPAT_KEEP'] === '1') return
  for (const member of members) rmSync(member.dir, { recursive: true, force: true })
}
