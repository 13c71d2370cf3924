import { PRELOAD_GLOBAL, WS_RPC_PATH } from '../../main/contract/channels'
import { type ApiClient, createApiClient } from './client'
import { createIpcTransport } from './ipc-transport'
import type { PreloadApi } from './transport'
import { createWebSocketTransport } from './ws-transport'

export { ApiError, isApiError, createApiClient, type ApiClient, type NamespacedApi } from './client'
export type { Transport } from './transport'

/**
 * The api for this page, chosen once at start: the preload's IPC bridge inside Electron, otherwise the WebSocket
 * next to the page (browser mode serves the page at `/<token>/`, so `rpc` resolves to `/<token>/rpc`).
 */
export function connectApi(): ApiClient {
  const bridge = (globalThis as unknown as Record<string, PreloadApi | undefined>)[PRELOAD_GLOBAL]
  if (bridge !== undefined) return createApiClient(createIpcTransport(bridge))
  const url = new URL(WS_RPC_PATH, globalThis.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.search = ''
  url.hash = ''
  return createApiClient(createWebSocketTransport(new WebSocket(url.href)))
}
