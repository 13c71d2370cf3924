// The session lens's parsers and merge: `dump` as a leader and a learner print it (Apache 3.8's layout), `wchc`,
// and the merge of three members' answers, including a member whose whitelist does not allow a word.
import { describe, expect, it } from 'vitest'
import { type MemberSessionReport, mergeSessionReports, parseCons, parseDump, parseWatchesBySession } from '../../../engine/monitor'

const LEADER_DUMP = `SessionTracker dump:
Session Sets (3)/(2):
0 expire at Wed Nov 25 22:00:00 UTC 2026:
1 expire at Wed Nov 25 22:00:02 UTC 2026:
\t0x100000abc000001
1 expire at Wed Nov 25 22:00:04 UTC 2026:
\t0x200000abc000002
ephemeral nodes dump:
Sessions with Ephemerals (1):
0x100000abc000001:
\t/app/lock-1
\t/app/member-a
Connections dump:
Connections Sets (1)/(1):
1 expire at Wed Nov 25 22:00:10 UTC 2026:
\tip: /127.0.0.1:50000 sessionId: 0x100000abc000001
`

const LEARNER_DUMP = `SessionTracker dump:
Global Sessions(2):
0x100000abc000001\t10000ms
0x200000abc000002\t4000ms
ephemeral nodes dump:
Sessions with Ephemerals (1):
0x100000abc000001:
\t/app/lock-1
\t/app/member-a
Connections dump:
Connections Sets (0)/(0):
`

describe('parseDump', () => {
  it('reads a leader’s expiry sets and ephemerals', () => {
    const dump = parseDump(LEADER_DUMP)
    expect(dump.tracker).toBe('expiry-sets')
    expect([...dump.sessions.keys()]).toEqual([0x100000abc000001n, 0x200000abc000002n])
    expect(dump.ephemerals.get(0x100000abc000001n)).toEqual(['/app/lock-1', '/app/member-a'])
  })

  it('reads a learner’s global sessions with their timeouts', () => {
    const dump = parseDump(LEARNER_DUMP)
    expect(dump.tracker).toBe('global-sessions')
    expect(dump.sessions.get(0x200000abc000002n)).toBe(4000)
  })
})

describe('parseWatchesBySession', () => {
  it('reads sessions and their watched paths', () => {
    const watches = parseWatchesBySession('0x100000abc000001\n\t/app\n\t/app/config\n0x200000abc000002\n\t/other\n\n')
    expect(watches.get(0x100000abc000001n)).toEqual(['/app', '/app/config'])
    expect(watches.get(0x200000abc000002n)).toEqual(['/other'])
  })
})

describe('mergeSessionReports', () => {
  const cons = (sid: string, port: number) =>
    parseCons(` /127.0.0.1:${port}[1](queued=0,recved=5,sent=5,sid=${sid},lop=GETD,est=1795638725252,to=10000,lcxid=0x4,lzxid=0x10,lresp=1,llat=1,minlat=0,avglat=1,maxlat=3)\n /127.0.0.1:${port + 1}[0](queued=0,recved=1,sent=0)\n`)
  const notAllowed = (word: string) => ({ ok: false as const, reason: 'not-allowed' as const, message: `${word} not allowed` })

  it('puts each session on the member it is connected to, with ephemerals from the leader and watches from every member', () => {
    const reports: MemberSessionReport[] = [
      { address: '127.0.0.1:2181', mode: 'follower', cons: { ok: true, value: cons('0x100000abc000001', 50000) }, dump: { ok: true, value: parseDump(LEARNER_DUMP) }, wchc: { ok: true, value: parseWatchesBySession('0x100000abc000001\n\t/app\n') } },
      { address: '127.0.0.1:2182', mode: 'leader', cons: { ok: true, value: [] }, dump: { ok: true, value: parseDump(LEADER_DUMP) }, wchc: { ok: true, value: new Map() } },
      { address: '127.0.0.1:2183', mode: 'follower', cons: { ok: true, value: cons('0x200000abc000002', 51000) }, dump: notAllowed('dump'), wchc: notAllowed('wchc') },
    ]
    const lens = mergeSessionReports(reports)
    expect(lens.dumpFrom).toBe('127.0.0.1:2182')
    expect(lens.sessions.map((session) => session.sessionId)).toEqual([0x100000abc000001n, 0x200000abc000002n])
    const [first, second] = lens.sessions
    expect(first!.connections.map((c) => [c.member, c.connection.clientAddress])).toEqual([['127.0.0.1:2181', '127.0.0.1:50000']])
    expect(first!.ephemerals).toEqual(['/app/lock-1', '/app/member-a'])
    expect(first!.watches).toEqual(['/app'])
    expect(second!.connections[0]!.member).toBe('127.0.0.1:2183')
    expect(second!.timeoutMs).toBe(10000)
    expect(lens.gaps.map((gap) => `${gap.word}@${gap.member}:${gap.reason}`)).toEqual(['dump@127.0.0.1:2183:not-allowed', 'wchc@127.0.0.1:2183:not-allowed'])
  })

  it('still lists connected sessions when no member allows dump', () => {
    const lens = mergeSessionReports([{ address: 'a:1', mode: null, cons: { ok: true, value: cons('0x5', 40000) }, dump: notAllowed('dump'), wchc: notAllowed('wchc') }])
    expect(lens.dumpFrom).toBeNull()
    expect(lens.sessions).toHaveLength(1)
    expect(lens.sessions[0]!.tracked).toBe(false)
  })
})
