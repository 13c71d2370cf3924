// Browser mode's route for codec plug-ins: `/<token>/codec-plugins/<file>` answers the module's source with the page's
// CSP, as JavaScript, never a file outside `<userData>/codecs` (main/services/codecs/plugin-files.ts decides).
import type { ServerResponse } from 'node:http'
import { readPluginFile } from '../services/codecs/plugin-files'
import { contentSecurityPolicy } from './static-files'

export async function serveCodecPlugin(folder: string, name: string, response: ServerResponse, connectSources: string, headOnly: boolean): Promise<void> {
  const headers = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(connectSources),
  }
  const read = await readPluginFile(folder, name).catch((error: unknown) => ({ ok: false as const, status: 404 as const, reason: (error as Error).message }))
  if (!read.ok) {
    response.writeHead(read.status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    response.end(`${read.reason}\n`)
    return
  }
  response.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': read.body.length })
  response.end(headOnly ? undefined : read.body)
}
