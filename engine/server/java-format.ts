/**
 * Java's text forms, so 4lw output and JSON match Apache character for character.
 */

/** `Double.toString`: plain notation in [1e-3, 1e7) with at least one fraction digit, else `d.dddE±n`. */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value)
    return text.includes('.') ? text : `${text}.0`
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e')
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`
}

/** `new BigDecimal(x).setScale(4, HALF_UP).doubleValue()` for the non-negative averages Apache reports. */
export function roundHalfUp4(value: number): number {
  return Number(value.toFixed(4))
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `java.util.Date.toString()` in UTC: `Wed Nov 25 15:00:05 UTC 2026` (our members run with TZ-independent output). */
export function javaDateString(epochMs: number): string {
  const d = new Date(epochMs)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}
