/**
 * Java `.properties` text → ordered entries, following `java.util.Properties.load` exactly (its LineReader and
 * loadConvert), because zoo.cfg is read that way by Apache ZooKeeper:
 * - natural lines end at `\n`, `\r` or `\r\n`; leading blanks (space, tab, form feed) are skipped;
 * - a line whose first non-blank character is `#` or `!` is a comment (even if it ends in a backslash);
 * - a line ending in an odd number of backslashes continues on the next line, whose leading blanks are dropped;
 * - the key ends at the first unescaped `=`, `:` or blank; blanks, then at most one `=`/`:`, then blanks follow;
 * - escapes: `\t \n \r \f`, `\uXXXX`, and `\x` → `x` for any other character.
 * Values keep their trailing blanks (callers trim, as QuorumPeerConfig does). Duplicates are all returned, in order:
 * `Properties` keeps the last one, which the caller decides.
 *
 * One deviation: the text is what the caller decoded (UTF-8 for us), where `Properties.load(InputStream)` reads
 * ISO-8859-1; a non-ASCII path in zoo.cfg therefore means what the user wrote, not its Latin-1 mojibake.
 */
export interface PropertyEntry {
  key: string
  value: string
  /** 1-based line where the logical line starts. */
  line: number
}

export class PropertiesSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message)
    this.name = 'PropertiesSyntaxError'
  }
}

interface LogicalLine {
  text: string
  line: number
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\f'
}

/** Number of backslashes at the end of `text`. */
function trailingBackslashes(text: string): number {
  let count = 0
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) count++
  return count
}

function skipBlanks(text: string, from: number): number {
  let i = from
  while (i < text.length && isBlank(text[i])) i++
  return i
}

/** Joins natural lines into logical lines, dropping comments and blank lines. */
function logicalLines(text: string): LogicalLine[] {
  const natural = text.split(/\r\n|\r|\n/)
  const result: LogicalLine[] = []
  let pending: LogicalLine | null = null
  for (let index = 0; index < natural.length; index++) {
    const raw = natural[index] ?? ''
    const start = skipBlanks(raw, 0)
    const body = raw.slice(start)
    if (pending === null) {
      if (body === '' || body[0] === '#' || body[0] === '!') continue
      pending = { text: '', line: index + 1 }
    } else if (body === '') {
      // A blank continuation line ends the logical line (Java's LineReader does the same).
      result.push(pending)
      pending = null
      continue
    }
    if (trailingBackslashes(body) % 2 === 1) {
      pending.text += body.slice(0, -1)
      continue
    }
    pending.text += body
    result.push(pending)
    pending = null
  }
  // A backslash on the very last line continues into nothing: the line still counts.
  if (pending !== null && pending.text !== '') result.push(pending)
  return result
}

const simpleEscapes: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' }

/** Resolves backslash escapes (Properties.loadConvert). */
function unescape(text: string, line: number): string {
  if (!text.includes('\\')) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (char !== '\\') {
      out += char
      continue
    }
    const next = text[++i]
    if (next === undefined) break
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5)
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError('malformed \\uxxxx escape', line)
      out += String.fromCharCode(parseInt(hex, 16))
      i += 4
      continue
    }
    out += simpleEscapes[next] ?? next
  }
  return out
}

/** Splits one logical line into its raw (still escaped) key and value (Properties.load0). */
function splitKeyValue(text: string): { key: string; value: string } {
  let keyEnd = 0
  let valueStart = text.length
  let hasSeparator = false
  let precedingBackslash = false
  while (keyEnd < text.length) {
    const char = text[keyEnd]
    if ((char === '=' || char === ':') && !precedingBackslash) {
      valueStart = keyEnd + 1
      hasSeparator = true
      break
    }
    if (isBlank(char) && !precedingBackslash) {
      valueStart = keyEnd + 1
      break
    }
    precedingBackslash = char === '\\' ? !precedingBackslash : false
    keyEnd++
  }
  while (valueStart < text.length) {
    const char = text[valueStart]
    if (!isBlank(char)) {
      if (hasSeparator || (char !== '=' && char !== ':')) break
      hasSeparator = true
    }
    valueStart++
  }
  return { key: text.slice(0, keyEnd), value: text.slice(valueStart) }
}

export function parseProperties(text: string): PropertyEntry[] {
  return logicalLines(text).map(({ text: logical, line }) => {
    const { key, value } = splitKeyValue(logical)
    return { key: unescape(key, line), value: unescape(value, line), line }
  })
}
