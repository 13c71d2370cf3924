// The renderer's pure helpers: bytes and views, znode facts, ACLs and digests, virtual ranges, recipes, CSV, the
// console's line editor, connect strings, chart alignment, shortcuts.
import { describe, expect, it } from 'vitest'
import { aclEntryProblem, aclPreset, digestId, permsString } from '../../../../renderer/lib/acl'
import { base64ToBytes, bytesToBase64, formatBytes, parseBase64, parseHex, toHex, utf8Bytes } from '../../../../renderer/lib/bytes'
import { alignSeries } from '../../../../renderer/lib/chart-data'
import { connectStringProblem } from '../../../../renderer/lib/connect-string'
import { toCsv } from '../../../../renderer/lib/csv'
import { bytesToView, detectView, formatView, validateView, viewToBytes } from '../../../../renderer/lib/data-format'
import { LineEditor } from '../../../../renderer/lib/line-editor'
import { recogniseRecipe } from '../../../../renderer/lib/recipes'
import { matchesShortcut } from '../../../../renderer/lib/shortcuts'
import { formatDuration, formatTimestamp } from '../../../../renderer/lib/time'
import { scrollToReveal, visibleRange } from '../../../../renderer/lib/virtual-range'
import { ancestry, iconKind, kindOfOwner, pathProblem, resolvePath, ttlOfOwner } from '../../../../renderer/lib/znode'
import { stat } from './support/fixtures'

describe('bytes and data views', () => {
  it('round-trips every byte value through base64 and hex', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes)
    expect(parseHex(toHex(bytes))).toEqual(bytes)
    expect(toHex(utf8Bytes('{"a"'))).toBe('7b 22 61 22')
    expect(parseBase64('eyJhIjox\nfQ==')).toEqual(utf8Bytes('{"a":1}'))
    expect(base64ToBytes(null)).toEqual(new Uint8Array(0))
  })

  it('says what is wrong with bad hex and base64', () => {
    expect(() => parseHex('7b 2')).toThrow('even number')
    expect(() => parseHex('7g')).toThrow('not a hex digit: "g"')
    expect(() => parseBase64('a$b=')).toThrow('not valid base64')
    expect(validateView('zz', 'hex')).toContain('not a hex digit')
  })

  it('detects the view from the bytes', () => {
    expect(detectView(utf8Bytes('{"servers": [1, 2]}'))).toBe('json')
    expect(detectView(utf8Bytes('<config><a>1</a></config>'))).toBe('xml')
    expect(detectView(utf8Bytes('# comment\nserver.1=zk1:2888:3888\ntickTime=2000'))).toBe('properties')
    expect(detectView(utf8Bytes('---\nname: zoodesk\nreplicas: 3'))).toBe('yaml')
    expect(detectView(utf8Bytes('just words'))).toBe('text')
    expect(detectView(Uint8Array.of(0, 1, 2, 0xff))).toBe('hex')
    expect(detectView(utf8Bytes('{"broken": '))).toBe('text')
  })

  it('formats JSON, XML and properties, and refuses what does not parse', () => {
    expect(formatView('{"a":1,"b":[1,2]}', 'json')).toBe('{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}')
    expect(formatView('<a><b>1</b><c/></a>', 'xml')).toBe('<a>\n  <b>1</b>\n  <c/>\n</a>')
    expect(formatView('# keep\nkey = value\nother:  x', 'properties')).toBe('# keep\nkey=value\nother=x')
    expect(() => formatView('{"a":', 'json')).toThrow()
    expect(() => formatView('<a><b></a>', 'xml')).toThrow('does not close')
  })

  it('keeps binary data exact through the hex and base64 views', () => {
    const bytes = Uint8Array.of(0, 0xfe, 0x10, 0x7f)
    expect(viewToBytes(bytesToView(bytes, 'hex'), 'hex')).toEqual(bytes)
    expect(viewToBytes(bytesToView(bytes, 'base64'), 'base64')).toEqual(bytes)
    expect(formatBytes(1_048_575)).toBe('1.00 MB')
  })
})

describe('znodes', () => {
  it('reads kinds from ephemeralOwner and sequence suffixes from names', () => {
    expect(kindOfOwner('0x0')).toBe('persistent')
    expect(kindOfOwner('0x1000a2b3c')).toBe('ephemeral')
    expect(kindOfOwner('0x8000000000000000')).toBe('container')
    expect(kindOfOwner('0xff00000000000e10')).toBe('ttl')
    expect(ttlOfOwner('0xff00000000000e10')).toBe(3600)
    expect(iconKind('lock-0000000007', stat({ ephemeralOwner: '0x1000a' }))).toBe('ephemeral-sequential')
    expect(iconKind('job-0000000001', stat())).toBe('persistent-sequential')
    expect(iconKind('t-0000000001', stat(), 'ttl')).toBe('ttl-sequential')
    expect(iconKind('x', undefined)).toBe('unknown')
  })

  it('validates paths as Apache does and resolves relative names', () => {
    expect(pathProblem('/a/b')).toBeNull()
    expect(pathProblem('a')).toBe('Path must start with / character')
    expect(pathProblem('/a/')).toBe('Path must not end with / character')
    expect(pathProblem('/a//b')).toBe('empty node name specified @3')
    expect(pathProblem('/a/../b')).toBe('relative paths not allowed @5')
    expect(pathProblem('/a\u0001')).toBe('invalid character @2')
    expect(resolvePath('/app', 'conf/x')).toBe('/app/conf/x')
    expect(resolvePath('/', 'x')).toBe('/x')
    expect(resolvePath('/app', '/abs')).toBe('/abs')
    expect(ancestry('/a/b/c')).toEqual(['/', '/a', '/a/b', '/a/b/c'])
  })
})

describe('ACLs', () => {
  it('prints perms as zkCli does and offers ZooDefs presets', () => {
    expect(permsString(31)).toBe('cdrwa')
    expect(permsString(1 | 2)).toBe('rw')
    expect(aclPreset('open')).toEqual([{ scheme: 'world', id: 'anyone', perms: 31 }])
    expect(aclPreset('creator')).toEqual([{ scheme: 'auth', id: '', perms: 31 }])
  })

  it('generates digest ids exactly as Apache does (DigestAuthenticationProvider alice:s3cret)', async () => {
    expect(await digestId('alice', 's3cret')).toBe('alice:uLxpHc/uhT86OXPoSjJTp1M8CJY=')
  })

  it('explains entries the server would refuse', () => {
    expect(aclEntryProblem({ scheme: 'world', id: 'someone', perms: 31 })).toContain('anyone')
    expect(aclEntryProblem({ scheme: 'digest', id: 'alice:plain', perms: 31 })).toContain('generator')
    expect(aclEntryProblem({ scheme: 'ip', id: '10.0.0.0/8', perms: 1 })).toBeNull()
    expect(aclEntryProblem({ scheme: 'ip', id: '300.1.1.1', perms: 1 })).not.toBeNull()
  })
})

describe('virtual list ranges', () => {
  it('renders only the visible rows plus a margin', () => {
    expect(visibleRange(0, 240, 24, 100_000, 5)).toEqual({ start: 0, end: 16 })
    expect(visibleRange(24 * 50_000, 240, 24, 100_000, 5)).toEqual({ start: 49_995, end: 50_016 })
    expect(visibleRange(24 * 99_999, 240, 24, 100_000, 5)).toEqual({ start: 99_994, end: 100_000 })
    expect(visibleRange(0, 240, 24, 0)).toEqual({ start: 0, end: 0 })
  })

  it('scrolls the least to reveal a row', () => {
    expect(scrollToReveal(5, 0, 240, 24)).toBeNull()
    expect(scrollToReveal(20, 0, 240, 24)).toBe(21 * 24 - 240)
    expect(scrollToReveal(2, 240, 240, 24)).toBe(48)
  })
})

describe('recipes', () => {
  const owner = (n: number) => stat({ ephemeralOwner: `0x10000${n}` })

  it('recognises a Curator/ZooDesk lock: the lowest sequence holds, the others wait in order', () => {
    const layout = recogniseRecipe('/locks/job', [
      { name: '_c_0f2bd1c6-4a4b-4e59-9a7c-3c3b1f1f0a11-lock-0000000003', stat: owner(3) },
      { name: '_c_7c1bd1c6-4a4b-4e59-9a7c-3c3b1f1f0a22-lock-0000000001', stat: owner(1) },
      { name: '_c_a91bd1c6-4a4b-4e59-9a7c-3c3b1f1f0a33-lock-0000000002', stat: owner(2) },
    ])
    expect(layout?.kind).toBe('lock')
    expect(layout?.flavour).toBe('ZooDesk/Curator')
    expect(layout?.participants.map((p) => [p.sequence, p.role, p.session])).toEqual([
      [1, 'holder', '0x100001'],
      [2, 'waiting', '0x100002'],
      [3, 'waiting', '0x100003'],
    ])
  })

  it('recognises kazoo read/write locks, elections, queues and double barriers', () => {
    const rw = recogniseRecipe('/rw', [
      { name: `${'a'.repeat(32)}__rlock__0000000001`, stat: owner(1) },
      { name: `${'b'.repeat(32)}__rlock__0000000002`, stat: owner(2) },
      { name: `${'c'.repeat(32)}__lock__0000000003`, stat: owner(3) },
    ])
    expect(rw?.kind).toBe('readWriteLock')
    expect(rw?.flavour).toBe('kazoo')
    expect(rw?.participants.map((p) => p.role)).toEqual(['holder', 'holder', 'waiting'])
    expect(recogniseRecipe('/election', [{ name: 'n_0000000004', stat: owner(4) }, { name: 'n_0000000002', stat: owner(2) }])?.participants[0]).toMatchObject({ role: 'leader', sequence: 2 })
    const queue = recogniseRecipe('/queue', [{ name: 'qn-0000000000', stat: stat() }, { name: 'qn-0000000001', stat: stat() }])
    expect(queue?.kind).toBe('queue')
    expect(queue?.participants.map((p) => p.role)).toEqual(['head', 'item'])
    const barrier = recogniseRecipe('/barrier', [{ name: 'ready', stat: stat() }, { name: 'worker-1', stat: owner(1) }])
    expect(barrier).toMatchObject({ kind: 'doubleBarrier', ready: true })
    expect(recogniseRecipe('/config', [{ name: 'a', stat: stat() }, { name: 'b', stat: stat() }])).toBeNull()
  })
})

describe('the console line editor', () => {
  it('edits, remembers history and completes to the common prefix', () => {
    const editor = new LineEditor()
    editor.insert('ls /zoo')
    expect(editor.complete(['/zookeeper'])).toEqual([])
    expect(editor.state.line).toBe('ls /zookeeper ')
    expect(editor.submit()).toBe('ls /zookeeper ')
    editor.insert('get /a')
    editor.left()
    editor.backspace()
    expect(editor.state).toEqual({ line: 'get a', cursor: 4 })
    editor.submit()
    editor.insert('draft')
    editor.previous()
    expect(editor.state.line).toBe('get a')
    editor.previous()
    expect(editor.state.line).toBe('ls /zookeeper ')
    editor.next()
    editor.next()
    expect(editor.state.line).toBe('draft')
    editor.clear()
    editor.insert('cr')
    expect(editor.complete(['create', 'createx'])).toEqual([])
    expect(editor.state.line).toBe('create')
    expect(editor.complete(['create', 'createx'])).toEqual(['create', 'createx'])
    expect(editor.render('> ')).toBe('\r\x1b[2K> create')
  })
})

describe('small formats', () => {
  it('writes RFC 4180 CSV', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"' }], [{ header: 'a', value: (row) => row.a }, { header: 'b', value: (row) => row.b }])).toBe('a,b\r\n"x,y","say ""hi"""\r\n')
  })

  it('checks connect strings', () => {
    expect(connectStringProblem('zk1:2181,zk2:2181/app')).toBeNull()
    expect(connectStringProblem('[::1]:2181')).toBeNull()
    expect(connectStringProblem('zk1:99999')).toBe('connections.problemPort')
    expect(connectStringProblem('zk 1:2181')).toBe('connections.problemHost')
    expect(connectStringProblem('zk1:2181/app/')).toBe('connections.problemChroot')
    expect(connectStringProblem('  ')).toBe('connections.problemEmpty')
  })

  it('aligns member series on whole seconds for the charts', () => {
    const data = alignSeries([
      { label: 'a', color: '', x: [10.2, 11.1], y: [1, 2] },
      { label: 'b', color: '', x: [10.4, 12], y: [5, 6] },
    ])
    expect(data).toEqual([[10, 11, 12], [1, 2, null], [5, null, 6]])
  })

  it('matches shortcuts and prints times readably', () => {
    expect(matchesShortcut({ key: 's', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false }, 'Ctrl+S')).toBe(true)
    expect(matchesShortcut({ key: 'S', ctrlKey: true, metaKey: false, shiftKey: true, altKey: false }, 'Ctrl+S')).toBe(false)
    expect(matchesShortcut({ key: 'Delete', ctrlKey: false, metaKey: false, shiftKey: true, altKey: false }, 'Shift+Delete')).toBe(true)
    expect(formatDuration(3_723_000)).toBe('1 h 2 min')
    expect(formatTimestamp(new Date(2026, 0, 2, 3, 4, 5, 6).getTime())).toBe('2026-01-02 03:04:05.006')
  })
})
