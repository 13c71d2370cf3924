import { type IpcMainInvokeEvent, type WebContents, ipcMain } from 'electron'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../contract/channels'
import type { CallOutcome } from '../contract/wire'
import type { Dispatcher } from '../rpc/dispatcher'
import type { EventBus } from '../rpc/event-bus'

/**
 * The desktop app's binding: ipcMain.handle for calls (answered with a CallOutcome, never a thrown error), and
 * every contract event sent to the app's windows. Calls from frames not showing our renderer are refused.
 */
export function bindIpc(dispatcher: Dispatcher, bus: EventBus, isOurFrame: (url: string) => boolean, windows: () => WebContents[]): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event: IpcMainInvokeEvent, request: unknown): Promise<CallOutcome> | CallOutcome => {
    const url = event.senderFrame?.url ?? ''
    if (!isOurFrame(url)) return { ok: false, error: { code: 'INTERNAL', message: 'calls are only accepted from the ZooDesk window', details: {} } }
    const { method, args } = (request ?? {}) as { method?: unknown; args?: unknown }
    return dispatcher.call(method, args)
  })
  const unsubscribe = bus.subscribe((message) => {
    for (const contents of windows()) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, message)
  })
  return () => {
    ipcMain.removeHandler(IPC_CALL_CHANNEL)
    unsubscribe()
  }
}
