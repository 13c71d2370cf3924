// The zoo.cfg both servers under test read: the same file for Apache and ZooDesk, so any
// difference in behaviour comes from the server, not from its settings.

export type CfgValue = string | number | boolean

export interface ZooCfgInput {
  tickTime: number
  dataDir: string
  clientPort: number
  host: string
  /** AdminServer port, or undefined to disable the AdminServer. */
  adminPort: number | undefined
  /** Extra keys, applied last; `null` deletes a default key (e.g. 4lw.commands.whitelist). */
  extra: Readonly<Record<string, CfgValue | null>>
}

export function zooCfgEntries(input: ZooCfgInput): Map<string, string> {
  const entries = new Map<string, string>([
    ['tickTime', String(input.tickTime)],
    ['dataDir', input.dataDir],
    ['clientPort', String(input.clientPort)],
    ['clientPortAddress', input.host],
    // Tests read every 4lw; Apache's default whitelist is srvr only. Pass
    // `'4lw.commands.whitelist': null` to test the default.
    ['4lw.commands.whitelist', '*'],
  ])
  if (input.adminPort === undefined) {
    // Apache enables it on 0.0.0.0:8080 by default: parallel servers would fight for the port.
    entries.set('admin.enableServer', 'false')
  } else {
    entries.set('admin.enableServer', 'true')
    entries.set('admin.serverAddress', input.host)
    entries.set('admin.serverPort', String(input.adminPort))
  }
  for (const [key, value] of Object.entries(input.extra)) {
    if (value === null) entries.delete(key)
    else entries.set(key, String(value))
  }
  return entries
}

/** Java properties text. Values are written raw: our paths and numbers need no escaping. */
export function renderZooCfg(entries: ReadonlyMap<string, string>): string {
  return [...entries].map(([key, value]) => `${key}=${value}`).join('\n') + '\n'
}
