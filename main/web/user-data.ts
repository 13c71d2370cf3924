import { homedir } from 'node:os'
import { join } from 'node:path'

/** The folder Electron's app.getPath('userData') gives for this app, so browser mode and the app share profiles. */
export function defaultUserDataDir(env: Readonly<Record<string, string | undefined>> = process.env, platform = process.platform): string {
  const name = 'zoodesk'
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), name)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name)
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), name)
}
