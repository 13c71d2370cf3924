// The Apache log parser on real lines: fixtures/apache-member{1,2}.log are zookeeper.log files of a 3-member Debian
// ZooKeeper 3.8 cluster started by `zoodesk cluster --apache 3` (tickTime 500): the first election (member 3 leads),
// then member 3 killed with SIGKILL and the re-election (member 1 leads). Stack traces and other lines are left in.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApacheZabLogParser, LineSplitter } from '../../../engine/cluster/apache-zab-log'
import type { ZabEvent } from '../../../engine/node/quorum/zab-event'

function parse(file: string, myId: number): { time: number; event: ZabEvent }[] {
  const parser = new ApacheZabLogParser(myId)
  return readFileSync(join(__dirname, 'fixtures', file), 'utf8')
    .split('\n')
    .flatMap((line) => parser.line(line))
}

const types = (records: { event: ZabEvent }[]) => records.map((record) => record.event.type)

describe('ApacheZabLogParser', () => {
  it('reads member 2: two elections, its votes converging, notifications, results and syncs', () => {
    const records = parse('apache-member2.log', 2)
    const events = records.map((record) => record.event)
    // First election: 2 votes for itself, hears 3, votes for 3, follows 3 after 340 ms, syncs by DIFF.
    expect(events.slice(0, 4)).toEqual([
      { type: 'state', state: 'LOOKING', leader: null },
      { type: 'vote', vote: { leader: 2, zxid: '0x0', epoch: 0, round: 1 } },
      { type: 'notification', from: 3, state: 'LOOKING', vote: { leader: 3, zxid: '0x0', epoch: 0, round: 1 } },
      { type: 'vote', vote: { leader: 3, zxid: '0x0', epoch: 0, round: 1 } },
    ])
    expect(events).toContainEqual({ type: 'state', state: 'FOLLOWING', leader: 3 })
    expect(events).toContainEqual({ type: 'elected', state: 'FOLLOWING', leader: 3, electionMs: 340 })
    expect(events).toContainEqual({ type: 'synced', leader: 3, epoch: null, sync: 'diff' })
    // Re-election after the leader died: round 2, member 1 has the highest zxid and wins; 2 syncs by SNAP.
    const second = events.slice(events.findIndex((event, index) => index > 0 && event.type === 'state' && event.state === 'LOOKING'))
    expect(second[0]).toEqual({ type: 'state', state: 'LOOKING', leader: null })
    expect(second).toContainEqual({ type: 'vote', vote: { leader: 2, zxid: '0x0', epoch: 1, round: 2 } })
    expect(second).toContainEqual({ type: 'vote', vote: { leader: 1, zxid: '0x100000000', epoch: 1, round: 2 } })
    expect(second).toContainEqual({ type: 'notification', from: 1, state: 'FOLLOWING', vote: { leader: 3, zxid: '0x0', epoch: 1, round: 1 } })
    expect(second).toContainEqual({ type: 'elected', state: 'FOLLOWING', leader: 1, electionMs: 254 })
    expect(second).toContainEqual({ type: 'synced', leader: 1, epoch: null, sync: 'snap' })
    // Times are the log's (local) time stamps.
    expect(records[0]!.time).toBe(new Date(2026, 10, 25, 20, 34, 36, 482).getTime())
  })

  it('reads member 1: follows 3, then leads the next epoch', () => {
    const records = parse('apache-member1.log', 1)
    const events = records.map((record) => record.event)
    expect(events).toContainEqual({ type: 'elected', state: 'FOLLOWING', leader: 3, electionMs: 239 })
    expect(events).toContainEqual({ type: 'synced', leader: 3, epoch: null, sync: 'snap' })
    expect(events).toContainEqual({ type: 'state', state: 'LEADING', leader: 1 })
    expect(events).toContainEqual({ type: 'elected', state: 'LEADING', leader: 1, electionMs: 247 })
    // "Have quorum of supporters … setting last processed zxid: 0x200000000" gives the new epoch.
    expect(events.at(-1)).toEqual({ type: 'established', epoch: 2 })
    // Apache re-sends its vote after every notification time-out: only changes count.
    const votes = events.filter((event) => event.type === 'vote')
    expect(new Set(votes.map((vote) => JSON.stringify(vote))).size).toBe(votes.length)
    console.log(`member 1: ${types(records).join(', ')}`)
  })

  it('skips lines it does not know and partial lines', () => {
    const parser = new ApacheZabLogParser(1)
    expect(parser.line('')).toEqual([])
    expect(parser.line('\tat java.base/java.lang.Thread.run(Thread.java:840)')).toEqual([])
    expect(parser.line('2026-11-25 20:34:36,282 [myid:1] - INFO  [main:FastLeaderElection@90] - zookeeper.fastleader.minNotificationInterval = 200 ms')).toEqual([])
    expect(parser.line('2026-11-25 20:34:57,650 [myid:1] - INFO  [WorkerReceiver[myid=1]:FastLeaderElection$Messenger$WorkerReceiver@391] - Notification: my state:LOOKING; n.sid:1, n.sta')).toEqual([])
  })

  it('reads an observer: the leader comes from "Observing new leader"', () => {
    const parser = new ApacheZabLogParser(4)
    const at = '2026-11-25 20:34:36,295 [myid:4] - INFO  [QuorumPeer[myid=4](plain=127.0.0.1:24103)(secure=disabled):'
    expect(parser.line(`${at}QuorumPeer@1455] - LOOKING`).map((r) => r.event)).toEqual([{ type: 'state', state: 'LOOKING', leader: null }])
    expect(parser.line(`${at}QuorumPeer@1518] - OBSERVING`).map((r) => r.event)).toEqual([{ type: 'state', state: 'OBSERVING', leader: null }])
    expect(parser.line(`${at.replace('36,295', '36,495')}Observer@168] - Observing new leader sid=3 addr=localhost/127.0.0.1:24120`).map((r) => r.event)).toEqual([
      { type: 'elected', state: 'OBSERVING', leader: 3, electionMs: 200 },
    ])
  })

  it('splits appended chunks into whole lines', () => {
    const splitter = new LineSplitter()
    expect(splitter.push('one\ntw')).toEqual(['one'])
    expect(splitter.push('o\nthree')).toEqual(['two'])
    expect(splitter.end()).toEqual(['three'])
  })
})
