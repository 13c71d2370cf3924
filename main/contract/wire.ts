// The messages both transports carry. Derived names only: `method` and `stream` are contract keys.
import type { ContractError, EventName, MethodName } from './contract'

/** The answer to one call: never a thrown error (Electron's IPC would flatten it to a string). */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ContractError }

/** IPC: ipcRenderer.invoke(IPC_CALL_CHANNEL, request) resolves with a CallOutcome. */
export interface CallRequest {
  method: MethodName
  args: unknown
}

/** An event as both transports deliver it. */
export interface EventMessage {
  stream: EventName
  payload: unknown
}

/** WebSocket, client → server. */
export type ClientMessage = { t: 'call'; id: number; method: string; args: unknown }

/** WebSocket, server → client. */
export type ServerMessage =
  | { t: 'hello'; wireVersion: number }
  | ({ t: 'result'; id: number } & CallOutcome)
  | ({ t: 'event' } & EventMessage)
