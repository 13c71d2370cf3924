/**
 * Java system properties given the way Apache's zkServer.sh takes them, so users can paste their settings:
 * `SERVER_JVMFLAGS="-Dzookeeper.extendedTypesEnabled=true"` and `JVMFLAGS="-Xmx1g -Djute.maxbuffer=4194304"`.
 *
 * zkServer.sh runs `JVMFLAGS="$SERVER_JVMFLAGS $JVMFLAGS"` and the JVM keeps the last `-D` of a name, so JVMFLAGS
 * wins over SERVER_JVMFLAGS; `zoodesk server -D…` flags come after both. Items that are not `-D` (heap sizes, GC
 * flags, `-cp`) mean nothing to us and are skipped. Like the script's unquoted `$JVMFLAGS`, the text is split on
 * whitespace only; one pair of quotes around a value is removed, since people write `-Dkey="value"`.
 */
export interface SystemProperty {
  name: string
  value: string
  /** `JVMFLAGS`, `SERVER_JVMFLAGS` or `-D` (command line). */
  source: string
}

function unquote(value: string): string {
  if (value.length >= 2) {
    const first = value[0]
    if ((first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1)
  }
  return value
}

/** One `-Dname=value` item (without checking the `-D`); `-Dname` alone sets the empty string, as in Java. */
export function parseDefine(item: string, source: string): SystemProperty | null {
  const body = item.startsWith('-D') ? item.slice(2) : item
  const equals = body.indexOf('=')
  const name = (equals === -1 ? body : body.slice(0, equals)).trim()
  if (name === '') return null
  const value = equals === -1 ? '' : unquote(body.slice(equals + 1))
  return { name, value, source }
}

export function parseJvmFlags(text: string, source: string): SystemProperty[] {
  const result: SystemProperty[] = []
  for (const item of text.split(/\s+/)) {
    if (!item.startsWith('-D')) continue
    const property = parseDefine(item, source)
    if (property !== null) result.push(property)
  }
  return result
}

/** System properties from the environment, lowest precedence first. */
export function systemPropertiesFromEnv(env: Readonly<Record<string, string | undefined>>): SystemProperty[] {
  return [
    ...parseJvmFlags(env.SERVER_JVMFLAGS ?? '', 'SERVER_JVMFLAGS'),
    ...parseJvmFlags(env.JVMFLAGS ?? '', 'JVMFLAGS'),
  ]
}
