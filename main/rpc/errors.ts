import { isKeeperException } from '../../engine/client'
import type { ContractError, ErrorCode, ErrorDetails } from '../contract/contract'

/** A typed contract error thrown by a service; the dispatcher sends it as is. */
export class ContractFailure<C extends ErrorCode = ErrorCode> extends Error {
  override name = 'ContractFailure'
  constructor(
    readonly code: C,
    message: string,
    readonly details: ErrorDetails[C],
  ) {
    super(message)
  }

  toContractError(): ContractError {
    return { code: this.code, message: this.message, details: this.details } as ContractError
  }
}

export const fail = {
  notFound: (what: string, id: string) => new ContractFailure('NOT_FOUND', `no ${what} ${JSON.stringify(id)}`, { what, id }),
  readOnly: (connectionId: string, name: string) =>
    new ContractFailure('READ_ONLY', `connection "${name}" is read-only: writes are refused`, { connectionId }),
  confirm: (phrase: string, count: number, reason: string) =>
    new ContractFailure('CONFIRMATION_REQUIRED', `${reason}; type ${JSON.stringify(phrase)} to confirm`, { phrase, count, reason }),
  cancelled: (operationId: string) => new ContractFailure('CANCELLED', `operation ${operationId} was cancelled`, { operationId }),
  conflict: (message: string) => new ContractFailure('CONFLICT', message, {}),
  unsupported: (message: string) => new ContractFailure('UNSUPPORTED', message, {}),
  badArguments: (path: string, message: string) => new ContractFailure('BAD_ARGUMENTS', `${path === '' ? '' : `${path}: `}${message}`, { issues: [{ path, message }] }),
}

/** Any thrown value as a contract error: ours as is, ZooKeeper's as KEEPER, the rest as INTERNAL. */
export function toContractError(error: unknown): ContractError {
  if (error instanceof ContractFailure) return error.toContractError()
  if (isKeeperException(error)) {
    return { code: 'KEEPER', message: error.message, details: { keeperCode: error.codeName, path: error.path ?? null } }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'INTERNAL', message: `internal error: ${message}`, details: {} }
}
