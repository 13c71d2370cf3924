import { ErrorCode, KeeperError } from '../proto/errors'

/**
 * Znode path rules of Apache's `PathUtils.validatePath`, applied per UTF-16 code unit exactly as Java does
 * (so any non-BMP character is rejected: its surrogates fall in the forbidden U+D800–U+F8FF range).
 */

/** Throws KeeperError(BADARGUMENTS) when `path` is not a legal znode path. A sequential create may end in `/`. */
export function validatePath(path: string, isSequential = false): void {
  if (pathProblem(isSequential ? path + '1' : path) !== undefined) throw new KeeperError(ErrorCode.BADARGUMENTS, path)
}

/** Why a path is illegal (Apache's reason text, for logs), or undefined when it is fine. */
export function pathProblem(path: string): string | undefined {
  const length = path.length
  if (length === 0) return 'Path length must be > 0'
  if (path.charCodeAt(0) !== SLASH) return 'Path must start with / character'
  if (length === 1) return undefined
  if (path.charCodeAt(length - 1) === SLASH) return 'Path must not end with / character'
  let last = SLASH
  for (let i = 1; i < length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i)
    if (c === 0) return `null character not allowed @${i}`
    if (c === SLASH && last === SLASH) return `empty node name specified @${i}`
    if (c === DOT) {
      // "." or ".." as a whole segment; the segment ends at the end of the path or at the next '/'.
      const segmentEnds = i + 1 === length || path.charCodeAt(i + 1) === SLASH
      const dotSegment = last === DOT ? path.charCodeAt(i - 2) === SLASH : last === SLASH
      if (segmentEnds && dotSegment) return `relative paths not allowed @${i}`
      continue
    }
    if (isForbiddenCodeUnit(c)) return `invalid character @${i}`
  }
  return undefined
}

function isForbiddenCodeUnit(c: number): boolean {
  return (
    (c > 0x0000 && c <= 0x001f) ||
    (c >= 0x007f && c <= 0x009f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  )
}

const SLASH = 0x2f
const DOT = 0x2e

/**
 * The parent of a path: `/a/b` → `/a`, `/a` → `/`. The root has no parent: `/` → ``.
 * (Apache's own computation, `path.substring(0, lastSlash)`, yields `` for `/a`; the tree keys the root under both.)
 */
export function parentPath(path: string): string {
  const lastSlash = path.lastIndexOf('/')
  if (lastSlash > 0) return path.slice(0, lastSlash)
  return path === '/' || lastSlash < 0 ? '' : '/'
}

/** The last segment of a path (the child's name): `/a/b` → `b`, `/` → ``. */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** Paths the server itself owns: deleting them is refused (BadArguments) by the request pipeline. */
export function isSpecialPath(path: string): boolean {
  return path === '/' || path === '/zookeeper' || path === '/zookeeper/quota' || path === '/zookeeper/config'
}
