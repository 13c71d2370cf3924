import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** How to run an Apache ZooKeeper 3.8 member. Defaults fit Debian's `zookeeper` package. */
export interface ApacheLaunchOptions {
  /** Default `java` (found on PATH). */
  javaPath?: string
  /** Default: Debian's jar plus what its manifest misses (see DEBIAN_CLASSPATH). */
  classpath?: string
  /** -Xmx in MiB. Default 1000, as Debian's zkEnv.sh. */
  heapMb?: number
  /** More JVM flags, e.g. ['-Dreadonlymode.enabled=true']. */
  jvmFlags?: readonly string[]
}

/**
 * Debian's server classpath is `/etc/zookeeper/conf:/usr/share/java/zookeeper.jar`, and the jar's manifest misses
 * an slf4j binding (the server would log nothing) and the servlet API (the AdminServer would not start:
 * NoClassDefFoundError javax/servlet/Servlet). servlet-api.jar comes with libjetty9-java.
 */
export const DEBIAN_CLASSPATH = [
  '/usr/share/java/zookeeper.jar',
  '/usr/share/java/slf4j-log4j12.jar',
  '/usr/share/java/log4j-1.2.jar',
  '/usr/share/java/servlet-api.jar',
].join(':')

export const APACHE_MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain'

export function apacheLogFile(memberDir: string): string {
  return join(memberDir, 'zookeeper.log')
}

/** log4j 1.2 settings writing one plain log file per member. */
export function log4jProperties(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.FileAppender',
    `log4j.appender.FILE.File=${logFile.replaceAll('\\', '\\\\')}`,
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n',
    '',
  ].join('\n')
}

export interface ApacheCommand {
  command: string
  args: string[]
}

export function apacheCommand(options: ApacheLaunchOptions, memberDir: string, configFile: string): ApacheCommand {
  const classpath = options.classpath ?? DEBIAN_CLASSPATH
  return {
    command: options.javaPath ?? 'java',
    args: [
      `-Xmx${options.heapMb ?? 1000}m`,
      // No hsperfdata file per JVM in /tmp.
      '-XX:-UsePerfData',
      `-Dlog4j.configuration=file:${join(memberDir, 'log4j.properties')}`,
      `-Dzookeeper.log.dir=${memberDir}`,
      ...(options.jvmFlags ?? []),
      '-cp',
      classpath,
      APACHE_MAIN_CLASS,
      configFile,
    ],
  }
}

/** A clear error when the default classpath's jars are missing (Apache ZooKeeper not installed). */
export function missingJars(options: ApacheLaunchOptions): string[] {
  if (options.classpath !== undefined) return []
  return DEBIAN_CLASSPATH.split(':').filter((jar) => !existsSync(jar))
}
