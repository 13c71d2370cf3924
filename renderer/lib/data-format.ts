// The data editor's views of a znode's bytes: detection, conversion to the view's text and back, and formatting.
import { hasControlChars, parseBase64, parseHex, toHex, utf8Bytes, utf8OrNull, bytesToBase64 } from './bytes'

export const DATA_VIEWS = ['text', 'json', 'xml', 'yaml', 'properties', 'hex', 'base64'] as const
export type DataViewKind = (typeof DATA_VIEWS)[number]

/** Views that show the bytes as UTF-8 text (the others show an encoding of the raw bytes). */
export function isTextView(view: DataViewKind): boolean {
  return view !== 'hex' && view !== 'base64'
}

export function monacoLanguage(view: DataViewKind): string {
  switch (view) {
    case 'json':
      return 'json'
    case 'xml':
      return 'xml'
    case 'yaml':
      return 'yaml'
    case 'properties':
      return 'ini'
    default:
      return 'plaintext'
  }
}

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim()
  if (!/^[[{"]/.test(trimmed) && !/^(true|false|null|-?\d)/.test(trimmed)) return false
  if (!/^[[{]/.test(trimmed)) return false
  try {
    JSON.parse(trimmed)
    return true
  } catch {
    return false
  }
}

function meaningfulLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '' && !/^\s*[#!]/.test(line))
}

function looksLikeProperties(text: string): boolean {
  const lines = meaningfulLines(text)
  if (lines.length === 0) return false
  return lines.every((line) => /^\s*[A-Za-z0-9_.\-/]+\s*=/.test(line))
}

function looksLikeYaml(text: string): boolean {
  if (/^---\s*$/m.test(text.split('\n')[0] ?? '')) return true
  const lines = meaningfulLines(text)
  if (lines.length === 0) return false
  const yamlish = lines.filter((line) => /^\s*([A-Za-z0-9_."'\-]+:(\s|$)|- )/.test(line)).length
  return yamlish === lines.length && lines.some((line) => /:(\s|$)/.test(line))
}

/** The view a person most likely wants for these bytes. */
export function detectView(bytes: Uint8Array): DataViewKind {
  if (bytes.length === 0) return 'text'
  const text = utf8OrNull(bytes)
  if (text === null || hasControlChars(text)) return 'hex'
  if (looksLikeJson(text)) return 'json'
  const trimmed = text.trim()
  if (trimmed.startsWith('<') && trimmed.endsWith('>')) return 'xml'
  if (looksLikeProperties(text)) return 'properties'
  if (looksLikeYaml(text)) return 'yaml'
  return 'text'
}

/** Whether the bytes can be shown as text without losing anything. */
export function isTextSafe(bytes: Uint8Array): boolean {
  const text = utf8OrNull(bytes)
  return text !== null && !hasControlChars(text)
}

export function bytesToView(bytes: Uint8Array, view: DataViewKind): string {
  switch (view) {
    case 'hex':
      return toHex(bytes)
    case 'base64':
      return bytesToBase64(bytes)
    default:
      return utf8OrNull(bytes) ?? ''
  }
}

/** The bytes a view's text stands for; throws with a readable message when the text is not valid for the view. */
export function viewToBytes(text: string, view: DataViewKind): Uint8Array {
  switch (view) {
    case 'hex':
      return parseHex(text)
    case 'base64':
      return parseBase64(text)
    default:
      return utf8Bytes(text)
  }
}

/** A problem with the text for its view (invalid JSON…), or null. Saving is still allowed: the bytes are the truth. */
export function validateView(text: string, view: DataViewKind): string | null {
  try {
    if (view === 'json' && text.trim() !== '') JSON.parse(text)
    if (view === 'hex' || view === 'base64') viewToBytes(text, view)
    if (view === 'xml' && text.trim() !== '') checkXml(text)
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** Tag balance check: enough to catch a typo before saving, without an XML parser. */
function checkXml(text: string): void {
  const stack: string[] = []
  const tags = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').matchAll(/<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g)
  for (const tag of tags) {
    const [, closing, name, selfClosing] = tag
    if (selfClosing === '/') continue
    if (closing === '/') {
      const open = stack.pop()
      if (open !== name) throw new Error(`</${name}> does not close <${open ?? '…'}>`)
    } else {
      stack.push(name ?? '')
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]}> is not closed`)
}

function formatXml(text: string): string {
  const tokens = text
    .replace(/>\s+</g, '><')
    .trim()
    .split(/(?=<)|(?<=>)/)
    .filter((token) => token.trim() !== '')
  const lines: string[] = []
  let depth = 0
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    const isClosing = token.startsWith('</')
    const isOpening = token.startsWith('<') && !isClosing && !token.startsWith('<?') && !token.startsWith('<!') && !token.endsWith('/>')
    if (isClosing) depth = Math.max(0, depth - 1)
    // <a>text</a> stays on one line.
    const next = tokens[i + 1]
    const after = tokens[i + 2]
    if (isOpening && next !== undefined && !next.startsWith('<') && after?.startsWith('</')) {
      lines.push(`${'  '.repeat(depth)}${token}${next.trim()}${after}`)
      i += 2
      continue
    }
    lines.push(`${'  '.repeat(depth)}${token.trim()}`)
    if (isOpening) depth++
  }
  return lines.join('\n')
}

/** Pretty-prints the text for its view; throws (with the parser's message) when it cannot be parsed. */
export function formatView(text: string, view: DataViewKind): string {
  switch (view) {
    case 'json':
      return JSON.stringify(JSON.parse(text), null, 2)
    case 'xml':
      checkXml(text)
      return formatXml(text)
    case 'hex':
      return toHex(parseHex(text))
    case 'base64':
      return bytesToBase64(parseBase64(text))
    case 'properties':
      // key = value → key=value; comments and blank lines stay.
      return text
        .split(/\r?\n/)
        .map((line) => (/^\s*[#!]/.test(line) ? line.trimEnd() : line.replace(/^\s*([^=:\s]+)\s*[=:]\s*/, '$1=').trimEnd()))
        .join('\n')
    default:
      return text
        .split('\n')
        .map((line) => line.trimEnd())
        .join('\n')
  }
}
