import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../engine/node/config-error'
import { FOUR_LETTER_WORDS, type ParsedMemberConfig, defaultMemberConfig, parseMemberConfig } from '../../../engine/node/config'
import type { MemberConfig } from '../../../engine/node/config-types'
import { parseJvmFlags, systemPropertiesFromEnv } from '../../../engine/node/jvm-flags'

const FIXTURES = join(__dirname, 'fixtures')

interface Options {
  files?: Record<string, string>
  env?: Record<string, string>
}

function parse(text: string, options: Options = {}): ParsedMemberConfig {
  return parseMemberConfig({
    configText: text,
    configPath: '/conf/zoo.cfg',
    systemProperties: systemPropertiesFromEnv(options.env ?? {}),
    readFile: (path) => options.files?.[path] ?? null,
  })
}

function parseError(text: string, options: Options = {}): ConfigError {
  try {
    parse(text, options)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

const BASE = 'dataDir=/data\n'
const QUORUM = `${BASE}initLimit=10\nsyncLimit=5\nserver.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nserver.3=zk3:2888:3888\n`

describe('zoo.cfg samples shipped with ZooKeeper', () => {
  it.each(['debian-zoo.cfg', 'apache-zoo_sample.cfg'])('%s parses to a standalone member with Apache defaults', (name) => {
    const text = readFileSync(join(FIXTURES, name), 'utf8')
    const { config, warnings } = parse(text)
    const expected: MemberConfig = {
      ...defaultMemberConfig('/tmp/zookeeper'),
      configPath: '/conf/zoo.cfg',
      configText: text,
      tickTimeMs: 2000,
      initLimitTicks: 10,
      syncLimitTicks: 5,
      clientPort: 2181,
      minSessionTimeoutMs: 4000,
      maxSessionTimeoutMs: 40000,
    }
    expect(config).toEqual(expected)
    expect(warnings).toEqual([])
  })
})

describe('values from zoo.cfg keys', () => {
  const cases: Array<{ name: string; text: string; expect: Partial<MemberConfig> }> = [
    { name: 'code defaults without tickTime', text: BASE, expect: { tickTimeMs: 3000, minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 60000 } },
    { name: 'session timeouts follow tickTime', text: `${BASE}tickTime=100`, expect: { minSessionTimeoutMs: 200, maxSessionTimeoutMs: 2000 } },
    { name: 'explicit session timeouts', text: `${BASE}minSessionTimeout=1000\nmaxSessionTimeout=9000`, expect: { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 9000 } },
    { name: '-1 session timeouts mean the default', text: `${BASE}tickTime=1000\nminSessionTimeout=-1\nmaxSessionTimeout=-1`, expect: { minSessionTimeoutMs: 2000, maxSessionTimeoutMs: 20000 } },
    { name: 'dataLogDir defaults to dataDir', text: BASE, expect: { dataDir: '/data', dataLogDir: '/data' } },
    { name: 'dataLogDir', text: `${BASE}dataLogDir=/log`, expect: { dataLogDir: '/log' } },
    { name: 'values are trimmed', text: 'dataDir =  /data  \ntickTime\t2000  ', expect: { dataDir: '/data', tickTimeMs: 2000 } },
    { name: 'clientPort and address', text: `${BASE}clientPort=2281\nclientPortAddress=127.0.0.1`, expect: { clientPort: 2281, clientPortAddress: '127.0.0.1' } },
    { name: 'maxClientCnxns, backlog', text: `${BASE}maxClientCnxns=0\nclientPortListenBacklog=50`, expect: { maxClientCnxns: 0, clientPortListenBacklog: 50 } },
    { name: 'autopurge', text: `${BASE}autopurge.snapRetainCount=5\nautopurge.purgeInterval=24`, expect: { autopurgeSnapRetainCount: 5, autopurgePurgeIntervalHours: 24 } },
    { name: 'autopurge.snapRetainCount below 3 becomes 3', text: `${BASE}autopurge.snapRetainCount=1`, expect: { autopurgeSnapRetainCount: 3 } },
    { name: 'snapCount via zoo.cfg', text: `${BASE}snapCount=5000`, expect: { snapCount: 5000 } },
    { name: 'snapCount below 2 becomes 2', text: `${BASE}snapCount=1`, expect: { snapCount: 2 } },
    { name: 'preAllocSize and snapSizeLimitInKb are KiB', text: `${BASE}preAllocSize=1024\nsnapSizeLimitInKb=10`, expect: { preAllocSizeBytes: 1048576, snapSizeLimitBytes: 10240 } },
    { name: 'forceSync=no turns fsync off', text: `${BASE}forceSync=no`, expect: { forceSync: false } },
    { name: 'forceSync=false does not (only "no" does)', text: `${BASE}forceSync=false`, expect: { forceSync: true } },
    { name: 'skipACL=yes', text: `${BASE}skipACL=yes`, expect: { skipACL: true } },
    { name: 'skipACL=true is not "yes"', text: `${BASE}skipACL=true`, expect: { skipACL: false } },
    { name: 'enforceQuota, digest.enabled', text: `${BASE}enforceQuota=TRUE\ndigest.enabled=false`, expect: { enforceQuota: true, digestEnabled: false } },
    { name: 'globalOutstandingLimit, maxCnxns', text: `${BASE}globalOutstandingLimit=50\nmaxCnxns=7`, expect: { globalOutstandingLimit: 50, maxCnxns: 7 } },
    { name: 'negative maxCnxns means unlimited', text: `${BASE}maxCnxns=-4`, expect: { maxCnxns: 0 } },
    { name: 'extendedTypesEnabled with and without zookeeper.', text: `${BASE}zookeeper.extendedTypesEnabled=true`, expect: { extendedTypesEnabled: true } },
    { name: 'extendedTypesEnabled bare', text: `${BASE}extendedTypesEnabled=true`, expect: { extendedTypesEnabled: true } },
    {
      name: 'container settings',
      text: `${BASE}znode.container.checkIntervalMs=100\nznode.container.maxPerMinute=5\nzookeeper.znode.container.maxNeverUsedIntervalMs=60000`,
      expect: { containerCheckIntervalMs: 100, containerMaxPerMinute: 5, containerMaxNeverUsedIntervalMs: 60000 },
    },
    { name: 'jute.maxbuffer', text: `${BASE}jute.maxbuffer=4194304`, expect: { juteMaxBufferBytes: 4194304 } },
    { name: 'superDigest', text: `${BASE}DigestAuthenticationProvider.superDigest=super:abc=`, expect: { superDigest: 'super:abc=' } },
    {
      name: 'admin server',
      text: `${BASE}admin.enableServer=false\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=9090\nadmin.commandURL=/cmd`,
      expect: { adminEnableServer: false, adminServerAddress: '127.0.0.1', adminServerPort: 9090, adminCommandUrl: '/cmd' },
    },
    { name: 'admin.enableServer=no keeps it on (only "false" turns it off)', text: `${BASE}admin.enableServer=no`, expect: { adminEnableServer: true } },
    { name: 'reconfigEnabled, standaloneEnabled', text: `${BASE}reconfigEnabled=true\nstandaloneEnabled=true`, expect: { reconfigEnabled: true, standaloneEnabled: true } },
    { name: 'peerType', text: `${BASE}peerType=participant`, expect: { peerType: 'participant' } },
    { name: 'secureClientPort is kept (and warned about)', text: `${BASE}secureClientPort=2282`, expect: { secureClientPort: 2282 } },
  ]

  it.each(cases)('$name', ({ text, expect: expected }) => {
    expect(parse(text).config).toMatchObject(expected)
  })

  it('keeps the config path and raw text', () => {
    const { config } = parse(BASE)
    expect(config.configPath).toBe('/conf/zoo.cfg')
    expect(config.configText).toBe(BASE)
  })
})

describe('4lw.commands.whitelist', () => {
  const whitelist = (text: string, env: Record<string, string> = {}) => [...parse(`${BASE}${text}`, { env }).config.fourLetterWordWhitelist].sort()

  it('defaults to srvr only', () => expect(whitelist('')).toEqual(['srvr']))
  it('adds srvr to a given list, trimming items', () => expect(whitelist('4lw.commands.whitelist= ruok , mntr,,conf')).toEqual(['conf', 'mntr', 'ruok', 'srvr']))
  it('expands * to every known word', () => expect(whitelist('4lw.commands.whitelist=*')).toEqual([...FOUR_LETTER_WORDS].sort()))
  it('adds isro in read-only mode', () => expect(whitelist('readonlymode.enabled=true')).toEqual(['isro', 'srvr']))
  it('reads zookeeper.4lw.commands.whitelist from SERVER_JVMFLAGS', () =>
    expect(whitelist('', { SERVER_JVMFLAGS: '-Xmx1g -Dzookeeper.4lw.commands.whitelist=ruok,stat' })).toEqual(['ruok', 'srvr', 'stat']))
})

describe('system properties from the environment', () => {
  it('parses -D items and skips other JVM flags', () => {
    expect(parseJvmFlags('-Xmx1000m -Da=1 -XX:+UseG1GC -Db -Dc="x y" -Dd=\'q\'', 'JVMFLAGS')).toEqual([
      { name: 'a', value: '1', source: 'JVMFLAGS' },
      { name: 'b', value: '', source: 'JVMFLAGS' },
      { name: 'c', value: '"x', source: 'JVMFLAGS' }, // split on blanks like the shell's unquoted $JVMFLAGS
      { name: 'd', value: 'q', source: 'JVMFLAGS' },
    ])
  })

  it('applies SERVER_JVMFLAGS and JVMFLAGS, JVMFLAGS winning (zkServer.sh puts it last)', () => {
    const { config } = parse(BASE, {
      env: { SERVER_JVMFLAGS: '-Dzookeeper.snapCount=10 -Dzookeeper.extendedTypesEnabled=true', JVMFLAGS: '-Dzookeeper.snapCount=20' },
    })
    expect(config.snapCount).toBe(20)
    expect(config.extendedTypesEnabled).toBe(true)
  })

  it('lets zoo.cfg win over -D, as Apache does (zoo.cfg keys overwrite zookeeper.* properties)', () => {
    const { config } = parse(`${BASE}snapCount=30\nzookeeper.skipACL=no`, { env: { JVMFLAGS: '-Dzookeeper.snapCount=20 -Dzookeeper.skipACL=yes' } })
    expect(config.snapCount).toBe(30)
    expect(config.skipACL).toBe(false)
  })

  it('accepts unprefixed JVM-only properties and prefixed ones alike', () => {
    const { config } = parse(BASE, { env: { JVMFLAGS: '-Djute.maxbuffer=2000000 -Dreadonlymode.enabled=true -Dzookeeper.znode.container.checkIntervalMs=500' } })
    expect(config.juteMaxBufferBytes).toBe(2000000)
    expect(config.readOnlyModeEnabled).toBe(true)
    expect(config.containerCheckIntervalMs).toBe(500)
  })

  it('ignores -D for QuorumPeerConfig’s own keys (the JVM has no such properties)', () => {
    const { config, warnings } = parse(`${BASE}clientPort=2181`, { env: { JVMFLAGS: '-Dzookeeper.tickTime=5 -DtickTime=5 -Dzookeeper.log.dir=/var/log' } })
    expect(config.tickTimeMs).toBe(3000)
    expect(warnings).toEqual([])
  })

  it('reports a bad number in a property with the variable it came from', () => {
    expect(parseError(BASE, { env: { JVMFLAGS: '-Dzookeeper.snapCount=lots' } }).message).toBe(
      'JVMFLAGS: zookeeper.snapCount: "lots" is not a whole number',
    )
  })
})

describe('ensembles', () => {
  const myid = (id: string) => ({ files: { '/data/myid': id } })

  it('parses a 3-member ensemble with the myid file', () => {
    const { config, warnings } = parse(`${QUORUM}clientPort=2181`, myid('2\n'))
    expect(config.myId).toBe(2)
    expect(config.servers).toEqual([
      { id: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant' },
      { id: 2, host: 'zk2', quorumPort: 2888, electionPort: 3888, role: 'participant' },
      { id: 3, host: 'zk3', quorumPort: 2888, electionPort: 3888, role: 'participant' },
    ])
    expect(config.peerType).toBe('participant')
    expect(warnings).toEqual([])
  })

  it('takes the client port from its own server.N tail', () => {
    const text = `${BASE}initLimit=5\nsyncLimit=2\nserver.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.1:2889:3889;127.0.0.2:2182\nserver.3=[::1]:2890:3890:observer;2183`
    const { config } = parse(text, myid('2'))
    expect(config.clientPort).toBe(2182)
    expect(config.clientPortAddress).toBe('127.0.0.2')
    expect(config.servers[0]).toEqual({ id: 1, host: '127.0.0.1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientHost: '0.0.0.0', clientPort: 2181 })
    expect(config.servers[2]).toEqual({ id: 3, host: '::1', quorumPort: 2890, electionPort: 3890, role: 'observer', clientHost: '0.0.0.0', clientPort: 2183 })
  })

  it('an observer member takes its role from the server list', () => {
    const { config } = parse(`${QUORUM}server.4=zk4:2888:3888:observer\nclientPort=2181\npeerType=observer`, myid('4'))
    expect(config.peerType).toBe('observer')
  })

  it('warns when peerType disagrees with the server list and uses the list', () => {
    const { config, warnings } = parse(`${QUORUM}clientPort=2181\npeerType=observer`, myid('1'))
    expect(config.peerType).toBe('participant')
    expect(warnings).toEqual(['peerType observer does not match the server list (participant); using the server list'])
  })

  it('runs standalone with a single server line and says so', () => {
    const { config, warnings } = parse(`${BASE}clientPort=2181\nserver.1=zk1:2888:3888`)
    expect(config.servers).toEqual([])
    expect(config.myId).toBe(0)
    expect(warnings).toEqual(['only one server is specified, so it is ignored and this member runs standalone (as Apache does)'])
  })

  it('runs the quorum code for one server when standaloneEnabled=false', () => {
    const { config } = parse(`${BASE}standaloneEnabled=false\ninitLimit=5\nsyncLimit=2\nclientPort=2181\nserver.1=zk1:2888:3888`, myid('1'))
    expect(config.servers).toHaveLength(1)
    expect(config.myId).toBe(1)
  })

  it('warns about even and too small ensembles', () => {
    expect(parse(`${BASE}initLimit=5\nsyncLimit=2\nclientPort=1\nserver.1=a:1:2\nserver.2=b:1:2`, myid('1')).warnings).toEqual([
      'no server failure will be tolerated: you need at least 3 servers',
    ])
    expect(parse(`${QUORUM}server.4=d:1:2\nclientPort=1`, myid('1')).warnings).toEqual(['non-optimal configuration: consider an odd number of servers'])
  })

  it('reads servers from a dynamicConfigFile', () => {
    const files = { '/conf/zoo.cfg.dynamic.100000000': 'server.1=a:1:2;2181\nserver.2=b:1:2;2181\nserver.3=c:1:2;2181\n', '/data/myid': '3' }
    const { config } = parse(`${BASE}initLimit=5\nsyncLimit=2\ndynamicConfigFile=/conf/zoo.cfg.dynamic.100000000`, { files })
    expect(config.servers.map((s) => s.host)).toEqual(['a', 'b', 'c'])
    expect(config.clientPort).toBe(2181)
    expect(config.myId).toBe(3)
  })
})

describe('warnings', () => {
  it('keeps unknown keys in extraProperties and names them', () => {
    const { config, warnings } = parse(`${BASE}clientPort=2181\nfoo.bar=1\nmetricsProvider.className=x.Y\nmaxBatchSize=100`)
    expect(config.extraProperties).toEqual({ 'foo.bar': '1', 'metricsProvider.className': 'x.Y', maxBatchSize: '100' })
    expect(warnings).toEqual(['/conf/zoo.cfg:3: unknown key foo.bar; kept but ignored'])
  })

  it('says when a setting ZooDesk lacks is turned on, not when it is left at its default', () => {
    const { warnings } = parse(`${BASE}clientPort=2181\nsslQuorum=false\nmultiAddress.enabled=true\nssl.keyStore.location=/k`)
    expect(warnings).toEqual([
      '/conf/zoo.cfg:5: ssl.keyStore.location=/k is not supported by ZooDesk; ignored',
      '/conf/zoo.cfg:4: multiAddress.enabled=true is not supported by ZooDesk; ignored',
    ])
  })

  it('explains values Apache reads as something else', () => {
    const { warnings } = parse(`${BASE}clientPort=2181\nskipACL=true\nextendedTypesEnabled=yes`)
    expect(warnings).toEqual([
      '/conf/zoo.cfg:3: skipACL=true: Apache ZooKeeper only acts on the exact value "yes", so this means "no"',
      '/conf/zoo.cfg:4: extendedTypesEnabled=yes: not true or false, so it means false (as in Apache)',
    ])
  })

  it('warns about duplicates (the last one wins), relative paths, and a missing clientPort', () => {
    const { config, warnings } = parse('dataDir=data\ntickTime=1000\ntickTime=2000')
    expect(config.tickTimeMs).toBe(2000)
    expect(config.clientPort).toBe(2181)
    expect(warnings).toEqual([
      '/conf/zoo.cfg:3: tickTime is set again (first at line 2); the last value wins',
      '/conf/zoo.cfg:1: dataDir=data: is a relative path, resolved against the current directory',
      'clientPort is not set (Apache ZooKeeper would open no client port); ZooDesk listens on 2181',
    ])
  })
})

describe('errors name the file, line and key', () => {
  const cases: Array<{ name: string; text: string; message: string; options?: Options }> = [
    { name: 'missing dataDir', text: 'tickTime=2000', message: '/conf/zoo.cfg: dataDir is not set (every member needs one)' },
    { name: 'empty dataDir', text: 'dataDir=', message: '/conf/zoo.cfg:1: dataDir: the path is empty' },
    { name: 'bad number', text: `${BASE}tickTime=2s`, message: '/conf/zoo.cfg:2: tickTime: "2s" is not a whole number' },
    { name: 'number out of int range', text: `${BASE}maxClientCnxns=3000000000`, message: '/conf/zoo.cfg:2: maxClientCnxns: 3000000000 is out of range (-2147483648..2147483647)' },
    { name: 'tickTime 0', text: `${BASE}tickTime=0`, message: '/conf/zoo.cfg:2: tickTime: tickTime is not set (0)' },
    { name: 'port out of range', text: `${BASE}clientPort=70000`, message: '/conf/zoo.cfg:2: clientPort: 70000 is out of range (0..65535)' },
    { name: 'bad boolean in a direct key', text: `${BASE}standaloneEnabled=yes`, message: '/conf/zoo.cfg:2: standaloneEnabled: "yes" is not a boolean: use true or false' },
    { name: 'type-checks keys we do not act on', text: `${BASE}syncEnabled=maybe`, message: '/conf/zoo.cfg:2: syncEnabled: "maybe" is not a boolean: use true or false' },
    { name: 'min > max session timeout', text: `${BASE}minSessionTimeout=5000\nmaxSessionTimeout=4000`, message: '/conf/zoo.cfg:2: minSessionTimeout (5000 ms) must not be larger than maxSessionTimeout (4000 ms)' },
    { name: 'electionAlg other than 3', text: `${BASE}electionAlg=0`, message: '/conf/zoo.cfg:2: electionAlg: only 3 (fast leader election over TCP) is supported' },
    { name: 'bad peerType', text: `${BASE}peerType=leader`, message: '/conf/zoo.cfg:2: peerType: unknown peer type "leader": use participant or observer' },
    { name: 'clientPortAddress without clientPort', text: `${BASE}clientPortAddress=127.0.0.1`, message: '/conf/zoo.cfg:2: clientPortAddress: clientPortAddress is set but clientPort is not set' },
    { name: 'server line with two fields', text: `${QUORUM}server.4=zk4:2888`, message: '/conf/zoo.cfg:7: server.4: "zk4:2888": expected host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort], e.g. server.1=zk1:2888:3888;2181' },
    { name: 'server line with a bad port', text: `${QUORUM}server.4=zk4:2888:x`, message: '/conf/zoo.cfg:7: server.4: election port "x" is not a port number; expected host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort], e.g. server.1=zk1:2888:3888;2181' },
    { name: 'server line with equal ports', text: `${QUORUM}server.4=zk4:2888:2888`, message: '/conf/zoo.cfg:7: server.4: the quorum port and the election port must be different (both 2888)' },
    { name: 'server line with a bad role', text: `${QUORUM}server.4=zk4:1:2:leader`, message: '/conf/zoo.cfg:7: server.4: unknown role "leader": use participant or observer' },
    { name: 'server id not a number', text: `${QUORUM}server.x=zk4:1:2`, message: '/conf/zoo.cfg:7: server.x: the server id "x" is not a number' },
    { name: 'server id too large', text: `${QUORUM}server.300=zk4:1:2`, message: '/conf/zoo.cfg:7: server.300: server id 300 is out of range (0..255)' },
    { name: 'several addresses', text: `${QUORUM}server.4=a:1:2|b:1:2`, message: '/conf/zoo.cfg:7: server.4: several addresses per server (multiAddress) are not supported by ZooDesk' },
    { name: 'hierarchical quorums', text: `${QUORUM}group.1=1:2:3`, message: '/conf/zoo.cfg:7: group.1: hierarchical quorums (group.N / weight.N) are not supported by ZooDesk' },
    { name: 'observers only', text: `${BASE}server.1=a:1:2:observer`, message: 'observers without participants is an invalid configuration' },
    { name: 'quorum without initLimit', text: `${BASE}syncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2`, message: '/conf/zoo.cfg: initLimit is not set (needed with several servers)', options: { files: { '/data/myid': '1' } } },
    { name: 'quorum without myid', text: QUORUM, message: 'myid file is missing: write this member\'s server id into /data/myid' },
    { name: 'myid not a number', text: QUORUM, message: '/data/myid: the server id "one" is not a number from 0 to 255', options: { files: { '/data/myid': 'one' } } },
    { name: 'myid not in the list', text: QUORUM, message: '/data/myid says 7, but there is no server.7 line', options: { files: { '/data/myid': '7' } } },
    {
      name: 'client port disagreeing with the server tail',
      text: `${BASE}initLimit=5\nsyncLimit=2\nclientPort=2181\nserver.1=a:1:2;2182\nserver.2=b:1:2;2182\nserver.3=c:1:2;2182`,
      message: '/conf/zoo.cfg:5: server.1: the client address 0.0.0.0:2182 differs from clientPortAddress/clientPort 0.0.0.0:2181',
      options: { files: { '/data/myid': '1' } },
    },
    { name: 'server lines beside dynamicConfigFile', text: `${QUORUM}dynamicConfigFile=/d`, message: '/conf/zoo.cfg:4: server.1: must be in the separate dynamic config file (dynamicConfigFile is set)' },
    { name: 'malformed escape', text: `${BASE}a=\\uZZZZ`, message: '/conf/zoo.cfg:2: malformed \\uxxxx escape' },
    { name: 'SASL required without SASL', text: `${BASE}quorum.auth.serverRequireSasl=true`, message: '/conf/zoo.cfg:2: quorum.auth.serverRequireSasl: quorum.auth.enableSasl is disabled, so this cannot be enabled' },
  ]

  it.each(cases)('$name', ({ text, message, options }) => {
    expect(parseError(text, options).message).toBe(message)
  })

  it('carries the key and line', () => {
    const error = parseError(`${BASE}tickTime=abc`)
    expect(error.key).toBe('tickTime')
    expect(error.line).toBe(2)
  })
})
