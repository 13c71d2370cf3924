import { readFileSync, readdirSync, readlinkSync } from 'node:fs'

/**
 * Reading another local process's CPU time and memory from Linux's /proc, to report server CPU per operation
 * (the steadiest figure on a shared 2-core machine) and resident memory. Every function returns undefined where
 * /proc is missing or the process is not ours to read.
 */

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux build we run on. */
const CLOCK_TICKS_PER_SECOND = 100

/** User + system CPU time of a whole process (all threads), in microseconds. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const userTicks = Number(fields[11])
    const systemTicks = Number(fields[12])
    if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return undefined
    return ((userTicks + systemTicks) * 1e6) / CLOCK_TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Resident set size (VmRSS) in bytes. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

/** Socket inodes listening on a TCP port (IPv4 and IPv6 tables). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const local = fields[1]
      if (local === undefined || fields[3] !== '0A') continue // 0A = LISTEN
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && fields[9] !== undefined) inodes.add(fields[9])
    }
  }
  return inodes
}

/** The pid of the local process listening on `port`, if we may look at its file descriptors. */
export function findListeningPid(port: number): number | undefined {
  const inodes = listeningInodes(port)
  if (inodes.size === 0) return undefined
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`))
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        if (targets.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid)
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return undefined
}
