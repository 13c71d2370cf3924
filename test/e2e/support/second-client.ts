// "Another client" for the end-to-end flows: the engine's own ZooKeeper client on its own session (its changes reach
// the UI's session as watch events, as any other client's would), plus a contract client on its own WebSocket to the
// same browser mode for reading what main knows (clusters, connect strings).
import { WebSocket } from 'ws'
import { ZooKeeperClient } from '../../../engine/client'
import { type ApiClient, createApiClient } from '../../../renderer/api/client'
import { type WebSocketLike, createWebSocketTransport } from '../../../renderer/api/ws-transport'

export async function openContractClient(rpcUrl: string): Promise<ApiClient> {
  const socket = new WebSocket(rpcUrl)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return createApiClient(createWebSocketTransport(socket as unknown as WebSocketLike))
}

export function connectZooKeeper(connectString: string): Promise<ZooKeeperClient> {
  return ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 30_000 })
}
