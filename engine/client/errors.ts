import { ErrorCode, type ErrorCodeName, errorMessage, errorName } from '../proto'
import type { OpResult } from './multi'

/**
 * A ZooKeeper error as the client reports it: one class with a typed code (Java has a subclass per code).
 * `results` is set when a multi failed, like Java's `KeeperException.getResults()`: one entry per op, the failing
 * op and those after it as error results.
 */
export class KeeperException extends Error {
  override name = 'KeeperException'
  readonly codeName: ErrorCodeName | `UNKNOWN(${number})`

  constructor(
    readonly code: number,
    readonly path?: string,
    readonly results?: readonly OpResult[],
    detail?: string,
  ) {
    const text = detail ?? errorMessage(code)
    super(path === undefined ? `KeeperErrorCode = ${text}` : `KeeperErrorCode = ${text} for ${path}`)
    this.codeName = errorName(code) ?? `UNKNOWN(${code})`
  }
}

export function isKeeperException(error: unknown): error is KeeperException {
  return error instanceof KeeperException
}

function hasCode(error: unknown, code: number): error is KeeperException {
  return error instanceof KeeperException && error.code === code
}

export const isNoNode = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.NONODE)
export const isNodeExists = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.NODEEXISTS)
export const isBadVersion = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.BADVERSION)
export const isNotEmpty = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.NOTEMPTY)
export const isNoAuth = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.NOAUTH)
export const isConnectionLoss = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.CONNECTIONLOSS)
export const isSessionExpired = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.SESSIONEXPIRED)
export const isNoWatcher = (error: unknown): error is KeeperException => hasCode(error, ErrorCode.NOWATCHER)

/**
 * Errors after which the outcome of a write is unknown and the operation may be retried once connected again
 * (Curator's and kazoo's notion of a recoverable error).
 */
export function isRecoverable(error: unknown): error is KeeperException {
  return hasCode(error, ErrorCode.CONNECTIONLOSS) || hasCode(error, ErrorCode.OPERATIONTIMEOUT)
}
