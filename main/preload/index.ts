// The sandboxed preload: the renderer's only door to main. It exposes two functions (call a contract method,
// listen to contract events) and nothing of Electron or Node. Bundled alone: it may only require('electron').
import { type IpcRendererEvent, contextBridge, ipcRenderer } from 'electron'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, PRELOAD_GLOBAL } from '../contract/channels'
import type { CallOutcome, CallRequest, EventMessage } from '../contract/wire'

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, {
  call: (request: CallRequest): Promise<CallOutcome> => ipcRenderer.invoke(IPC_CALL_CHANNEL, { method: request.method, args: request.args }),
  onEvent: (listener: (message: EventMessage) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, message: EventMessage) => listener(message)
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward)
    }
  },
})
