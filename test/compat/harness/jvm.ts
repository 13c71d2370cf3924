// How the harness runs Debian's Apache ZooKeeper 3.8.0 JVMs, and how it makes them start fast.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const JAVA = '/usr/bin/java'

/**
 * Server classpath. Debian's own is `/etc/zookeeper/conf:/usr/share/java/zookeeper.jar`, and
 * the jar's manifest Class-Path misses two things:
 * - an slf4j binding, so the server would log nothing: the log4j 1.2 binding lets our
 *   log4j.properties write a log file per server;
 * - the servlet API, so the AdminServer never starts (a WARN "Unable to load jetty", then
 *   NoClassDefFoundError javax/servlet/Servlet): servlet-api.jar comes with libjetty9-java.
 * The conf dir is left out on purpose: our log4j config is given by URL, and a non-empty
 * directory on the classpath forbids an AppCDS archive.
 */
export const SERVER_CLASSPATH = [
  '/usr/share/java/zookeeper.jar',
  '/usr/share/java/slf4j-log4j12.jar',
  '/usr/share/java/log4j-1.2.jar',
  '/usr/share/java/servlet-api.jar',
].join(':')

export const SERVER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain'

/**
 * Start-up oriented flags: C1 only and serial GC cut JIT and GC thread start-up on 2 cores;
 * no perf-data file in /tmp per JVM. Measured: about 630 ms → 560 ms to a serving server.
 */
export const FAST_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', '-XX:-UsePerfData']

export function log4jProperties(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.FileAppender',
    `log4j.appender.FILE.File=${logFile}`,
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n',
    '',
  ].join('\n')
}

/** `-Dkey=value` for each system property. */
export function systemPropertyFlags(properties: Readonly<Record<string, string>>): string[] {
  return Object.entries(properties).map(([key, value]) => `-D${key}=${value}`)
}

// ---- AppCDS -----------------------------------------------------------------------------
//
// A dynamic class-data-sharing archive of the server's classes takes another ~25% off JVM
// start-up (about 560 ms → 450 ms). The first server started without an archive writes one
// when it exits normally; later starts map it. The JVM validates the archive itself (JDK
// build, classpath jars' sizes and mtimes) and silently runs without it when it does not
// match, so a stale file costs speed, never correctness. Set ZOODESK_COMPAT_NO_CDS=1 to
// turn this off.

const CDS_DIR = join(tmpdir(), 'zoodesk-compat-cds')

function archivePath(classpath: string, flags: readonly string[]): string {
  const hash = createHash('sha256')
  hash.update(JAVA).update('\0').update(flags.join(' ')).update('\0')
  for (const entry of classpath.split(':')) {
    const st = statSync(entry)
    hash.update(`${entry}:${st.size}:${st.mtimeMs}\0`)
  }
  return join(CDS_DIR, `zk-server-${hash.digest('hex').slice(0, 16)}.jsa`)
}

export interface CdsPlan {
  /** Flags to add to the java command line. */
  flags: string[]
  /** The JVM records the archive while exiting: it must exit by SIGTERM, not SIGKILL. */
  recording: boolean
  /** Call once the JVM has exited, with its stdout/stderr log file, to publish or drop the archive. */
  afterExit(exitedNormally: boolean, jvmOutputFile: string): void
}

export function cdsPlan(classpath: string, flags: readonly string[]): CdsPlan {
  const none: CdsPlan = { flags: [], recording: false, afterExit: () => {} }
  if (process.env['ZOODESK_COMPAT_NO_CDS'] === '1') return none
  let archive: string
  try {
    mkdirSync(CDS_DIR, { recursive: true })
    archive = archivePath(classpath, flags)
  } catch {
    return none
  }
  if (existsSync(archive)) {
    return {
      flags: [`-XX:SharedArchiveFile=${archive}`],
      recording: false,
      afterExit: (_normally, jvmOutputFile) => {
        // The JVM says so on stdout when it could not map the archive: drop it, so the next
        // start records a fresh one.
        if (readTextOrEmpty(jvmOutputFile).includes('Unable to use shared archive')) rmSync(archive, { force: true })
      },
    }
  }
  // Each recorder writes its own file and renames it into place: parallel test workers may
  // record at the same time, and a reader must never map a half-written archive.
  const partial = `${archive}.${process.pid}.${Date.now()}.tmp`
  return {
    flags: [`-XX:ArchiveClassesAtExit=${partial}`],
    recording: true,
    afterExit: (normally) => {
      try {
        if (normally && existsSync(partial)) renameSync(partial, archive)
      } finally {
        rmSync(partial, { force: true })
      }
    },
  }
}

function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
