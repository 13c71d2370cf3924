// `zoodesk shell` against Apache's zkCli.sh (Debian 3.8.0): the same scripts through both, against the same Apache
// server, must print the same thing modulo zxids, session ids and times (and the documented 3.8.0 → 3.8.6 changes
// to get/set). The same scripts then run through `zoodesk shell` against a ZooDesk server, which must print what
// they printed against Apache.
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestServer, startApache, startZooDesk } from '../../compat/harness/servers'
import { zkCli, zkCliScript } from '../../compat/harness/zkcli'
import { buildCli, runCli } from '../cli/build-cli'
import { SCRIPTS, withServer } from './scripts'
import { type ShellRun, apache380To386, resetTree, runZooDeskShell, transcript } from './transcript'

// TTL nodes need the extended types on both servers.
const SERVER_OPTIONS = { systemProperties: { 'zookeeper.extendedTypesEnabled': true } }

let cli: string
let apache: TestServer
let zoodesk: TestServer
/** What `zoodesk shell` printed for each script against Apache, for the ZooDesk comparison. */
const againstApache = new Map<string, ShellRun>()

beforeAll(async () => {
  cli = buildCli()
  ;[apache, zoodesk] = await Promise.all([
    startApache({ name: 'shell-apache', ...SERVER_OPTIONS }),
    startZooDesk({ name: 'shell-zoodesk', zoodeskBin: cli, ...SERVER_OPTIONS }),
  ])
})

afterAll(async () => {
  await Promise.all([apache?.stop(), zoodesk?.stop()])
  if (cli !== undefined) rmSync(dirname(cli), { recursive: true, force: true })
})

describe('zoodesk shell prints what zkCli.sh prints (same Apache server)', () => {
  for (const script of SCRIPTS) {
    it(script.name, async () => {
      const lines = withServer(script, apache.connectString)
      await resetTree(apache.connectString)
      const apacheRun = await zkCliScript(apache.connectString, lines)
      await resetTree(apache.connectString)
      const ours = await runZooDeskShell(cli, apache.connectString, lines)
      await resetTree(apache.connectString)
      againstApache.set(script.name, ours)

      const expected = transcript(apache380To386(apacheRun.raw))
      const actual = transcript(ours.raw)
      // Guard against comparing two empty or truncated outputs.
      expect(expected.text).toMatch(/^Connecting to .*\nWelcome to ZooKeeper!\nJLine support is disabled\n/)
      expect(expected.text.split('\n').length).toBeGreaterThan(script.lines.length / 2)
      expect(actual.text).toBe(expected.text)
      expect(actual.events).toEqual(expected.events)
      expect(ours.exitCode).toBe(apacheRun.exitCode)
    })
  }

  it('a chroot in -server applies to every path, and events show chrooted paths', async () => {
    // getEphemerals is left out: Java's client forgets the chroot there (prefix and results are server paths).
    const lines = ['ls /', 'create /x data', 'create -s /seq', 'ls -R /', 'addWatch /', 'create /y', 'set /x more', 'sync /', 'stat /', 'getAllChildrenNumber /', 'delete /x', 'sync /', 'ls /']
    const chrooted = `${apache.connectString}/app`
    await resetTree(apache.connectString)
    await runZooDeskShell(cli, apache.connectString, ['create /app'])
    const apacheRun = await zkCliScript(chrooted, lines)
    await resetTree(apache.connectString)
    await runZooDeskShell(cli, apache.connectString, ['create /app'])
    const ours = await runZooDeskShell(cli, chrooted, lines)
    await resetTree(apache.connectString)
    expect(transcript(ours.raw).text).toBe(transcript(apacheRun.raw).text)
    expect(transcript(ours.raw).events).toEqual(transcript(apacheRun.raw).events)
    expect(transcript(ours.raw).events).toContain('WatchedEvent state:SyncConnected type:NodeCreated path:/y')
  })

  it('one command from the command line: output and exit status', async () => {
    for (const command of [['ls', '-R', '/zookeeper'], ['get', '/missing'], ['nosuchcommand'], ['stat']]) {
      const apacheRun = await zkCli(apache.connectString, command)
      const ours = await runZooDeskShell(cli, apache.connectString, undefined, command)
      expect(transcript(ours.raw).text, command.join(' ')).toBe(transcript(apache380To386(apacheRun.raw)).text)
      expect(ours.exitCode, command.join(' ')).toBe(apacheRun.exitCode)
    }
  })

  it('reads a stat written by Java the way Java prints it (times and hex zxids verbatim)', async () => {
    await resetTree(apache.connectString)
    const created = await zkCliScript(apache.connectString, ['create /cross data', 'create -e /cross/e'], { quit: false })
    expect(created.output).toContain('Created /cross/e')
    // Same node, same stat: no normalisation at all.
    const apacheRun = await zkCliScript(apache.connectString, ['stat /cross', 'get -s /cross/e', 'getAcl -s /cross'])
    const ours = await runZooDeskShell(cli, apache.connectString, ['stat /cross', 'get -s /cross/e', 'getAcl -s /cross'])
    const verbatim = (raw: string): string =>
      raw
        .split('\n')
        .filter((line) => /^(cZxid|ctime|mZxid|mtime|pZxid|ephemeralOwner) = /.test(line))
        .join('\n')
    expect(transcript(ours.raw).text).toBe(transcript(apacheRun.raw).text)
    expect(verbatim(ours.raw)).toBe(verbatim(apacheRun.raw))
    expect(verbatim(ours.raw)).toMatch(/ctime = [A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ \d{4}/)
    await resetTree(apache.connectString)
  })
})

describe('zoodesk shell against a ZooDesk server prints what it prints against Apache', () => {
  for (const script of SCRIPTS) {
    it(script.name, async () => {
      const reference = againstApache.get(script.name)
      expect(reference, 'the Apache run of this script').toBeDefined()
      await resetTree(zoodesk.connectString)
      const ours = await runZooDeskShell(cli, zoodesk.connectString, withServer(script, zoodesk.connectString))
      await resetTree(zoodesk.connectString)
      // Known server deviation, left to the server: Apache lists a session's ephemerals in Java HashSet order.
      const expected = transcript(reference!.raw, { replacements: [[apache.connectString, '<server>']], sortPathLists: true })
      const actual = transcript(ours.raw, { replacements: [[zoodesk.connectString, '<server>']], sortPathLists: true })
      expect(actual.text).toBe(expected.text)
      expect(actual.events).toEqual(expected.events)
      expect(ours.exitCode).toBe(reference!.exitCode)
    })
  }
})

describe('zoodesk shell command line', () => {
  it('has --help, and refuses a bad -timeout or -server without connecting', async () => {
    const help = await runCli(cli, ['shell', '--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^Usage: zoodesk shell \[-server host:port/)
    const badTimeout = await runCli(cli, ['shell', '-timeout', 'soon', 'ls', '/'])
    expect(badTimeout.status).toBe(2)
    expect(badTimeout.stderr).toContain('-timeout wants a number of milliseconds, got "soon"')
    const badServer = await runCli(cli, ['shell', '-server', 'host:port:x', 'ls', '/'])
    expect(badServer.status).toBe(1)
    expect(badServer.stdout).toBe('Connecting to host:port:x\n')
    expect(badServer.stderr).toBe('java.lang.IllegalArgumentException: bad port in host:port:x\n')
  })
})
