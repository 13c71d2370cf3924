// Manual check, not part of npm test (no assertions yet): our QuorumPeer as member 3 of an ensemble with two Apache 3.8
// members over real sockets. Run: npx vitest run --dir test/compat/interop (rename to *.test.ts). The next step of
// issue 3 turns this into a real differential test once members are wired (engine/quorum/README.md).
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { promisify } from 'node:util'
const execAsync = promisify(execFile)
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { type Socket, connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'vitest'
import { JuteDecodeError, JuteReader, JuteWriter } from '../../../engine/jute'
import { QuorumPeer } from '../../../engine/quorum/peer/quorum-peer'
import type { Effect } from '../../../engine/quorum/peer/effects'
import { MajorityQuorum } from '../../../engine/quorum/quorum-verifier'
import {
  ElectionFrameReader, PacketType, QuorumPacketReader, decodeNotification, decodeProposalData, encodeInitialMessage,
  encodeNotification, encodePacket, frameElectionMessage, packetTypeName, proposalOf, readInitialMessage, serverStateName,
} from '../../../engine/quorum/wire'
import { rawTreeBodyCodec } from '../../../engine/txn/raw-tree-body'

const base = 20000 + Math.floor(Math.random() * 30000)
const ports = { client: [base, base + 1], quorum: [base + 10, base + 11, base + 12], election: [base + 20, base + 21, base + 22] }
const log = (...args: unknown[]) => console.log(`[${(performance.now() / 1000).toFixed(2)}]`, ...args)

function startApache(id: number, dir: string): ChildProcess {
  const data = join(dir, `n${id}`)
  mkdirSync(data, { recursive: true })
  writeFileSync(join(data, 'myid'), `${id}\n`)
  const cfg = [
    'tickTime=2000', 'initLimit=10', 'syncLimit=5', `dataDir=${data}`, `clientPort=${ports.client[id - 1]}`, 'clientPortAddress=127.0.0.1',
    '4lw.commands.whitelist=*', 'admin.enableServer=false',
    ...[1, 2, 3].map((n) => `server.${n}=127.0.0.1:${ports.quorum[n - 1]}:${ports.election[n - 1]}`),
  ].join('\n')
  writeFileSync(join(data, 'zoo.cfg'), cfg)
  const child = spawn('java', ['-cp', '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar', `-Dzookeeper.log.dir=${data}`, '-Dzookeeper.root.logger=INFO,CONSOLE', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(data, 'zoo.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d) => { for (const line of String(d).split('\n')) if (/ERROR|WARN|Exception|Synchroniz|Getting a|TRUNC|GOODBYE|exit|Exit/.test(line) && !/SLF4J|Unable to read additional|unexpected error, closing socket connection|EndOfStreamException/.test(line)) log(`apache${id}:`, line.slice(0, 240)) })
  child.stderr!.on('data', (d) => log(`apache${id} err:`, String(d).slice(0, 300)))
  return child
}

function fourLetter(port: number, word: string): string {
  try {
    return execFileSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; printf ${word} >&3; cat <&3`], { timeout: 3000 }).toString()
  } catch (error) { return String(error) }
}

it('interop with Apache 3.8', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zd-interop-'))
  const apache = [startApache(1, dir), startApache(2, dir)]
  const membership = [1, 2, 3].map((n) => `server.${n}=127.0.0.1:${ports.quorum[n - 1]}:${ports.election[n - 1]}:participant\n`).join('')
  const peer = new QuorumPeer({ myId: 3, quorum: new MajorityQuorum([1, 2, 3]), timing: { tickTimeMs: 2000, initLimitTicks: 10, syncLimitTicks: 5, connectToLeaderLimitTicks: 10 }, membershipText: membership },
    { currentEpoch: 0n, acceptedEpoch: 0n, lastLoggedZxid: 0n, recentProposals: [] })
  const electionSockets = new Map<number, Socket>()
  const leaderSockets = new Map<number, Socket>()
  const learnerSockets = new Map<number, Socket>()
  let timer: NodeJS.Timeout | null = null
  let applied = 0
  let treeNodes: string[] = []
  const step = (input: Parameters<QuorumPeer['step']>[1]) => {
    peer.step(performance.now(), input)
    for (const effect of peer.takeEffects()) perform(effect)
    if (timer) clearTimeout(timer)
    const deadline = peer.nextDeadlineMs()
    if (deadline !== null) timer = setTimeout(() => step({ kind: 'tick' }), Math.max(0, deadline - performance.now()) + 1)
  }
  const perform = (effect: Effect) => {
    switch (effect.kind) {
      case 'sendNotification': {
        const socket = electionSockets.get(effect.to)
        log('→ notification', effect.to, serverStateName(effect.notification.state), effect.notification.leader, effect.notification.zxid.toString(16), 'ee', effect.notification.electionEpoch)
        socket?.write(frameElectionMessage(encodeNotification(effect.notification)))
        return
      }
      case 'connectToLeader': {
        const socket = connect(ports.quorum[effect.leader - 1]!, '127.0.0.1')
        const reader = new QuorumPacketReader()
        let snap: { zxid: bigint; pending: Buffer } | null = null
        let snapPacket: ReturnType<QuorumPacketReader['push']>[number] | null = null
        socket.on('connect', () => { leaderSockets.set(effect.attempt, socket); step({ kind: 'leaderConnected', attempt: effect.attempt }) })
        socket.on('error', (error) => log('leader socket error', error.message))
        socket.on('close', () => { if (leaderSockets.get(effect.attempt) === socket) step({ kind: 'leaderDisconnected', attempt: effect.attempt }); else step({ kind: 'leaderConnectFailed', attempt: effect.attempt }) })
        const deliver = (packets: ReturnType<QuorumPacketReader['push']>) => {
          for (const p of packets) {
            log('← leader', packetTypeName(p.type), p.zxid.toString(16), p.data?.length ?? 'null')
            if (p.type === PacketType.SNAP) { snapPacket = p; snap = { zxid: p.zxid, pending: reader.takeRemainder() }; return tryParseSnap() }
            if (p.type === PacketType.PROPOSAL) log('   txn', JSON.stringify(decodeProposalData(p.data!).txn, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)).slice(0, 200))
            step({ kind: 'fromLeader', attempt: effect.attempt, packet: p })
          }
        }
        const tryParseSnap = () => {
          if (snap === null) return
          try {
            const r = new JuteReader(snap.pending)
            const sessions = r.int()
            for (let i = 0; i < sessions; i++) { r.long(); r.int() }
            const tree = rawTreeBodyCodec.deserializeTree(r)
            const signature = r.ustring()
            log('   snapshot:', sessions, 'sessions,', tree.nodes.map((n) => n.path || '(root)').join(' '), 'signature', signature)
            treeNodes = tree.nodes.map((n) => n.path)
            const rest = snap.pending.subarray(r.offset)
            snap = null
            step({ kind: 'fromLeader', attempt: effect.attempt, packet: snapPacket!, snapshot: tree })
            deliver(reader.resume(rest))
          } catch (error) {
            if (!(error instanceof JuteDecodeError)) throw error
          }
        }
        socket.on('data', (chunk: Buffer) => {
          if (snap !== null) { snap.pending = Buffer.concat([snap.pending, chunk]); return tryParseSnap() }
          deliver(reader.push(chunk))
        })
        return
      }
      case 'sendToLeader':
        log('→ leader', packetTypeName(effect.packet.type), effect.packet.zxid.toString(16))
        leaderSockets.get(effect.attempt)?.write(encodePacket(effect.packet))
        return
      case 'closeLeaderConnection': leaderSockets.get(effect.attempt)?.destroy(); leaderSockets.delete(effect.attempt); return
      case 'sendToLearner':
        log('→ learner', effect.connection, packetTypeName(effect.packet.type), effect.packet.zxid.toString(16))
        learnerSockets.get(effect.connection)?.write(encodePacket(effect.packet))
        return
      case 'sendSnapshotToLearner': {
        const w = new JuteWriter()
        w.int(0)
        rawTreeBodyCodec.serializeTree({ acls: new Map(), nodes: [] }, w)
        w.ustring('BenWasHere')
        log('→ learner snapshot (EMPTY TREE - test only)')
        learnerSockets.get(effect.connection)?.write(w.toBuffer())
        return
      }
      case 'closeLearnerConnection': learnerSockets.get(effect.connection)?.destroy(); learnerSockets.delete(effect.connection); return
      case 'persist': log('persist', effect.op.op, 'epoch' in effect.op ? effect.op.epoch : 'zxid' in effect.op ? effect.op.zxid.toString(16) : effect.op.proposal.zxid.toString(16)); setImmediate(() => step({ kind: 'persisted', ticket: effect.ticket })); return
      case 'apply': applied++; log('apply', effect.proposal.zxid.toString(16)); return
      case 'log': log(`  peer ${effect.level}: ${effect.message}`); return
      case 'learnerRequest': {
        const { sessionId, cxid, type, body } = effect.request
        log('learner request', type, sessionId.toString(16))
        const leader = peer.leader
        if (leader === null || !leader.established) return
        const zxid = leader.nextZxid()
        const header = { clientId: sessionId, cxid, zxid, time: Date.now(), type }
        if (type === -10) setImmediate(() => step({ kind: 'propose', proposal: proposalOf({ header, body: { type: -10, txn: { timeOut: body.readInt32BE(0) } } }) }))
        if (type === -11) setImmediate(() => step({ kind: 'propose', proposal: proposalOf({ header, body: { type: -11, txn: { paths2Delete: [] } } }) }))
        return
      }
      default: log('effect', JSON.stringify(effect, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)).slice(0, 200))
    }
  }
  // Election port: we are sid 3, the highest, so our outgoing connections survive; close incoming ones.
  const electionServer = createServer((socket) => {
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      const read = readInitialMessage(buffered)
      if (read.kind === 'message') { log('incoming election connection from sid', read.message.sid, read.message.addresses, '→ close (lower sid)'); socket.destroy() }
    })
    socket.on('error', () => {})
  }).listen(ports.election[2], '127.0.0.1')
  const quorumServer = createServer((socket) => {
    const connection = socket.remotePort!
    learnerSockets.set(connection, socket)
    const reader = new QuorumPacketReader()
    step({ kind: 'learnerConnected', connection })
    socket.on('data', (chunk) => { for (const p of reader.push(chunk)) { log('← learner', connection, packetTypeName(p.type), p.zxid.toString(16)); step({ kind: 'fromLearner', connection, packet: p }) } })
    socket.on('close', () => step({ kind: 'learnerDisconnected', connection }))
    socket.on('error', () => {})
  }).listen(ports.quorum[2], '127.0.0.1')

  await new Promise((r) => setTimeout(r, 6000))
  log('apache1 srvr:', fourLetter(ports.client[0]!, 'srvr').split('\n').find((l) => l.startsWith('Mode')))
  log('apache2 srvr:', fourLetter(ports.client[1]!, 'srvr').split('\n').find((l) => l.startsWith('Mode')))
  for (const sid of [1, 2]) {
    const socket = connect(ports.election[sid - 1]!, '127.0.0.1', () => socket.write(encodeInitialMessage(3, `127.0.0.1:${ports.election[2]}`)))
    const reader = new ElectionFrameReader()
    socket.on('data', (chunk) => { for (const m of reader.push(chunk)) { const n = decodeNotification(m); log('← notification from', sid, serverStateName(n.state), 'leader', n.leader, 'zxid', n.zxid.toString(16), 'ee', n.electionEpoch, 'pe', n.peerEpoch, 'v', n.version, JSON.stringify(n.config?.toString())); step({ kind: 'notification', from: sid, notification: n }) } })
    socket.on('error', (e) => log('election socket', sid, e.message))
    electionSockets.set(sid, socket)
  }
  await new Promise((r) => setTimeout(r, 300))
  step({ kind: 'start' })
  await new Promise((r) => setTimeout(r, 5000))
  const leaderPort = fourLetter(ports.client[0]!, 'srvr').includes('leader') ? ports.client[0]! : ports.client[1]!
  log('leader mntr:', fourLetter(leaderPort, 'mntr').split('\n').filter((l) => /synced|learners|zk_server_state|zxid/.test(l)).join(' | '))
  log('creating /interop via zkCli on the leader')
  try { log((await execAsync('/usr/share/zookeeper/bin/zkCli.sh', ['-server', `127.0.0.1:${leaderPort}`, 'create', '/interop', 'hello'], { timeout: 20000 })).stdout.split('\n').filter((l) => /Created|Exception/.test(l)).join(' ')) } catch (e) { log('zkCli', String(e).slice(0, 300)) }
  await new Promise((r) => setTimeout(r, 1500))
  log('applied on our member:', applied, 'state', serverStateName(peer.state), 'serving', peer.serving)
  // Kill the Apache leader: the remaining Apache member and we elect a new leader.
  const leaderIndex = leaderPort === ports.client[0] ? 0 : 1
  log('killing apache leader', leaderIndex + 1)
  apache[leaderIndex]!.kill('SIGKILL')
  await new Promise((r) => setTimeout(r, 12000))
  const other = 1 - leaderIndex
  if (peer.leader?.established) {
    const zxid = peer.leader.nextZxid()
    const txn = { header: { clientId: 0n, cxid: 0, zxid, time: Date.now(), type: 1 }, body: { type: 1 as const, txn: { path: '/from-zoodesk', data: Buffer.from('written by a ZooDesk leader'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeral: false, parentCVersion: -1 } } }
    log('follower srvr before:', JSON.stringify(fourLetter(ports.client[other]!, 'srvr')), 'alive', apache[other]!.exitCode)
    log('our leader proposes', zxid.toString(16))
    step({ kind: 'propose', proposal: proposalOf(txn) })
    await new Promise((r) => setTimeout(r, 1000))
    try { log('zkCli get on the Apache follower:', (await execAsync('/usr/share/zookeeper/bin/zkCli.sh', ['-server', `127.0.0.1:${ports.client[other]}`, 'get', '/from-zoodesk'], { timeout: 20000 })).stdout.split('\n').filter((l) => /ZooDesk|Exception|Node does not exist/.test(l)).join(' ')) } catch (e) { log('zkCli', String(e).slice(0, 300), (e as { stdout?: Buffer }).stdout?.toString().slice(-1500)) }
  }
  log(`apache${other + 1} srvr:`, fourLetter(ports.client[other]!, 'srvr').split('\n').filter((l) => /Mode|Zxid/.test(l)).join(' | '))
  log('our member:', serverStateName(peer.state), 'serving', peer.serving, 'leader', peer.leaderId, 'learners', JSON.stringify(peer.leader?.learners()))
  for (const child of apache) child.kill('SIGKILL')
  electionServer.close(); quorumServer.close()
  for (const s of [...electionSockets.values(), ...leaderSockets.values(), ...learnerSockets.values()]) s.destroy()
  if (timer) clearTimeout(timer)
  void treeNodes
}, 90_000)
