import { numberFormatError } from './errors'

/** Java's number parsing, with its exact NumberFormatException messages (zkCli prints or dies of them). */

const INT_MIN = -(2n ** 31n)
const INT_MAX = 2n ** 31n - 1n
const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

const DIGITS_BY_RADIX: Record<number, RegExp> = {
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
}

function inputError(text: string, radix: number): Error {
  return numberFormatError(`For input string: "${text}"${radix === 10 ? '' : ` under radix ${radix}`}`)
}

function parseIntegral(text: string, radix: 8 | 10 | 16, min: bigint, max: bigint): bigint {
  let digits = text
  let negative = false
  if (digits.startsWith('-') || digits.startsWith('+')) {
    negative = digits.startsWith('-')
    digits = digits.slice(1)
  }
  if (!DIGITS_BY_RADIX[radix]!.test(digits)) throw inputError(text, radix)
  const magnitude = BigInt(radix === 16 ? `0x${digits}` : radix === 8 ? `0o${digits}` : digits)
  const value = negative ? -magnitude : magnitude
  if (value < min || value > max) throw inputError(text, radix)
  return value
}

/** `Integer.parseInt(text)`. */
export function javaParseInt(text: string): number {
  return Number(parseIntegral(text, 10, INT_MIN, INT_MAX))
}

/** `Long.parseLong(text, radix)`. */
export function javaParseLong(text: string, radix: 10 | 16 = 10): bigint {
  return parseIntegral(text, radix, LONG_MIN, LONG_MAX)
}

/** `Integer.decode(text)`: an optional sign, then `0x`/`0X`/`#` for hex or a leading `0` for octal. */
export function javaDecodeInt(text: string): number {
  if (text.length === 0) throw numberFormatError('Zero length string')
  let index = 0
  let negative = false
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-'
    index = 1
  }
  let radix: 8 | 10 | 16 = 10
  if (text.startsWith('0x', index) || text.startsWith('0X', index)) {
    radix = 16
    index += 2
  } else if (text.startsWith('#', index)) {
    radix = 16
    index += 1
  } else if (text.startsWith('0', index) && text.length > index + 1) {
    radix = 8
    index += 1
  }
  const rest = text.slice(index)
  if (rest.startsWith('-') || rest.startsWith('+')) throw numberFormatError('Sign character in wrong position')
  // Java parses the magnitude first, then retries with the sign so that MIN_VALUE decodes; one range check here.
  return Number(parseIntegral(negative ? `-${rest}` : rest, radix, INT_MIN, INT_MAX))
}

/**
 * Whether `Double.parseDouble(text)` would succeed: commons-cli uses it to let `-v -1` pass a negative number as an
 * option's value. Java trims ASCII control characters and spaces, and accepts NaN, Infinity, hex floats and a
 * trailing f/F/d/D.
 */
const JAVA_DOUBLE =
  /^[\x00-\x20]*[+-]?(?:NaN|Infinity|(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)[fFdD]?)[\x00-\x20]*$/

export function isJavaDouble(text: string): boolean {
  return JAVA_DOUBLE.test(text)
}
