import { describe, expect, it } from 'vitest'
import { notWhitelisted, parseAdminMonitor, parseAdminSrvr, parseMntr, parseSrvr } from '../../../engine/monitor'

const SRVR = `Zookeeper version: 3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25 08:49 UTC
Latency min/avg/max: 0/0.4286/3
Received: 12
Sent: 11
Connections: 2
Outstanding: 1
Zxid: 0x20000000c
Mode: follower
Node count: 7
`

const MNTR = [
  'zk_version\t3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25 08:49 UTC',
  'zk_server_state\tleader',
  'zk_ephemerals_count\t3',
  'zk_num_alive_connections\t4',
  'zk_avg_latency\t0.25',
  'zk_outstanding_requests\t0',
  'zk_znode_count\t12',
  'zk_watch_count\t5',
  'zk_min_latency\t0',
  'zk_max_latency\t9',
  'zk_approximate_data_size\t456',
  'zk_synced_followers\t2',
  'zk_pending_syncs\t0',
  'zk_proposal_count\t40',
  'zk_commit_count\t38',
  '',
].join('\n')

describe('health parsers', () => {
  it('reads srvr', () => {
    expect(parseSrvr(SRVR)).toEqual({
      latencyMinMs: 0,
      latencyAvgMs: 0.4286,
      latencyMaxMs: 3,
      connections: 2,
      outstandingRequests: 1,
      znodes: 7,
      packetsReceived: 12,
      zxid: 0x20000000cn,
      role: 'follower',
    })
    expect(parseSrvr('Mode: standalone\n').role).toBe('standalone')
    expect(parseSrvr('Mode: read-only\n').role).toBe('read-only')
  })

  it('reads mntr', () => {
    expect(parseMntr(MNTR)).toEqual({
      role: 'leader',
      latencyMinMs: 0,
      latencyAvgMs: 0.25,
      latencyMaxMs: 9,
      outstandingRequests: 0,
      connections: 4,
      znodes: 12,
      watches: 5,
      ephemerals: 3,
      dataSizeBytes: 456,
      syncedFollowers: 2,
      pendingSyncs: 0,
      proposalCount: 40,
      commitCount: 38,
    })
    expect(parseMntr('zk_server_state\tfollower\n').syncedFollowers).toBeUndefined()
  })

  it('reads the AdminServer monitor and srvr JSON', () => {
    expect(parseAdminMonitor({ server_state: 'observer', znode_count: 9, watch_count: 1, ephemerals_count: 0, approximate_data_size: 10 })).toMatchObject({
      role: 'observer',
      znodes: 9,
      watches: 1,
      ephemerals: 0,
      dataSizeBytes: 10,
    })
    expect(parseAdminSrvr({ server_stats: { server_state: 'leader', last_processed_zxid: 8589934604 } })).toEqual({ role: 'leader', zxid: 0x20000000cn })
    expect(parseAdminSrvr({})).toEqual({})
  })

  it('recognises a refused four-letter word', () => {
    expect(notWhitelisted('mntr is not executed because it is not in the whitelist.\n')).toBe(true)
    expect(notWhitelisted(SRVR)).toBe(false)
  })
})
