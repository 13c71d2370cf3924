/**
 * The few java.lang string behaviours that Apache's tree and auth code lean on, reproduced so edge cases
 * (trailing separators, signs, overflow) decide the same way here as there.
 */

/**
 * `String.split(separator)` for a literal one-character separator with limit 0: trailing empty strings are
 * dropped, leading ones kept; a string without the separator gives itself.
 */
export function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator)
  let end = parts.length
  while (end > 0 && parts[end - 1] === '') end--
  // Java returns [""] for the empty string (no match), and [] when the text is made only of separators.
  if (text.length === 0) return ['']
  return end === parts.length ? parts : parts.slice(0, end)
}

/** `String.split(separator, 2)`: at most two parts, nothing dropped. */
export function javaSplitOnce(text: string, separator: string): [string] | [string, string] {
  const index = text.indexOf(separator)
  if (index < 0) return [text]
  return [text.slice(0, index), text.slice(index + separator.length)]
}

const INT_MIN = -2147483648
const INT_MAX = 2147483647

/** `Integer.parseInt(text)` for ASCII digits with an optional sign; undefined where Java throws. */
export function javaParseInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const value = Number(text)
  return value < INT_MIN || value > INT_MAX ? undefined : value
}

/** `Long.parseLong(text)` for ASCII digits with an optional sign; undefined where Java throws. */
export function javaParseLong(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const value = BigInt(text)
  return value < -(1n << 63n) || value >= 1n << 63n ? undefined : value
}

/** `String.trim().isEmpty()`: Java's trim removes every char ≤ U+0020. */
export function javaIsBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x20) return false
  return true
}

/** `String.format("%010d", value)` for a Java int: zero-padded to 10 characters, the sign counting as one. */
export function javaFormat010d(value: number): string {
  const int = value | 0
  if (int >= 0) return String(int).padStart(10, '0')
  return '-' + String(-int).padStart(9, '0')
}
