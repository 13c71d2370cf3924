import type { ACL, Id, Stat } from '../proto'
import { Perms } from '../proto'

/** How Java renders values that zkCli prints: zkCli output is compared byte for byte with Apache's. */

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

let zoneFormat: Intl.DateTimeFormat | undefined
/** The TZ the cached format was made under: a formatter keeps the zone it was created in. */
let zoneFormatTz: string | undefined

/**
 * The short name of the local time zone at `date`, as Java's TimeZone.getDisplayName(daylight, SHORT, Locale.US):
 * "UTC", "EST", "PDT". Zones without an English abbreviation come out of Intl as "GMT+1"; Java writes "GMT+01:00".
 */
function zoneName(date: Date): string {
  if (zoneFormat === undefined || zoneFormatTz !== process.env['TZ']) {
    zoneFormat = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    zoneFormatTz = process.env['TZ']
  }
  const name = zoneFormat.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT'
  const offset = /^GMT([+-])(\d{1,2})(?::(\d\d))?$/.exec(name)
  if (offset === null) return name
  return `GMT${offset[1]}${offset[2]!.padStart(2, '0')}:${offset[3] ?? '00'}`
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value)
}

/** `java.util.Date.toString()` in the local zone: `Wed Nov 25 15:04:05 UTC 2026`. */
export function javaDateString(epochMs: number): string {
  const date = new Date(epochMs)
  const time = `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}`
  const day = `${DAY_NAMES[date.getDay()]} ${MONTH_NAMES[date.getMonth()]} ${twoDigits(date.getDate())}`
  return `${day} ${time} ${zoneName(date)} ${date.getFullYear()}`
}

/** `Long.toHexString`: a long's two's-complement bits in lowercase hex, no padding. */
export function javaHexLong(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16)
}

/** `List.toString()`: `[a, b, c]`. */
export function javaListString(items: readonly string[]): string {
  return `[${items.join(', ')}]`
}

/** The escaping of jute's ToStringOutputArchive (what a record's toString() shows). */
function juteString(text: string): string {
  let out = "'"
  for (const char of text) {
    switch (char) {
      case '\0':
        out += '%00'
        break
      case '\n':
        out += '%0A'
        break
      case '\r':
        out += '%0D'
        break
      case ',':
        out += '%2C'
        break
      case '}':
        out += '%7D'
        break
      case '%':
        out += '%25'
        break
      default:
        out += char
    }
  }
  return out
}

/** `Id.toString()` (a jute record): `'world,'anyone` and a newline, which getAcl prints before `: perms`. */
export function javaIdString(id: Id): string {
  return `${juteString(id.scheme)},${juteString(id.id)}\n`
}

/** `ZKUtil.getPermString`: the letters c d r w a, in that order. */
export function permString(perms: number): string {
  let out = ''
  if ((perms & Perms.CREATE) !== 0) out += 'c'
  if ((perms & Perms.DELETE) !== 0) out += 'd'
  if ((perms & Perms.READ) !== 0) out += 'r'
  if ((perms & Perms.WRITE) !== 0) out += 'w'
  if ((perms & Perms.ADMIN) !== 0) out += 'a'
  return out
}

/** One getAcl entry as zkCli prints it: `'digest,'u:hash` newline `: cdrwa`. */
export function aclEntryString(acl: ACL): string {
  return `${javaIdString(acl.id)}: ${permString(acl.perms)}`
}

/** zkCli's StatPrinter: eleven lines, no trailing newline. */
export function statLines(stat: Stat): string {
  return [
    `cZxid = 0x${javaHexLong(stat.czxid)}`,
    `ctime = ${javaDateString(stat.ctime)}`,
    `mZxid = 0x${javaHexLong(stat.mzxid)}`,
    `mtime = ${javaDateString(stat.mtime)}`,
    `pZxid = 0x${javaHexLong(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${javaHexLong(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join('\n')
}

/** `String.split(regex)` for a one-character separator: trailing empty strings are dropped, as Java does. */
export function javaSplit(text: string, separator: string): string[] {
  if (!text.includes(separator)) return [text]
  const parts = text.split(separator)
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}
