/**
 * `java.util.Properties.load` and the order its `entrySet()` walks (a ConcurrentHashMap's bucket order), for
 * zkCli's `config -c` (ConfigUtils.getClientConfigStr), whose output follows that order.
 */

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' }

/** Joins continuation lines and drops comments and blank lines. */
function logicalLines(text: string): string[] {
  const lines: string[] = []
  let pending = ''
  for (const raw of text.split(/\r\n|\r|\n/)) {
    // Leading blanks go, on continuation lines too.
    const line = raw.replace(/^[ \t\f]+/, '')
    if (pending === '' && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue
    const trailing = /\\+$/.exec(line)?.[0].length ?? 0
    if (trailing % 2 === 1) {
      pending += line.slice(0, -1)
      continue
    }
    lines.push(pending + line)
    pending = ''
  }
  if (pending !== '') lines.push(pending)
  return lines
}

function unescape(text: string): string {
  return text.replace(/\\(u([0-9a-fA-F]{4})|.)/g, (_whole, char: string, hex: string | undefined) =>
    hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : (ESCAPES[char] ?? char),
  )
}

/** Splits a logical line at the first unescaped `=`, `:` or blank (blanks around the separator belong to it). */
function keyValue(line: string): [string, string] {
  let i = 0
  for (; i < line.length; i++) {
    const char = line[i]!
    if (char === '\\') {
      i++
      continue
    }
    if (char === '=' || char === ':' || char === ' ' || char === '\t' || char === '\f') break
  }
  const key = line.slice(0, i)
  let rest = line.slice(i).replace(/^[ \t\f]+/, '')
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '')
  return [unescape(key), unescape(rest)]
}

function javaStringHash(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
  return hash
}

/** ConcurrentHashMap's table size for `count` entries, starting at 16 (Properties' initial capacity 8). */
function tableSize(count: number): number {
  let size = 16
  while (count >= size - (size >>> 2)) size *= 2
  return size
}

/** The entries of `Properties.load(text)`, in the order `entrySet()` iterates them. */
export function loadJavaProperties(text: string): [string, string][] {
  const entries = new Map<string, string>()
  for (const line of logicalLines(text)) {
    const [key, value] = keyValue(line)
    entries.set(key, value)
  }
  const size = tableSize(entries.size)
  const bucketOf = (key: string): number => {
    const hash = javaStringHash(key)
    return ((hash ^ (hash >>> 16)) & 0x7fffffff) & (size - 1)
  }
  // Within a bucket, entries keep insertion order (a Map iterates in insertion order; sort is stable).
  return [...entries].sort((a, b) => bucketOf(a[0]) - bucketOf(b[0]))
}
