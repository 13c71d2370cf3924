// Transport constants shared by main, the preload and the renderer. No imports: the sandboxed preload bundles this
// file alone (it may only `require('electron')`), and the renderer must not pull main's code in.

/** Electron IPC channel for calls (ipcRenderer.invoke → ipcMain.handle). */
export const IPC_CALL_CHANNEL = 'zoodesk:call'
/** Electron IPC channel for event streams (webContents.send → ipcRenderer.on). */
export const IPC_EVENT_CHANNEL = 'zoodesk:event'
/** Name of the object the preload exposes on `window`. */
export const PRELOAD_GLOBAL = 'zoodesk'
/** Path (below the token prefix) of the browser mode's WebSocket. */
export const WS_RPC_PATH = 'rpc'
/** Version of the message format below; the server refuses a client that speaks another. */
export const WIRE_VERSION = 1
