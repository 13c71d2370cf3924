// Member → cluster messages are checked field by field on receipt: they cross a process boundary.
import { describe, expect, it } from 'vitest'
import { parseClusterMessage, parseMemberMessage, parseZabEvent } from '../../../engine/cluster/member-messages'
import type { ZabEvent } from '../../../engine/node/quorum/zab-event'

const vote = { leader: 3, zxid: '0x100000002', epoch: 1, round: 2 }
const good: ZabEvent[] = [
  { type: 'state', state: 'LOOKING', leader: null },
  { type: 'state', state: 'FOLLOWING', leader: 3 },
  { type: 'vote', vote },
  { type: 'vote', vote: { ...vote, leader: -1 } },
  { type: 'notification', from: 2, state: 'LEADING', vote },
  { type: 'elected', state: 'LEADING', leader: 3, electionMs: 212 },
  { type: 'elected', state: 'OBSERVING', leader: 3, electionMs: null },
  { type: 'established', epoch: 2 },
  { type: 'synced', leader: 3, epoch: 2, sync: 'diff' },
  { type: 'synced', leader: null, epoch: null, sync: null },
  { type: 'txns', proposals: 120, commits: 118, firstZxid: '0x200000001', lastZxid: '0x200000078', windowMs: 250 },
  { type: 'txns', proposals: 0, commits: 0, firstZxid: null, lastZxid: null, windowMs: 0 },
]

describe('member → cluster messages', () => {
  it('accepts every well-formed ZAB event, unchanged', () => {
    for (const event of good) {
      expect(parseZabEvent(JSON.parse(JSON.stringify(event)))).toEqual(event)
      expect(parseMemberMessage({ type: 'zab', time: 1_700_000_000_000, event })).toEqual({ type: 'zab', time: 1_700_000_000_000, event })
    }
  })

  it('drops anything malformed', () => {
    const bad: unknown[] = [
      null,
      'zab',
      { type: 'zab', time: 1, event: { type: 'unknown' } },
      { type: 'zab', time: -1, event: good[0] },
      { type: 'zab', time: Number.NaN, event: good[0] },
      { type: 'zab', event: good[0] },
      { type: 'disk', mode: 'ok', delayMs: 0 },
      { type: 'zab', time: 1, event: { type: 'state', state: 'SLEEPING', leader: null } },
      { type: 'zab', time: 1, event: { type: 'vote', vote: { ...vote, zxid: '100' } } },
      { type: 'zab', time: 1, event: { type: 'vote', vote: { ...vote, zxid: '0x' + 'f'.repeat(17) } } },
      { type: 'zab', time: 1, event: { type: 'vote', vote: { ...vote, round: 1.5 } } },
      { type: 'zab', time: 1, event: { type: 'notification', from: -2, state: 'LOOKING', vote } },
      { type: 'zab', time: 1, event: { type: 'notification', from: 1, state: 'LOOKING' } },
      { type: 'zab', time: 1, event: { type: 'synced', leader: 1, epoch: 1, sync: 'rsync' } },
      { type: 'zab', time: 1, event: { type: 'txns', proposals: -1, commits: 0, firstZxid: null, lastZxid: null, windowMs: 250 } },
      { type: 'zab', time: 1, event: { type: 'txns', proposals: 1, commits: 0, firstZxid: 7, lastZxid: null, windowMs: 250 } },
    ]
    for (const value of bad) expect(parseMemberMessage(value), JSON.stringify(value)).toBeUndefined()
  })

  it('keeps the two directions apart', () => {
    expect(parseClusterMessage({ type: 'zab', time: 1, event: good[0] })).toBeUndefined()
    expect(parseMemberMessage({ type: 'disk', mode: 'slow', delayMs: 5 })).toBeUndefined()
  })
})
