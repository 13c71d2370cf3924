// The one api client the stores use: the real one in the app (connectApi), another in tests (a client on a real
// WebSocket to main's services).
import type { ApiClient } from '../api'

let current: ApiClient | null = null

export function setApiClient(client: ApiClient): void {
  current = client
}

export function apiClient(): ApiClient {
  if (current === null) throw new Error('the api client is not set (setApiClient at start)')
  return current
}

/** `api().znodes.get({...})` */
export function api(): ApiClient['api'] {
  return apiClient().api
}
