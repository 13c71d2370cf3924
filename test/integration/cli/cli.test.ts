import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZOODESK_VERSION } from '../../../engine/cli/version'
import { ROOT, buildCli, runCliSync } from './build-cli'

let cli: string
let dir: string

beforeAll(() => {
  cli = buildCli()
  dir = mkdtempSync(join(tmpdir(), 'zoodesk-cli-test-'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(join(cli, '..'), { recursive: true, force: true })
})

function writeConfig(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('zoodesk (built CLI)', () => {
  it('prints an overview with --help and exits 0', () => {
    const run = runCliSync(cli, ['--help'])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('Usage: zoodesk <command> [options]')
    expect(run.stdout).toMatch(/^ {2}server {3}run one ZooKeeper ensemble member/m)
    expect(run.stdout).toMatch(/^ {2}bench {4}measure throughput/m)
  })

  it('prints the overview and exits 2 without a command', () => {
    const run = runCliSync(cli, [])
    expect(run.status).toBe(2)
    expect(run.stdout).toContain('Commands:')
  })

  it('prints the version of package.json', () => {
    const run = runCliSync(cli, ['--version'])
    expect(run.status).toBe(0)
    expect(run.stdout).toBe(`${ZOODESK_VERSION}\n`)
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version).toBe(ZOODESK_VERSION)
  })

  it.each([
    ['server', 'Usage: zoodesk server --config <zoo.cfg>'],
    ['bench', 'Usage: zoodesk bench [--connect host:port'],
  ])('%s --help', (command, usage) => {
    const run = runCliSync(cli, [command, '--help'])
    expect(run.status).toBe(0)
    expect(run.stdout.startsWith(usage)).toBe(true)
    expect(runCliSync(cli, ['help', command]).stdout).toBe(run.stdout)
  })

  it('rejects an unknown command with exit 2', () => {
    const run = runCliSync(cli, ['frobnicate'])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('zoodesk: unknown command "frobnicate"')
  })

  it('rejects unknown options and missing values with exit 2 and a pointer to --help', () => {
    const unknown = runCliSync(cli, ['server', '--bogus'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--bogus'")
    expect(unknown.stderr).toContain("Run 'zoodesk server --help' for usage.")
    const missing = runCliSync(cli, ['server'])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('zoodesk server: missing --config <zoo.cfg>')
    const badOps = runCliSync(cli, ['bench', '--ops', 'get,teleport'])
    expect(badOps.status).toBe(2)
    expect(badOps.stderr).toContain('zoodesk bench: unknown op "teleport"')
    const both = runCliSync(cli, ['bench', '--compare', '--connect', '127.0.0.1:2181'])
    expect(both.status).toBe(2)
    expect(both.stderr).toContain('use either --connect or --compare, not both')
  })
})

describe('zoodesk server with a bad setup', () => {
  it('exits 2 naming the file, line and key of a bad value', () => {
    const config = writeConfig('bad-number.cfg', `tickTime=2000\ndataDir=${dir}/data\nmaxSessionTimeout=forty\n`)
    const run = runCliSync(cli, ['server', '--config', config])
    expect(run.status).toBe(2)
    expect(run.stderr).toBe(`zoodesk server: ${config}:3: maxSessionTimeout: "forty" is not a whole number\n`)
  })

  it('exits 2 when dataDir is missing', () => {
    const config = writeConfig('no-datadir.cfg', 'tickTime=2000\nclientPort=2181\n')
    const run = runCliSync(cli, ['server', config])
    expect(run.status).toBe(2)
    expect(run.stderr).toBe(`zoodesk server: ${config}: dataDir is not set (every member needs one)\n`)
  })

  it('exits 2 for a bad server line', () => {
    const config = writeConfig('bad-server.cfg', `dataDir=${dir}/data\ninitLimit=5\nsyncLimit=2\nserver.1=zk1:2888\nserver.2=zk2:2888:3888\n`)
    const run = runCliSync(cli, ['server', '--config', config])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(`${config}:4: server.1: "zk1:2888": expected host:quorumPort:electionPort`)
  })

  it('exits 2 when the config file does not exist', () => {
    const run = runCliSync(cli, ['server', '--config', join(dir, 'absent.cfg')])
    expect(run.status).toBe(2)
    expect(run.stderr).toBe(`zoodesk server: ${join(dir, 'absent.cfg')}: no such config file\n`)
  })

  it('takes -D from SERVER_JVMFLAGS and reports a bad one by its source', () => {
    const config = writeConfig('ok.cfg', `dataDir=${dir}/data\nclientPort=2181\n`)
    const run = runCliSync(cli, ['server', '--config', config], { SERVER_JVMFLAGS: '-Xmx1g -Dzookeeper.snapCount=many' })
    expect(run.status).toBe(2)
    expect(run.stderr).toBe('zoodesk server: SERVER_JVMFLAGS: zookeeper.snapCount: "many" is not a whole number\n')
    const flag = runCliSync(cli, ['server', '--config', config, '-Djute.maxbuffer=x'])
    expect(flag.status).toBe(2)
    expect(flag.stderr).toBe('zoodesk server: -D: jute.maxbuffer: "x" is not a whole number\n')
  })

  it('exits 2 when dataDir is a file', () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x')
    const config = writeConfig('file-datadir.cfg', `dataDir=${file}\nclientPort=2181\n`)
    const run = runCliSync(cli, ['server', '--config', config])
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(new RegExp(`zoodesk server: dataDir ${file} (cannot be created|is not a directory)`))
  })

  it('prints config warnings before checking directories', () => {
    const file = join(dir, 'another-file')
    writeFileSync(file, 'x')
    const config = writeConfig('warn.cfg', `dataDir=${file}\nclientPort=2181\nmysteryKey=1\n`)
    const run = runCliSync(cli, ['server', '--config', config], { ZOODESK_LOG_LEVEL: 'warn' })
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/^\S+ WARN {2}\[config\] \S*warn\.cfg:3: unknown key mysteryKey; kept but ignored\n/)
  })
})
