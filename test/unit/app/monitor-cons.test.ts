// `cons` as Apache ZooKeeper 3.8.0 (Debian) printed it for a session that had just created an ephemeral node, plus a
// connection still in its handshake; and the packet counters requests/s is computed from.
import { describe, expect, it } from 'vitest'
import { parseCons, parseMntr, parseSrvr } from '../../../engine/monitor'

const CONS =
  ' /127.0.0.1:47926[1](queued=0,recved=2,sent=2,sid=0x100013802a10000,lop=CREA,est=1795638725252,to=10000,lcxid=0x1,lzxid=0x2,lresp=20449495,llat=86,minlat=0,avglat=72,maxlat=86)\n' +
  ' /127.0.0.1:47930[0](queued=0,recved=1,sent=0)\n' +
  '\n'

describe('parseCons', () => {
  it('reads each connection: the client address, its session and figures', () => {
    const [session, handshake, ...rest] = parseCons(CONS)
    expect(rest).toEqual([])
    expect(session).toEqual({
      clientAddress: '127.0.0.1:47926',
      interestOps: '1',
      queued: 0,
      received: 2,
      sent: 2,
      sessionId: 0x100013802a10000n,
      lastOperation: 'CREA',
      establishedMs: 1795638725252,
      timeoutMs: 10000,
      lastCxid: 1n,
      lastZxid: 2n,
      lastLatencyMs: 86,
      minLatencyMs: 0,
      avgLatencyMs: 72,
      maxLatencyMs: 86,
    })
    expect(handshake).toMatchObject({ clientAddress: '127.0.0.1:47930', received: 1, sessionId: null, lastOperation: null, timeoutMs: null })
  })

  it('keeps IPv6 addresses and drops a resolved host name', () => {
    const parsed = parseCons(' /[0:0:0:0:0:0:0:1]:5000[1](queued=0,recved=1,sent=1,sid=0xffffffffffffffff)\n host.example/10.0.0.7:6000[1](queued=0,recved=1,sent=1)\n')
    expect(parsed.map((line) => line.clientAddress)).toEqual(['[0:0:0:0:0:0:0:1]:5000', '10.0.0.7:6000'])
    expect(parsed[0]!.sessionId).toBe(0xffffffffffffffffn)
  })

  it('finds nothing in a refusal or an empty list', () => {
    expect(parseCons('cons is not executed because it is not in the whitelist.\n')).toEqual([])
    expect(parseCons('\n')).toEqual([])
  })
})

describe('packet counters', () => {
  it('come from srvr Received and mntr zk_packets_received', () => {
    expect(parseSrvr('Latency min/avg/max: 58/72.0/86\nReceived: 11\nSent: 12\nConnections: 2\nMode: standalone\n').packetsReceived).toBe(11)
    expect(parseMntr('zk_server_state\tstandalone\nzk_packets_received\t10\nzk_packets_sent\t9\n').packetsReceived).toBe(10)
  })
})
