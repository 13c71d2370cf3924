// Sessions (reference §1.3–§1.4, §4.5): timeout negotiation within minSessionTimeout and
// maxSessionTimeout, the optional readOnly byte, expiry deleting ephemerals with the events it
// fires for other sessions, closeSession, and reconnecting with a session's id and password
// (right, wrong, expired). A short tickTime keeps expiry waits short.
import { describe } from 'vitest'
import { CreateRequest, ExistsRequest, StatResponse } from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { runKazoo } from '../harness/kazoo'
import { pairTest, useServerPair } from '../harness/pair'
import { RawConnection, rawOp, rawSession, replyObservation, splitHostPort } from '../harness/raw'
import type { Handshake, HandshakeOptions } from '../harness/raw'
import type { TestServer } from '../harness/servers'

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const MIN_SESSION_TIMEOUT_MS = 1500
const MAX_SESSION_TIMEOUT_MS = 6000
/** The session the expiry scenario lets expire while kazoo watches its ephemerals. */
const EXPIRING_SESSION_TIMEOUT_MS = 4000

async function handshake(server: TestServer, options: HandshakeOptions): Promise<{ conn: RawConnection; result: Handshake | 'closed' }> {
  const [host, port] = splitHostPort(server.connectString)
  const conn = await RawConnection.open(host, Number(port))
  return { conn, result: await conn.handshake(options) }
}

/** A handshake result as an observation: the password only as "16 zero bytes" or "16 bytes". */
function handshakeObservation(result: Handshake | 'closed'): unknown {
  if (result === 'closed') return { closed: true }
  const zero = result.passwd.every((b) => b === 0)
  return {
    timeOut: result.timeOut,
    sessionId: result.sessionId.toString(),
    passwd: `${result.passwd.length} ${zero ? 'zero ' : ''}bytes`,
    readOnly: result.readOnly ?? 'absent',
    length: result.length,
  }
}

describe('sessions', () => {
  const pair = useServerPair('sessions', {
    tickTime: 500,
    config: { minSessionTimeout: MIN_SESSION_TIMEOUT_MS, maxSessionTimeout: MAX_SESSION_TIMEOUT_MS },
  })

  pairTest(pair, 'timeout negotiation clamps to min/max; the readOnly byte is echoed only when sent (raw frames)', async (server) => {
    const out: unknown[] = []
    for (const timeOut of [0, -5, 100, 1499, 1500, 2345, 6000, 6001, 3_600_000]) {
      const { conn, result } = await handshake(server, { timeOut })
      out.push({ requested: timeOut, ...(handshakeObservation(result) as object) })
      conn.destroy()
    }
    const { conn, result } = await handshake(server, { timeOut: 3000, readOnlyFlag: false })
    out.push({ withoutReadOnlyByte: handshakeObservation(result) })
    conn.destroy()
    return out
  })

  pairTest(pair, 'expiry deletes ephemerals; other sessions get their events; a late reconnect is expired (raw, kazoo)', async (server) => {
    // Long enough for kazoo to start and look before the session expires, even on a busy machine.
    const { conn, session } = await rawSession(server.connectString, { timeOut: EXPIRING_SESSION_TIMEOUT_MS })
    const out: unknown[] = [{ negotiated: session.timeOut }]
    await conn.call(1, CreateRequest, { path: '/se-exp', data: null, acl: OPEN, flags: 0 })
    await conn.call(1, CreateRequest, { path: '/se-exp/e1', data: null, acl: OPEN, flags: 1 })
    await conn.call(1, CreateRequest, { path: '/se-exp/e2-', data: null, acl: OPEN, flags: 3 })
    out.push(
      ...(await runKazoo(server.connectString, `
        zk = connect()
        w = watcher('events')
        op('exists e1', lambda: zk.exists('/se-exp/e1', watch=w).ephemeralOwner == zk.exists('/se-exp/e2-0000000001').ephemeralOwner)
        op('get e2', lambda: zk.get('/se-exp/e2-0000000001', watch=w)[0])
        op('children', lambda: sorted(zk.get_children('/se-exp', watch=w)))
        emit('armed', None)
        wait_events('events', 3, timeout=12.0)
        op('children after expiry', zk.get_children, '/se-exp')
        op('parent after expiry', zk.exists, '/se-exp')
      `, { args: null })),
    )
    // The kazoo script returns once the events arrived: the session has expired by then.
    const [host, port] = splitHostPort(server.connectString)
    const late = await RawConnection.open(host, Number(port))
    out.push({ reconnectAfterExpiry: handshakeObservation(await late.handshake({ sessionId: session.sessionId, passwd: session.passwd })) })
    out.push({ closedAfterExpiredHandshake: await late.waitClosed(2000) })
    late.destroy()
    out.push({ oldConnectionClosedByServer: await conn.waitClosed(2000) })
    conn.destroy()
    return out
  }, { timeoutMs: 30_000 })

  pairTest(pair, 'pings keep a session alive past its timeout (raw frames)', async (server) => {
    const { conn } = await rawSession(server.connectString, { timeOut: MIN_SESSION_TIMEOUT_MS })
    await conn.call(1, CreateRequest, { path: '/se-alive', data: null, acl: OPEN, flags: 1 })
    const pings: unknown[] = []
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400))
      const reply = await conn.request(11, Buffer.alloc(0), -2)
      pings.push(reply === 'closed' ? 'closed' : { xid: reply.xid, err: reply.err })
    }
    const still = await rawOp(conn, 3, ExistsRequest, { path: '/se-alive', watch: false }, StatResponse)
    conn.destroy()
    // The reply's zxid is the member's last applied txn, which other scenarios' sessions expiring meanwhile move
    // at their own pace (on an observer, whenever the INFORM lands): what matters here is the answer itself.
    const { zxid: _lastApplied, ...answer } = still as { zxid?: unknown }
    return [pings, answer]
  }, { timeoutMs: 30_000 })

  pairTest(pair, 'reconnect: right password resumes (and closes the old connection), wrong password is expired (raw frames)', async (server) => {
    const { conn: first, session } = await rawSession(server.connectString, { timeOut: 4000 })
    const out: unknown[] = [{ sessionId: session.sessionId.toString(), timeOut: session.timeOut }]
    await first.call(1, CreateRequest, { path: '/se-re', data: null, acl: OPEN, flags: 1 })

    const wrong = Buffer.from(session.passwd)
    wrong[0] = (wrong[0] ?? 0) ^ 0xff
    const bad = await handshake(server, { sessionId: session.sessionId, passwd: wrong, timeOut: 4000 })
    out.push({ wrongPassword: handshakeObservation(bad.result), closed: await bad.conn.waitClosed(2000) })
    bad.conn.destroy()
    const badLength = await handshake(server, { sessionId: session.sessionId, passwd: Buffer.alloc(5), timeOut: 4000 })
    out.push({ shortPassword: handshakeObservation(badLength.result), closed: await badLength.conn.waitClosed(2000) })
    badLength.conn.destroy()
    const unknown = await handshake(server, { sessionId: session.sessionId + 12345n, passwd: session.passwd, timeOut: 4000 })
    out.push({ unknownSession: handshakeObservation(unknown.result), closed: await unknown.conn.waitClosed(2000) })
    unknown.conn.destroy()
    out.push({ firstConnectionStillOpen: !first.closed })

    const second = await handshake(server, { sessionId: session.sessionId, passwd: session.passwd, timeOut: 5000 })
    out.push({ rightPassword: handshakeObservation(second.result) })
    out.push({ firstConnectionClosedByServer: await first.waitClosed(2000) })
    out.push({ ephemeralStillThere: await rawOp(second.conn, 3, ExistsRequest, { path: '/se-re', watch: false }, StatResponse) })
    // A client that has seen a later zxid than the server's is refused (it would go back in time).
    const ahead = await handshake(server, { sessionId: session.sessionId, passwd: session.passwd, lastZxidSeen: 1n << 40n })
    out.push({ clientAhead: handshakeObservation(ahead.result), closed: await ahead.conn.waitClosed(2000) })
    ahead.conn.destroy()
    out.push({ secondStillOpen: !second.conn.closed })
    const close = await second.conn.request(-11)
    out.push({ close: replyObservation(close) })
    second.conn.destroy()
    return out
  }, { timeoutMs: 30_000 })

  pairTest(pair, 'closeSession deletes ephemerals at once with the close txn zxid; watchers see it (raw, kazoo)', async (server) => {
    const { conn } = await rawSession(server.connectString, { timeOut: 6000 })
    await conn.call(1, CreateRequest, { path: '/se-close', data: null, acl: OPEN, flags: 0 })
    await conn.call(1, CreateRequest, { path: '/se-close/a', data: null, acl: OPEN, flags: 1 })
    await conn.call(1, CreateRequest, { path: '/se-close/b', data: null, acl: OPEN, flags: 1 })
    const kazoo = runKazoo(server.connectString, `
      zk = connect()
      w = watcher('events')
      zk.exists('/se-close/a', watch=w)
      zk.get('/se-close/b', watch=w)
      zk.get_children('/se-close', watch=w)
      zk.create('/se-close/armed')
      wait_events('events', 3, timeout=8.0)
      op('parent', zk.exists, '/se-close')
    `)
    // Wait until the watches are set before closing the session.
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const reply = await conn.call(3, ExistsRequest, { path: '/se-close/armed', watch: false })
      if (reply !== 'closed' && reply.err === 0) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const close = await conn.request(-11)
    conn.destroy()
    return [{ close: replyObservation(close) }, ...(await kazoo)]
  }, { timeoutMs: 30_000 })

  pairTest(pair, 'kazoo cut off past its session timeout: SUSPENDED, LOST, then a new session (kazoo through a proxy)', async (server) =>
    runKazoo(server.connectString, `
      proxy = Proxy()
      zk = connect(hosts=proxy.hosts, timeout=1.5, connection_retry=FAST_RECONNECT)
      zk.add_listener(watcher('states'))
      old = zk.client_id[0]
      zk.create('/se-lost', ephemeral=True)
      proxy.pause()
      time.sleep(4.0)
      proxy.resume()
      wait_events('states', 3, timeout=10.0)
      wait_connected(zk)
      emit('new session', zk.client_id[0] != old)
      op('ephemeral gone', zk.exists, '/se-lost')
    `), { timeoutMs: 30_000 })
})
