// A scripted stand-in for main in component tests: each test says what the contract methods it needs answer
// (results or typed contract errors), and pushes events. Calls go through the renderer's real api client, with the
// arguments and results round-tripped through JSON as both transports do. Everything else (stores, components) is
// the real code; the real main is exercised by test/e2e.
import { createPinia, setActivePinia } from 'pinia'
import type { ContractError, EventName, EventPayload, MethodArgs, MethodName, MethodResult } from '../../../../../main/contract/contract'
import type { EventMessage } from '../../../../../main/contract/wire'
import { type ApiClient, createApiClient } from '../../../../../renderer/api/client'
import { setApiClient } from '../../../../../renderer/stores/api'

export class ScriptedFailure extends Error {
  constructor(readonly error: ContractError) {
    super(error.message)
  }
}

/** A ZooKeeper error as main sends it (KEEPER with Apache's code name). */
export function keeperError(keeperCode: string, path: string | null = null): ScriptedFailure {
  return new ScriptedFailure({ code: 'KEEPER', message: `KeeperErrorCode = ${keeperCode} for ${path ?? ''}`, details: { keeperCode, path } })
}

export type Script = { [M in MethodName]?: (args: MethodArgs<M>) => MethodResult<M> | Promise<MethodResult<M>> }

export interface ScriptedMain {
  client: ApiClient
  calls: { method: MethodName; args: unknown }[]
  callsOf<M extends MethodName>(method: M): MethodArgs<M>[]
  emit<E extends EventName>(stream: E, payload: EventPayload<E>): void
  script: Script
}

export function scriptedMain(script: Script = {}): ScriptedMain {
  const listeners = new Set<(message: EventMessage) => void>()
  const calls: { method: MethodName; args: unknown }[] = []
  const client = createApiClient({
    async call(request) {
      const args = JSON.parse(JSON.stringify(request.args ?? {})) as unknown
      calls.push({ method: request.method, args })
      const handler = script[request.method] as ((args: unknown) => unknown) | undefined
      if (handler === undefined) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `not scripted: ${request.method}`, details: { method: request.method } } }
      try {
        const result = await handler(args)
        return { ok: true, result: result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown) }
      } catch (error) {
        if (error instanceof ScriptedFailure) return { ok: false, error: error.error }
        throw error
      }
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {},
  })
  setApiClient(client)
  setActivePinia(createPinia())
  return {
    client,
    calls,
    callsOf: <M extends MethodName>(method: M) => calls.filter((call) => call.method === method).map((call) => call.args as MethodArgs<M>),
    emit(stream, payload) {
      for (const listener of listeners) listener({ stream, payload: JSON.parse(JSON.stringify(payload)) as unknown })
    },
    script,
  }
}

/** Lets promises and Vue's scheduler settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}
