import type {
  ContractError,
  EventName,
  EventPayload,
  MethodArgs,
  MethodError,
  MethodErrorCode,
  MethodName,
  MethodResult,
} from '../../main/contract/contract'
import type { Transport } from './transport'

/** A failed call: `error` is the contract's typed error for that method (switch on `error.code`). */
export class ApiError<M extends MethodName = MethodName> extends Error {
  override name = 'ApiError'
  readonly code: MethodErrorCode<M>

  constructor(
    readonly method: M,
    readonly error: MethodError<M>,
  ) {
    super(error.message)
    this.code = error.code as MethodErrorCode<M>
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

type NamespaceOf<M extends string> = M extends `${infer N}.${string}` ? N : never
export type Namespace = NamespaceOf<MethodName>

/** `{}` args can be left out. */
type CallArgs<M extends MethodName> = object extends MethodArgs<M> ? [args?: MethodArgs<M>] : [args: MethodArgs<M>]

/** `api.znodes.get({...})` for `call('znodes.get', {...})`: one typed function per contract method. */
export type NamespacedApi = {
  [N in Namespace]: {
    [M in MethodName as M extends `${N}.${infer Rest}` ? Rest : never]: (...args: CallArgs<M>) => Promise<MethodResult<M>>
  }
}

export interface ApiClient {
  /** Calls a method; resolves with its result or rejects with an ApiError carrying the typed error. */
  call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<MethodResult<M>>
  /** Listens to one event stream; returns the function that stops listening. */
  on<E extends EventName>(stream: E, listener: (payload: EventPayload<E>) => void): () => void
  close(): void
  readonly api: NamespacedApi
}

/** The renderer's view of main: every method and stream of the contract, typed, over any transport. */
export function createApiClient(transport: Transport): ApiClient {
  const call = async <M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<MethodResult<M>> => {
    const outcome = await transport.call({ method, args: args[0] ?? {} })
    if (outcome.ok) return outcome.result as MethodResult<M>
    throw new ApiError(method, outcome.error as ContractError as MethodError<M>)
  }
  const on = <E extends EventName>(stream: E, listener: (payload: EventPayload<E>) => void): (() => void) =>
    transport.onEvent((message) => {
      if (message.stream === stream) listener(message.payload as EventPayload<E>)
    })
  // The namespaced view is derived from the method names at call time, so no list of names lives here.
  const api = new Proxy({} as NamespacedApi, {
    get: (_target, namespace) =>
      new Proxy(
        {},
        {
          get: (_inner, name) => (args?: unknown) => call(`${String(namespace)}.${String(name)}` as MethodName, args as never),
        },
      ),
  })
  return { call, on, close: () => transport.close(), api }
}
