// The Java renderings zkCli's output depends on: dates, hex longs, record toString, number parsing, quota text,
// Properties order, hexdump, base64, option tables, ACL strings, path messages, completion.
import { afterEach, describe, expect, it } from 'vitest'
import { parseAcl } from '../../../engine/shell/acl-parser'
import { clientConfigString } from '../../../engine/shell/commands/admin-commands'
import { completeLine } from '../../../engine/shell/completion'
import { decodeJavaBase64, prettyHexDump } from '../../../engine/shell/data-format'
import { IllegalArgumentError, JavaKeeperError, JavaRuntimeError, wrapperMessage } from '../../../engine/shell/errors'
import { watchedEventString } from '../../../engine/shell/events'
import { optionTable } from '../../../engine/shell/help-format'
import { aclEntryString, javaDateString, javaHexLong, statLines } from '../../../engine/shell/java-format'
import { isJavaDouble, javaDecodeInt, javaParseInt, javaParseLong } from '../../../engine/shell/java-numbers'
import { validateJavaPath } from '../../../engine/shell/java-path'
import { loadJavaProperties } from '../../../engine/shell/java-properties'
import { option } from '../../../engine/shell/options'
import { StatsTrack } from '../../../engine/shell/stats-track'
import { ErrorCode, EventType, KeeperState } from '../../../engine/proto'

const savedZone = process.env['TZ']
afterEach(() => {
  if (savedZone === undefined) delete process.env['TZ']
  else process.env['TZ'] = savedZone
})

function thrown(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof JavaRuntimeError) return error.toString()
    throw error
  }
  throw new Error('no error')
}

describe('Java renderings', () => {
  it('Date.toString in the local zone', () => {
    process.env['TZ'] = 'UTC'
    expect(javaDateString(0)).toBe('Thu Jan 01 00:00:00 UTC 1970')
    expect(javaDateString(Date.UTC(2026, 10, 5, 7, 4, 5, 999))).toBe('Thu Nov 05 07:04:05 UTC 2026')
    process.env['TZ'] = 'America/New_York'
    expect(javaDateString(0)).toBe('Wed Dec 31 19:00:00 EST 1969')
    expect(javaDateString(Date.UTC(2026, 6, 1, 12))).toBe('Wed Jul 01 08:00:00 EDT 2026')
    // Java names this zone IST; without an English abbreviation in Intl we print Java's fallback form.
    process.env['TZ'] = 'Asia/Kolkata'
    expect(javaDateString(0)).toBe('Thu Jan 01 05:30:00 GMT+05:30 1970')
  })

  it('Long.toHexString (two’s complement for negatives)', () => {
    expect(javaHexLong(0n)).toBe('0')
    expect(javaHexLong(0x1000003bd1a000en)).toBe('1000003bd1a000e')
    expect(javaHexLong(-0x8000000000000000n)).toBe('8000000000000000')
    expect(javaHexLong(-1n)).toBe('ffffffffffffffff')
  })

  it('StatPrinter', () => {
    process.env['TZ'] = 'UTC'
    const stat = { czxid: 2n, mzxid: 0x1an, ctime: 0, mtime: 1000, version: 1, cversion: 2, aversion: 3, ephemeralOwner: -1n, dataLength: 5, numChildren: 6, pzxid: 0x2fn }
    expect(statLines(stat)).toBe(
      [
        'cZxid = 0x2',
        'ctime = Thu Jan 01 00:00:00 UTC 1970',
        'mZxid = 0x1a',
        'mtime = Thu Jan 01 00:00:01 UTC 1970',
        'pZxid = 0x2f',
        'cversion = 2',
        'dataVersion = 1',
        'aclVersion = 3',
        'ephemeralOwner = 0xffffffffffffffff',
        'dataLength = 5',
        'numChildren = 6',
      ].join('\n'),
    )
  })

  it('an ACL entry as getAcl prints it (jute toString of the Id, escaped)', () => {
    expect(aclEntryString({ perms: 31, id: { scheme: 'world', id: 'anyone' } })).toBe("'world,'anyone\n: cdrwa")
    expect(aclEntryString({ perms: 3, id: { scheme: 'x509', id: 'CN=a,O=b%}' } })).toBe("'x509,'CN=a%2CO=b%25%7D\n: rw")
    expect(aclEntryString({ perms: 0, id: { scheme: 'ip', id: '10.0.0.0/8' } })).toBe("'ip,'10.0.0.0/8\n: ")
  })

  it('WatchedEvent.toString', () => {
    expect(watchedEventString({ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/a' })).toBe(
      'WatchedEvent state:SyncConnected type:NodeDataChanged path:/a',
    )
    expect(watchedEventString({ type: EventType.None, state: KeeperState.Expired, path: null })).toBe(
      'WatchedEvent state:Expired type:None path:null',
    )
  })
})

describe('Java number parsing', () => {
  it('Integer.parseInt / Long.parseLong', () => {
    expect(javaParseInt('+12')).toBe(12)
    expect(javaParseInt('-2147483648')).toBe(-2147483648)
    expect(thrown(() => javaParseInt('2147483648'))).toBe('java.lang.NumberFormatException: For input string: "2147483648"')
    expect(thrown(() => javaParseInt(''))).toBe('java.lang.NumberFormatException: For input string: ""')
    expect(thrown(() => javaParseInt('1.5'))).toBe('java.lang.NumberFormatException: For input string: "1.5"')
    expect(javaParseLong('9223372036854775807')).toBe(9223372036854775807n)
    expect(javaParseLong('ff', 16)).toBe(255n)
    expect(thrown(() => javaParseLong('zz', 16))).toBe('java.lang.NumberFormatException: For input string: "zz" under radix 16')
  })

  it('Integer.decode (redo)', () => {
    expect([javaDecodeInt('10'), javaDecodeInt('0x10'), javaDecodeInt('#10'), javaDecodeInt('010'), javaDecodeInt('-0'), javaDecodeInt('0')]).toEqual([10, 16, 16, 8, 0, 0])
    expect(thrown(() => javaDecodeInt(''))).toBe('java.lang.NumberFormatException: Zero length string')
    expect(thrown(() => javaDecodeInt('abc'))).toBe('java.lang.NumberFormatException: For input string: "abc"')
    expect(thrown(() => javaDecodeInt('-abc'))).toBe('java.lang.NumberFormatException: For input string: "-abc"')
    expect(thrown(() => javaDecodeInt('0x-1'))).toBe('java.lang.NumberFormatException: Sign character in wrong position')
  })

  it('Double.parseDouble acceptance (negative option values)', () => {
    for (const text of ['-1', '-1.5', '-.5', '-1e3', '-1d', '-NaN', '-Infinity', '-0x1p3', ' -2 ']) expect(isJavaDouble(text), text).toBe(true)
    for (const text of ['-s', '-v5', '-', '--1', '-1e', '-0x1']) expect(isJavaDouble(text), text).toBe(false)
  })
})

describe('paths and errors', () => {
  it('PathUtils.validatePath messages', () => {
    const message = (path: string, sequential = false): string => {
      try {
        validateJavaPath(path, sequential)
        return 'valid'
      } catch (error) {
        return (error as IllegalArgumentError).message
      }
    }
    expect(message('/a/b')).toBe('valid')
    expect(message('a')).toBe('Path must start with / character')
    expect(message('')).toBe('Path length must be > 0')
    expect(message('/a/')).toBe('Path must not end with / character')
    expect(message('/a/', true)).toBe('valid')
    expect(message('/a//b')).toBe('Invalid path string "/a//b" caused by empty node name specified @3')
    expect(message('/a/..', false)).toBe('Invalid path string "/a/.." caused by relative paths not allowed @4')
    expect(message('/a//', true)).toBe('Invalid path string "/a//1" caused by empty node name specified @3')
  })

  it("CliWrapperException's messages", () => {
    expect(wrapperMessage(new JavaKeeperError(ErrorCode.NONODE, '/a'))).toBe('Node does not exist: /a')
    expect(wrapperMessage(new JavaKeeperError(ErrorCode.INVALIDACL, undefined))).toBe('Acl is not valid : null')
    expect(wrapperMessage(new JavaKeeperError(ErrorCode.NOWATCHER, '/w'))).toBe('KeeperErrorCode = No such watcher for /w')
    expect(wrapperMessage(new JavaKeeperError(ErrorCode.CONNECTIONLOSS, undefined))).toBe('KeeperErrorCode = ConnectionLoss')
    expect(wrapperMessage(new JavaKeeperError(ErrorCode.RECONFIGINPROGRESS, undefined))).toBe(
      'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)',
    )
  })
})

describe('zkCli data', () => {
  it('StatsTrack reads and writes the quota text as Java does', () => {
    const quota = new StatsTrack('count=5,bytes=10=;countHardLimit=2;byteHardLimit=-1')
    expect([quota.count, quota.bytes, quota.countHardLimit, quota.byteHardLimit]).toEqual([5n, 10n, 2n, -1n])
    expect(quota.toString()).toBe('count=5,bytes=10=;byteHardLimit=-1;countHardLimit=2')
    expect(new StatsTrack('count=1,bytes=2').toString()).toBe('count=1,bytes=2')
    expect(new StatsTrack().toString()).toBe('count=-1,bytes=-1')
    expect(thrown(() => new StatsTrack('count=,bytes=1'))).toBe('java.lang.ArrayIndexOutOfBoundsException: Index 1 out of bounds for length 1')
  })

  it('Properties.load, iterated in ConcurrentHashMap order (config -c)', () => {
    const config = 'server.3=h3:2888:3888:participant;0.0.0.0:2183\nserver.1=h1:2888:3888:participant;h1:2181\nserver.2=h2:2888:3888:observer;2182\nversion=100000000\n'
    // Orders and strings below are what Java 17 prints for the same input.
    expect(loadJavaProperties(config).map(([key]) => key)).toEqual(['server.2', 'server.1', 'server.3', 'version'])
    expect(clientConfigString(config)).toBe('100000000 0.0.0.0:2182,h1:2181,0.0.0.0:2183')
    const large = `${Array.from({ length: 13 }, (_, i) => `server.${i + 1}=a:1:2;3`).join('\n')}\nversion=1\n`
    expect(loadJavaProperties(large).map(([key]) => key).join(',')).toBe(
      'version,server.10,server.11,server.2,server.1,server.12,server.13,server.6,server.5,server.4,server.3,server.9,server.8,server.7',
    )
    expect(clientConfigString('')).toBe(' ')
    expect(clientConfigString('server.1=h1:2888:3888\nversion=1')).toBe('1 ')
    expect(loadJavaProperties('# comment\n  a = b \\\n   c\nd:e\nf g\n')).toEqual([
      ['a', 'b c'],
      ['d', 'e'],
      ['f', 'g'],
    ])
  })

  it('prettyHexDump (get -x)', () => {
    const bytes = Buffer.from(Array.from({ length: 18 }, (_, i) => (i === 1 ? 0x7f : 0x41 + i)))
    expect(prettyHexDump(bytes)).toBe(
      [
        '         +-------------------------------------------------+',
        '         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |',
        '+--------+-------------------------------------------------+----------------+',
        '|00000000| 41 7f 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 |A.CDEFGHIJKLMNOP|',
        '|00000010| 51 52                                           |QR              |',
        '+--------+-------------------------------------------------+----------------+',
      ].join('\n'),
    )
    expect(prettyHexDump(Buffer.alloc(0))).toBe('')
  })

  it('Base64 basic decoder (set -b)', () => {
    expect(decodeJavaBase64('aGk=')).toEqual(Buffer.from('hi'))
    expect(decodeJavaBase64('aGk')).toEqual(Buffer.from('hi'))
    expect(decodeJavaBase64('')).toEqual(Buffer.alloc(0))
    expect(thrown(() => decodeJavaBase64('a-b='))).toBe('java.lang.IllegalArgumentException: Illegal base64 character 2d')
    expect(thrown(() => decodeJavaBase64('aGk=x'))).toBe('java.lang.IllegalArgumentException: Input byte array has incorrect ending byte at 4')
    expect(thrown(() => decodeJavaBase64('aGVsb'))).toBe('java.lang.IllegalArgumentException: Last unit does not have enough valid bits')
  })

  it('HelpFormatter option table (3.8.6 get/set usage)', () => {
    expect(optionTable([option('s', false, 'Print znode stats additionally'), option('v', true, 'Set with an expected version'), option('b', false, 'Supply data in base64 format')])).toBe(
      [' -b         Supply data in base64 format', ' -s         Print znode stats additionally', ' -v <arg>   Set with an expected version'].join('\n'),
    )
    expect(optionTable([option('w', false, 'watch'), option('R', false, 'recurse'), option('?', false, 'help')])).toBe(
      [' -?   help', ' -R   recurse', ' -w   watch'].join('\n'),
    )
  })

  it('AclParser: warnings, skipped entries, ids with colons', () => {
    const warnings: string[] = []
    const acl = parseAcl('digest:u:hash:cdrwa,bad,world:anyone:rq,ip:10.0.0.1:', (line) => warnings.push(line))
    expect(acl).toEqual([
      { perms: 31, id: { scheme: 'digest', id: 'u:hash' } },
      { perms: 1, id: { scheme: 'world', id: 'anyone' } },
      { perms: 0, id: { scheme: 'ip', id: '10.0.0.1' } },
    ])
    expect(warnings).toEqual(['bad does not have the form scheme:id:perm', 'Unknown perm type: q'])
    expect(parseAcl(',', () => {})).toEqual([])
  })
})

describe('completion', () => {
  const names = ['addWatch', 'addauth', 'close', 'get', 'getAcl', 'ls']
  const tree: Record<string, string[]> = { '/': ['zookeeper', 'app', 'apple'], '/app': ['b', 'a'] }
  const children = async (path: string): Promise<string[]> => {
    const found = tree[path]
    if (found === undefined) throw new Error('NoNode')
    return found
  }

  it('completes commands, then paths relative to their directory', async () => {
    expect(await completeLine('ad', names, children)).toEqual(['addWatch', 'addauth'])
    expect(await completeLine('', names, children)).toEqual(names)
    expect(await completeLine('get ', names, children)).toEqual(names)
    expect(await completeLine('ls /ap', names, children)).toEqual(['/app', '/apple'])
    expect(await completeLine('ls /app/', names, children)).toEqual(['/app/a', '/app/b'])
    expect(await completeLine('ls /', names, children)).toEqual(['/app', '/apple', '/zookeeper'])
    expect(await completeLine('ls /nope/x', names, children)).toEqual([])
  })
})
