import type { PreloadApi, Transport } from './transport'

/** The desktop app's transport: the preload's narrow bridge to ipcRenderer. */
export function createIpcTransport(bridge: PreloadApi): Transport {
  return {
    call: (request) => bridge.call(request),
    onEvent: (listener) => bridge.onEvent(listener),
    close: () => {},
  }
}
