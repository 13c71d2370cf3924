/**
 * Client-side path validation, as Java's client does before sending (`PathUtils.validatePath`): a bad path never
 * reaches the server. Returns the reason, or undefined when the path is valid. Checked per UTF-16 code unit.
 */
export function invalidPathReason(path: string, sequential = false): string | undefined {
  const checked = sequential ? `${path}1` : path
  if (checked.length === 0) return 'Path length must be > 0'
  if (checked.charCodeAt(0) !== 0x2f) return 'Path must start with / character'
  if (checked.length === 1) return undefined
  if (checked.charCodeAt(checked.length - 1) === 0x2f) return 'Path must not end with / character'
  let previous = 0x2f
  for (let i = 1; i < checked.length; previous = checked.charCodeAt(i), i++) {
    const c = checked.charCodeAt(i)
    if (c === 0) return `null character not allowed @${i}`
    if (c === 0x2f && previous === 0x2f) return `empty node name specified @${i}`
    if (c === 0x2e) {
      const segmentEnds = i + 1 === checked.length || checked.charCodeAt(i + 1) === 0x2f
      if (previous === 0x2e && checked.charCodeAt(i - 2) === 0x2f && segmentEnds) return `relative paths not allowed @${i}`
      if (previous === 0x2f && segmentEnds) return `relative paths not allowed @${i}`
      continue
    }
    if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
      return `invalid character @${i}`
    }
  }
  return undefined
}
