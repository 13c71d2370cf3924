// The Shell object as the app's console drives it, in-process against Apache ZooKeeper: which stream each message
// goes to, zkCli 3.8.6's additions, errors zkCli would die of, session failures, completion, prompt, ordering.
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Shell, TerminalOutput, runInteractive, runLines } from '../../../engine/shell'
import { freePort } from '../../compat/harness/net'
import { type TestServer, startApache } from '../../compat/harness/servers'
import { resetTree } from './transcript'

let apache: TestServer
const shells: Shell[] = []

beforeAll(async () => {
  apache = await startApache({ name: 'shell-object' })
})

afterAll(async () => {
  await Promise.all(shells.map((shell) => shell.close()))
  await apache?.stop()
})

interface Recorded {
  shell: Shell
  /** Everything written, tagged with its stream, in order. */
  chunks: { stream: 'out' | 'err'; text: string }[]
  out(): string
  err(): string
  /** Both streams merged, without watcher blocks. */
  all(): string
  clear(): void
}

function openShell(server = apache.connectString, options: { sessionTimeoutMs?: number } = {}): Recorded {
  const chunks: Recorded['chunks'] = []
  const shell = new Shell({
    out: (text) => chunks.push({ stream: 'out', text }),
    err: (text) => chunks.push({ stream: 'err', text }),
    server,
    ...options,
  })
  shells.push(shell)
  const joined = (stream?: 'out' | 'err'): string =>
    chunks
      .filter((chunk) => stream === undefined || chunk.stream === stream)
      .map((chunk) => chunk.text)
      .join('')
  return {
    shell,
    chunks,
    out: () => joined('out'),
    err: () => joined('err'),
    all: () => joined().replace(/\nWATCHER::\n\nWatchedEvent [^\n]*\n/g, ''),
    clear: () => chunks.splice(0),
  }
}

async function run(recorded: Recorded, ...lines: string[]): Promise<void> {
  for (const line of lines) await recorded.shell.execute(line)
}

describe('Shell', () => {
  it('writes to stdout and stderr where zkCli does', async () => {
    await resetTree(apache.connectString)
    const session = openShell()
    await run(session, 'create /streams data', 'ls /streams', 'get /missing', 'nosuch', 'setquota -n 1 /streams', 'listquota /streams')
    expect(session.err()).toContain('Created /streams\n')
    expect(session.err()).toContain('Node does not exist: /missing\n')
    expect(session.err()).toContain('ZooKeeper -server host:port -client-configuration properties-file cmd args\n\taddWatch ')
    expect(session.err()).toContain('Command not found: Command not found nosuch\n')
    expect(session.err()).toContain('absolute path is /zookeeper/quota/streams/zookeeper_limits\n')
    expect(session.out()).toContain('[]\n')
    expect(session.out()).toContain('Output quota for /streams count=1,bytes=-1=;byteHardLimit=-1;countHardLimit=-1\n')
    expect(session.out()).toContain('WatchedEvent state:SyncConnected type:None path:null')
    expect(session.out()).not.toContain('Created')
    expect(session.shell.exitCode).toBe(0)
    await run(session, 'close', 'ls /')
    expect(session.out()).toMatch(/Not connected\n$/)
    expect(session.out()).toContain('WatchedEvent state:Closed type:None path:null')
    await resetTree(apache.connectString)
  })

  it('get -b / -x and set -b (zkCli 3.8.6)', async () => {
    await resetTree(apache.connectString)
    const session = openShell()
    await run(session, 'create /bin', 'set -b /bin AAEC/w==', 'get -b /bin')
    expect(session.out()).toContain('AAEC/w==\n')
    session.clear()
    await run(session, 'set /bin hello,world!?', 'get -x /bin')
    expect(session.all()).toBe(
      [
        '         +-------------------------------------------------+',
        '         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |',
        '+--------+-------------------------------------------------+----------------+',
        '|00000000| 68 65 6c 6c 6f 2c 77 6f 72 6c 64 21 3f          |hello,world!?   |',
        '+--------+-------------------------------------------------+----------------+',
        '',
      ].join('\n'),
    )
    session.clear()
    await run(session, 'create /nodata', 'get -b /nodata', 'get -x /nodata', 'set /nodata ""', 'get -x /nodata')
    // Null data prints as the text "null" in every format; empty data as nothing.
    expect(session.out()).toContain('bnVsbA==\n')
    expect(session.out()).toContain('|00000000| 6e 75 6c 6c                                     |null            |')
    expect(session.out()).toMatch(/\+\n\n$/)
    session.clear()
    await run(session, 'set -b /bin not*base64')
    expect(session.err()).toBe('java.lang.IllegalArgumentException: Illegal base64 character 2a\n')
    expect(session.shell.exitCode).toBe(1)
    await resetTree(apache.connectString)
  })

  it('prints the errors zkCli would die of, and carries on', async () => {
    await resetTree(apache.connectString)
    const session = openShell()
    await run(session, 'create /n', 'delete -v abc /n', 'set -v 1x /n y', 'setAcl -v z /n world:anyone:r', 'redo abc', 'addWatch rel', 'ls /n')
    expect(session.err().split('\n')).toEqual([
      'Created /n',
      'java.lang.NumberFormatException: For input string: "abc"',
      'java.lang.NumberFormatException: For input string: "1x"',
      'java.lang.NumberFormatException: For input string: "z"',
      'java.lang.NumberFormatException: For input string: "abc"',
      'java.lang.IllegalArgumentException: Path must start with / character',
      '',
    ])
    expect(session.out()).toMatch(/\[\]\n$/)
    expect(session.shell.exitCode).toBe(0)
    await resetTree(apache.connectString)
  })

  it('a refused addauth ends the session: AuthFailed event, then Not connected', async () => {
    const session = openShell()
    await run(session, 'addauth digest')
    await session.shell.client.waitForState('AUTH_FAILED', 10_000).catch(() => undefined)
    await run(session, 'ls /')
    expect(session.out()).toContain('\nWATCHER::\n\nWatchedEvent state:AuthFailed type:None path:null\n')
    expect(session.out()).toMatch(/Not connected\n$/)
    expect(session.shell.prompt).toMatch(/\(AUTH_FAILED\) 2\] $/)
  })

  it('fails with ConnectionLoss when no server answers, as zkCli does', async () => {
    const port = await freePort()
    const session = openShell(`127.0.0.1:${port}`, { sessionTimeoutMs: 1500 })
    const started = performance.now()
    await run(session, 'ls /', 'getEphemerals')
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(session.err()).toBe('KeeperErrorCode = ConnectionLoss for /\nKeeperErrorCode = ConnectionLoss\n')
    expect(session.shell.prompt).toBe(`[zk: 127.0.0.1:${port}(CONNECTING) 2] `)
    expect(session.shell.exitCode).toBe(1)
  })

  it('completes command names and znode paths', async () => {
    await resetTree(apache.connectString)
    const session = openShell()
    await run(session, 'create /comp', 'create /comp/alpha', 'create /comp/beta', 'create /comp/alps')
    const shell = session.shell
    expect(await shell.complete('ge')).toEqual(['get', 'getAcl', 'getAllChildrenNumber', 'getEphemerals'])
    expect(await shell.complete('')).toEqual(shell.commandNames)
    expect(shell.commandNames).toHaveLength(28)
    expect(await shell.complete('ls /co')).toEqual(['/comp'])
    expect(await shell.complete('ls /comp/al')).toEqual(['/comp/alpha', '/comp/alps'])
    expect(await shell.complete('get -s /comp/')).toEqual(['/comp/alpha', '/comp/alps', '/comp/beta'])
    expect(await shell.complete('ls /nowhere/x')).toEqual([])
    expect(await shell.complete('ls ')).toEqual(shell.commandNames)
    await resetTree(apache.connectString)
  })

  it('runs concurrent execute() calls one after the other; the prompt counts lines', async () => {
    await resetTree(apache.connectString)
    const session = openShell()
    const lines = Array.from({ length: 20 }, (_, i) => `create /seq${String(i).padStart(2, '0')}`)
    await Promise.all([...lines.map((line) => session.shell.execute(line)), session.shell.execute('')])
    expect(session.err()).toBe(lines.map((line) => `Created ${line.slice('create '.length)}\n`).join(''))
    expect(session.shell.prompt).toBe(`[zk: ${apache.connectString}(CONNECTED) 20] `)
    await session.shell.executeArgs(['ls', '/'])
    expect(session.shell.commandCount).toBe(20)
    await resetTree(apache.connectString)
  })

  it('reads a script from a stream (runLines) and stops at quit', async () => {
    const session = openShell()
    const input = new PassThrough()
    input.end('ls /zookeeper\r\n\nquit\nls /\n')
    await runLines(session.shell, input)
    expect(session.all()).toBe('[config, quota]\n')
    expect(session.shell.quitRequested).toBe(true)
    expect(session.shell.client.state).toBe('CLOSED')
  })
})

describe('interactive terminal', () => {
  it('shows the prompt, completes with Tab and runs the line', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    let screen = ''
    output.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk))
    const terminal = new TerminalOutput(output, output)
    const shell = new Shell({ out: terminal.out, err: terminal.err, server: apache.connectString })
    shells.push(shell)
    await shell.client.waitForState('CONNECTED', 10_000)
    const done = runInteractive(shell, terminal, { input, output })
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150))
    await settle()
    expect(screen).toContain(`[zk: ${apache.connectString}(CONNECTED) 0] `)
    for (const key of ['l', 's', ' ', '/', 'z', 'o', 'o', '\t']) input.write(key)
    await settle()
    input.write('\r')
    await settle()
    expect(screen).toContain('ls /zookeeper')
    expect(screen).toContain('[config, quota]')
    expect(screen).toContain(`[zk: ${apache.connectString}(CONNECTED) 1] `)
    for (const key of ['h', 'i', 's', 't', '\t']) input.write(key)
    await settle()
    input.write('\r')
    await settle()
    expect(screen).toContain('0 - ls /zookeeper')
    expect(screen).toContain('1 - history ')
    input.write('quit\r')
    await done
    expect(shell.quitRequested).toBe(true)
  })
})
