// ZooKeeper's path rules (Apache's PathUtils.validatePath), without imports so that the contract's schemas can use
// them and the renderer can read the contract's types. The engine client checks again; this one makes a bad path a
// BAD_ARGUMENTS answer before any request is sent.

function invalidChar(code: number): boolean {
  return (
    (code > 0x0000 && code <= 0x001f) ||
    (code >= 0x007f && code <= 0x009f) ||
    (code >= 0xd800 && code <= 0xf8ff) ||
    (code >= 0xfff0 && code <= 0xffff)
  )
}

/** Why `path` is not a valid absolute znode path, or null when it is. */
export function zkPathProblem(path: string): string | null {
  if (path.length === 0) return 'Path length must be > 0'
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character'
  if (path.length === 1) return null
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character'
  let segmentStart = 1
  for (let i = 1; i <= path.length; i++) {
    const code = i < path.length ? path.charCodeAt(i) : 0x2f
    if (code === 0) return `null character not allowed @${i}`
    if (code === 0x2f) {
      const segment = path.slice(segmentStart, i)
      if (segment.length === 0) return `empty node name specified @${i}`
      if (segment === '.' || segment === '..') return `relative paths not allowed @${i}`
      segmentStart = i + 1
    } else if (invalidChar(code)) {
      return `invalid character @${i}`
    }
  }
  return null
}
