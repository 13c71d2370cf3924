import * as v from 'valibot'
import { type MethodName, type MethodResult, type ParsedArgs, contract } from '../contract/contract'
import type { CallOutcome } from '../contract/wire'
import { toContractError } from './errors'

/** One function per contract method; TypeScript checks that every method has one, with the right types. */
export type Handlers = {
  [M in MethodName]: (args: ParsedArgs<M>) => Promise<MethodResult<M>> | MethodResult<M>
}

const METHODS: ReadonlyMap<string, (typeof contract.methods)[MethodName]> = new Map(Object.entries(contract.methods))

/**
 * The transport-independent core of both bindings: looks the method up in the contract, validates the arguments
 * against its schema, runs the handler, and turns every failure into a typed ContractError. Never throws.
 */
export class Dispatcher {
  constructor(
    private readonly handlers: Handlers,
    private readonly onInternalError: (method: string, error: unknown) => void = () => {},
  ) {}

  async call(method: unknown, args: unknown): Promise<CallOutcome> {
    const spec = typeof method === 'string' ? METHODS.get(method) : undefined
    if (spec === undefined || typeof method !== 'string') {
      const name = typeof method === 'string' ? method : String(method)
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${JSON.stringify(name)}`, details: { method: name } } }
    }
    // valibot's object schemas accept arrays; arguments are always one plain object.
    if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
      return { ok: false, error: { code: 'BAD_ARGUMENTS', message: `bad arguments for ${method}: expected an object`, details: { issues: [{ path: '', message: 'expected an object' }] } } }
    }
    const parsed = v.safeParse(spec.args, args === undefined ? {} : args)
    if (!parsed.success) {
      const issues = parsed.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }))
      const first = issues[0]
      const message = `bad arguments for ${method}: ${first === undefined ? 'invalid' : `${first.path === '' ? '' : `${first.path}: `}${first.message}`}`
      return { ok: false, error: { code: 'BAD_ARGUMENTS', message, details: { issues } } }
    }
    try {
      const handler = this.handlers[method as MethodName] as (args: unknown) => unknown
      return { ok: true, result: await handler(parsed.output) }
    } catch (error) {
      const contractError = toContractError(error)
      if (contractError.code === 'INTERNAL') this.onInternalError(method, error)
      return { ok: false, error: contractError }
    }
  }
}
