import { invalidPathReason } from '../client'
import { IllegalArgumentError } from './errors'

/** Reasons PathUtils.validatePath throws bare; every other reason is wrapped with the path. */
const BARE_REASONS: ReadonlySet<string> = new Set([
  'Path length must be > 0',
  'Path must start with / character',
  'Path must not end with / character',
])

/**
 * `PathUtils.validatePath(path, isSequential)` as Java's client runs it before sending: throws the same
 * IllegalArgumentException text (`Invalid path string "/a//b" caused by empty node name specified @3`).
 */
export function validateJavaPath(path: string, sequential = false): void {
  const reason = invalidPathReason(path, sequential)
  if (reason === undefined) return
  if (BARE_REASONS.has(reason)) throw new IllegalArgumentError(reason)
  throw new IllegalArgumentError(`Invalid path string "${sequential ? `${path}1` : path}" caused by ${reason}`)
}
