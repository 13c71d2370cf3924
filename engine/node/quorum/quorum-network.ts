import type { TreeOptions } from '../../tree/api'
import type { MemberConfig, QuorumServerSpec } from '../config-types'
import type { Logger } from '../log'
import { ElectionTransport } from '../net/election-transport'
import { connectToLeader } from '../net/leader-connection'
import type { QuorumConnection } from '../net/quorum-connection'
import { QuorumListener } from '../net/quorum-listener'
import type { SocketAddress } from '../net/socket-address'
import type { DeliverInput, QuorumNetwork } from './network'
import { parseSnapBody, type SnapContent } from './snap-body'

export interface MemberNetwork {
  readonly network: QuorumNetwork
  /** Binds the election port (the quorum port is bound only while this member leads). */
  listen(): Promise<void>
  /** Addresses of an activated configuration's servers (election and quorum ports), used for every later dial. */
  useAddresses(servers: readonly QuorumServerSpec[]): void
}

/**
 * The QuorumNetwork of a real member: Apache's election connection manager on the election port, the leader's
 * listener on the quorum port while it leads, and one connection to the leader while it follows or observes.
 * Addresses come from the `server.N` lines; with quorumListenOnAllIPs the ports bind every interface.
 */
export function createQuorumNetwork(config: MemberConfig, deliver: DeliverInput, treeOptions: TreeOptions, log: Logger): MemberNetwork {
  const me = config.servers.find((server) => server.id === config.myId)
  if (me === undefined) throw new Error(`myid ${config.myId} has no server.${config.myId} line`)
  const listenOnAll = /^true$/i.test(config.extraProperties['quorumListenOnAllIPs'] ?? 'false')
  const bindHost = listenOnAll ? '0.0.0.0' : me.host
  const electionPeers = new Map<number, SocketAddress>()
  const quorumAddresses = new Map<number, SocketAddress>()
  for (const server of config.servers) {
    quorumAddresses.set(server.id, { host: server.host, port: server.quorumPort })
    if (server.id !== config.myId) electionPeers.set(server.id, { host: server.host, port: server.electionPort })
  }
  const connectTimeoutMs = config.tickTimeMs * config.initLimitTicks

  const election = new ElectionTransport({
    myId: config.myId,
    bindHost,
    bindPort: me.electionPort,
    announcedAddress: { host: me.host, port: me.electionPort },
    peers: electionPeers,
    onNotification: (from, notification) => deliver({ kind: 'notification', from, notification }),
    log,
  })

  const leaderConnections = new Map<number, QuorumConnection<SnapContent>>()
  let listener: QuorumListener | null = null
  let listenerClosing: Promise<void> = Promise.resolve()
  let closed = false

  const startListening = (): void => {
    if (listener !== null || closed) return
    const current = new QuorumListener({
      bindHost,
      bindPort: me.quorumPort,
      log,
      onLearnerConnected: (connection) => deliver({ kind: 'learnerConnected', connection: connection.id }),
      onPacket: (connection, packet) => deliver({ kind: 'fromLearner', connection: connection.id, packet }),
      onClose: (connection) => deliver({ kind: 'learnerDisconnected', connection: connection.id }),
    })
    listener = current
    // The previous leadership's socket must be gone before the port can be bound again.
    void listenerClosing
      .then(() => current.listen())
      .catch((error: unknown) => {
        log.error(`cannot listen for learners on ${bindHost}:${me.quorumPort}: ${(error as Error).message}`)
      })
  }

  const stopListening = (): void => {
    const current = listener
    if (current === null) return
    listener = null
    listenerClosing = current.close()
  }

  const network: QuorumNetwork = {
    sendNotification: (to, notification) => election.send(to, notification),
    connectToLeader: (attempt, leaderId) => {
      const leader = quorumAddresses.get(leaderId)
      if (leader === undefined || closed) {
        queueMicrotask(() => deliver({ kind: 'leaderConnectFailed', attempt }))
        return
      }
      const connection = connectToLeader<SnapContent>({
        leader,
        id: attempt,
        connectTimeoutMs,
        log,
        parseSnapshot: (body) => parseSnapBody(body, treeOptions),
        onConnected: () => deliver({ kind: 'leaderConnected', attempt }),
        onPacket: (_connection, packet, snapshot) =>
          deliver(snapshot === undefined ? { kind: 'fromLeader', attempt, packet } : { kind: 'fromLeader', attempt, packet, snapshot }),
        onClose: (_connection, outcome) => {
          leaderConnections.delete(attempt)
          if (!outcome.wasConnected) deliver({ kind: 'leaderConnectFailed', attempt })
          else if (outcome.cause !== 'local') deliver({ kind: 'leaderDisconnected', attempt })
        },
      })
      leaderConnections.set(attempt, connection)
    },
    sendToLeader: (attempt, packet) => void leaderConnections.get(attempt)?.send(packet),
    closeLeaderConnection: (attempt) => {
      leaderConnections.get(attempt)?.close('closed by the learner')
      leaderConnections.delete(attempt)
    },
    sendToLearner: (connection, packet) => void listener?.connection(connection)?.send(packet),
    sendRawToLearner: (connection, bytes) => void listener?.connection(connection)?.sendRaw(bytes),
    closeLearnerConnection: (connection) => listener?.connection(connection)?.close('closed by the leader'),
    setAcceptingLearners: (accepting) => (accepting ? startListening() : stopListening()),
    close: async () => {
      closed = true
      stopListening()
      for (const connection of leaderConnections.values()) connection.close('member stopping')
      leaderConnections.clear()
      await Promise.all([listenerClosing, election.close()])
    },
  }
  return {
    network,
    listen: async () => {
      await election.listen()
    },
    // An activated configuration may name servers (or addresses) our zoo.cfg did not: dial those from now on.
    useAddresses: (servers) => {
      for (const server of servers) {
        quorumAddresses.set(server.id, { host: server.host, port: server.quorumPort })
        if (server.id !== config.myId) electionPeers.set(server.id, { host: server.host, port: server.electionPort })
      }
    },
  }
}
