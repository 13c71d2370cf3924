import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AddWatchRequest, CreateRequest, OPEN_ACL_UNSAFE, OpCode, PathWatchRequest } from '../../../engine/proto'
import { MNTR_KEYS } from '../../../engine/server/monitor'
import { hexLong } from '../../../engine/server/session-identity'
import { RawClient, type RunningServer, fourLetterWord, startServer } from './harness'

const OPEN = [...OPEN_ACL_UNSAFE]

describe('four-letter words, default whitelist', () => {
  let running: RunningServer
  beforeAll(async () => {
    running = await startServer()
  })
  afterAll(async () => {
    await running.close()
  })

  it('runs srvr (always whitelisted) and refuses the others with Apache\'s sentence', async () => {
    expect(await fourLetterWord(running.port, 'srvr')).toMatch(/^Zookeeper version: 3\.8\.6-zoodesk, built on .+\nLatency min\/avg\/max: /)
    expect(await fourLetterWord(running.port, 'stat')).toBe('stat is not executed because it is not in the whitelist.\n')
    expect(await fourLetterWord(running.port, 'ruok')).toBe('ruok is not executed because it is not in the whitelist.\n')
  })
})

describe('four-letter words, all enabled', () => {
  let running: RunningServer
  let client: RawClient
  beforeAll(async () => {
    running = await startServer({ fourLetterWordWhitelist: new Set(['*']) })
    client = await RawClient.session(running.port, { timeoutMs: 10000 })
    await client.call(1, OpCode.create, CreateRequest, { path: '/eph', data: Buffer.from('x'), acl: OPEN, flags: 1 })
    await client.call(2, OpCode.create, CreateRequest, { path: '/p', data: null, acl: OPEN, flags: 0 })
    await client.call(3, OpCode.getData, PathWatchRequest, { path: '/p', watch: true })
    await client.call(4, OpCode.getChildren, PathWatchRequest, { path: '/p', watch: true })
    await client.call(5, OpCode.exists, PathWatchRequest, { path: '/nonex', watch: true })
  })
  afterAll(async () => {
    client.close()
    await running.close()
  })

  it('ruok, isro, gtmk, stmk', async () => {
    expect(await fourLetterWord(running.port, 'ruok')).toBe('imok')
    expect(await fourLetterWord(running.port, 'isro')).toBe('rw')
    expect(await fourLetterWord(running.port, 'gtmk')).toBe('306')
    const mask = Buffer.alloc(12)
    mask.write('stmk', 'latin1')
    mask.writeBigInt64BE(1234n, 4)
    expect(await fourLetterWord(running.port, mask)).toBe('1234')
    expect(await fourLetterWord(running.port, 'gtmk')).toBe('1234')
  })

  it('srvr and stat in Apache\'s layout', async () => {
    const srvr = await fourLetterWord(running.port, 'srvr')
    expect(srvr).toMatch(
      /^Zookeeper version: .+\nLatency min\/avg\/max: \d+\/\d+\.\d+(E-?\d+)?\/\d+\nReceived: \d+\nSent: \d+\nConnections: 2\nOutstanding: 0\nZxid: 0x3\nMode: standalone\nNode count: 7\n$/,
    )
    const stat = await fourLetterWord(running.port, 'stat')
    const lines = stat.split('\n')
    expect(lines[1]).toBe('Clients:')
    expect(lines[2]).toMatch(/^ \/127\.0\.0\.1:\d+\[1\]\(queued=0,recved=\d+,sent=\d+\)$/)
    // The probe itself is listed: interest ops 0, the command counted as one packet received.
    expect(lines[3]).toMatch(/^ \/127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)$/)
    expect(lines[4]).toBe('')
    expect(lines[5]).toMatch(/^Latency min\/avg\/max: /)
  })

  it('cons with the full connection line', async () => {
    const cons = await fourLetterWord(running.port, 'cons')
    const sid = hexLong(client.sessionId)
    expect(cons).toMatch(
      new RegExp(
        `^ /127\\.0\\.0\\.1:\\d+\\[1\\]\\(queued=0,recved=6,sent=6,sid=0x${sid},lop=EXIS,est=\\d+,to=10000,lcxid=0x5,lzxid=0x3,lresp=\\d+,llat=\\d+,minlat=\\d+,avglat=\\d+,maxlat=\\d+\\)\\n /127\\.0\\.0\\.1:\\d+\\[0\\]\\(queued=0,recved=1,sent=0\\)\\n\\n$`,
      ),
    )
  })

  it('mntr: version and state first, then every Apache 3.8 key in Apache\'s order and type', async () => {
    const lines = (await fourLetterWord(running.port, 'mntr')).split('\n')
    expect(lines.pop()).toBe('')
    expect(lines[0]).toMatch(/^zk_version\t3\.8\.6-zoodesk, built on /)
    expect(lines[1]).toBe('zk_server_state\tstandalone')
    const entries = lines.slice(2).map((line) => line.split('\t') as [string, string])
    // Then the per-namespace summaries: reads (getData and getChildren of /p: 2 + 0 + 68 bytes of stat each; the
    // exists of a missing node records nothing), then writes (the creates: path + data length), in Apache's map order.
    const perNamespace = (ns: string, set: string, figures: string[]) =>
      ['avg', 'min', 'max', 'cnt', 'sum'].map((stat, i) => [`zk_${stat}_${ns}_${set}_per_namespace`, figures[i]!])
    expect(entries.map(([key]) => key)).toEqual([
      ...MNTR_KEYS.map((key) => `zk_${key.name}`),
      ...perNamespace('p', 'read', []).map(([key]) => key),
      ...perNamespace('p', 'write', []).map(([key]) => key),
      ...perNamespace('eph', 'write', []).map(([key]) => key),
    ])
    expect(entries.slice(483)).toEqual([
      ...perNamespace('p', 'read', ['70.0', '70', '70', '2', '140']),
      ...perNamespace('p', 'write', ['2.0', '2', '2', '1', '2']),
      ...perNamespace('eph', 'write', ['5.0', '5', '5', '1', '5']),
    ])
    const values = new Map(entries)
    expect(values.get('zk_znode_count')).toBe('7')
    expect(values.get('zk_ephemerals_count')).toBe('1')
    expect(values.get('zk_global_sessions')).toBe('1')
    expect(values.get('zk_num_alive_connections')).toBe('2')
    expect(values.get('zk_watch_count')).toBe('3')
    expect(values.get('zk_approximate_data_size')).toBe('51') // 44 for the initial nodes + /eph(4+1) + /p(2)
    expect(values.get('zk_avg_latency')).toMatch(/^\d+\.\d+$/)
    expect(values.get('zk_connection_drop_probability')).toBe('0.0')
    expect(values.get('zk_p999_readlatency')).toBe('0')
    // Apache's order starts like this (captured from Debian's 3.8.0).
    expect(entries.slice(0, 5).map(([key]) => key)).toEqual([
      'zk_ephemerals_count',
      'zk_num_alive_connections',
      'zk_avg_latency',
      'zk_outstanding_requests',
      'zk_znode_count',
    ])
  })

  it('wchs, wchc, wchp count the data-watch table only', async () => {
    const sid = hexLong(client.sessionId)
    expect(await fourLetterWord(running.port, 'wchs')).toBe('1 connections watching 2 paths\nTotal watches:2\n')
    expect(await fourLetterWord(running.port, 'wchc')).toBe(`0x${sid}\n\t/p\n\t/nonex\n\n`)
    expect(await fourLetterWord(running.port, 'wchp')).toBe(`/p\n\t0x${sid}\n/nonex\n\t0x${sid}\n\n`)
  })

  it('dump lists session buckets, ephemerals and connection buckets', async () => {
    const sid = hexLong(client.sessionId)
    const dump = await fourLetterWord(running.port, 'dump')
    expect(dump).toMatch(/^SessionTracker dump:\nSession Sets \(\d+\)\/\(1\):\n/)
    expect(dump).toMatch(new RegExp(`1 expire at \\w{3} \\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4}:\\n\\t0x${sid}\\n`))
    expect(dump).toContain(`ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x${sid}:\n\t/eph\nConnections dump:\nConnections Sets (`)
    expect(dump).toMatch(new RegExp(`\\tip: /127\\.0\\.0\\.1:\\d+ sessionId: 0x${sid}\\n`))
    expect(dump).toMatch(/\tip: \/127\.0\.0\.1:\d+ sessionId: 0x0\n$/)
  })

  it('conf, envi, dirs, crst, srst, hash', async () => {
    expect(await fourLetterWord(running.port, 'conf')).toBe(
      `clientPort=${running.port}\nsecureClientPort=-1\ndataDir=/tmp/zoodesk-test/version-2\ndataDirSize=0\n` +
        'dataLogDir=/tmp/zoodesk-test/version-2\ndataLogSize=0\ntickTime=2000\nmaxClientCnxns=60\n' +
        'minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n',
    )
    const envi = (await fourLetterWord(running.port, 'envi')).split('\n')
    expect(envi[0]).toBe('Environment:')
    expect(envi.slice(1, -1).map((line) => line.split('=')[0])).toEqual([
      'zookeeper.version', 'host.name', 'java.version', 'java.vendor', 'java.home', 'java.class.path', 'java.library.path',
      'java.io.tmpdir', 'java.compiler', 'os.name', 'os.arch', 'os.version', 'user.name', 'user.home', 'user.dir',
      'os.memory.free', 'os.memory.max', 'os.memory.total',
    ])
    expect(await fourLetterWord(running.port, 'dirs')).toBe('datadir_size: 0\nlogdir_size: 0\n')
    expect(await fourLetterWord(running.port, 'crst')).toBe('Connection stats reset.\n')
    expect(await fourLetterWord(running.port, 'cons')).toMatch(/lop=NA,.*lcxid|lop=NA,est=\d+,to=10000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0\)/)
    expect(await fourLetterWord(running.port, 'srst')).toBe('Server stats reset.\n')
    // The probe counts as received before srvr prints; srst's own reply went out after the reset.
    expect(await fourLetterWord(running.port, 'srvr')).toMatch(/Latency min\/avg\/max: 0\/0\.0\/0\nReceived: 1\nSent: 1\n/)
    expect(await fourLetterWord(running.port, 'hash')).toBe('')
  })

  it('does not take a four-letter word once the session is established', async () => {
    const other = await RawClient.session(running.port)
    other.sendRaw(Buffer.from('ruok', 'latin1'))
    expect(await other.waitClosed()).toBe(true)
  })

  it('addWatch answers a 4-byte zero body', async () => {
    const reply = await client.call(9, OpCode.addWatch, AddWatchRequest, { path: '/p', mode: 1 })
    expect(reply.err).toBe(0)
    expect([...reply.body]).toEqual([0, 0, 0, 0])
  })
})
