// Any failure as something a person can read: Apache's error name (NONODE, BADVERSION…) or the contract's code,
// plus the message main sent. Never throws, never returns an empty text.
import { isApiError } from '../api'

export interface ReadableError {
  /** Apache's KeeperException code name for ZooKeeper errors, otherwise the contract's error code. */
  name: string
  /** The server's or main's own words. */
  message: string
  /** i18n key of a plain-words explanation, when there is one. */
  hintKey: string | null
}

/** Apache's codes we explain in plain words (keys under `keeper.` in the messages). */
const EXPLAINED = new Set([
  'NONODE',
  'NODEEXISTS',
  'BADVERSION',
  'NOTEMPTY',
  'NOAUTH',
  'INVALIDACL',
  'NOCHILDRENFOREPHEMERALS',
  'UNIMPLEMENTED',
  'CONNECTIONLOSS',
  'SESSIONEXPIRED',
  'OPERATIONTIMEOUT',
  'BADARGUMENTS',
  'NOTREADONLY',
  'QUOTAEXCEEDED',
  'AUTHFAILED',
])

export function readableError(error: unknown): ReadableError {
  if (isApiError(error)) {
    const detail = error.error
    if (detail.code === 'KEEPER') {
      const name = detail.details.keeperCode
      return { name, message: error.message, hintKey: EXPLAINED.has(name) ? `keeper.${name}` : null }
    }
    return { name: detail.code, message: error.message || detail.code, hintKey: `errors.${detail.code}` }
  }
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message || String(error), hintKey: null }
  return { name: 'Error', message: String(error), hintKey: null }
}

/** The Apache error name when the failure is a ZooKeeper error, else null. */
export function keeperCodeOf(error: unknown): string | null {
  return isApiError(error) && error.error.code === 'KEEPER' ? error.error.details.keeperCode : null
}
