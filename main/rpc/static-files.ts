import { createReadStream, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

/** The browser mode's Content-Security-Policy: the renderer's own, with the exact WebSocket origins allowed. */
export function contentSecurityPolicy(connectSources: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${connectSources}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ')
}

/** Serves one file of the built renderer (`rest` is the URL path below the token), never outside `root`. */
export function serveStatic(root: string | null, rest: string, response: ServerResponse, connectSources: string, headOnly: boolean): void {
  const headers = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(connectSources),
  }
  if (root === null) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    response.end('This server carries the ZooDesk contract only (no renderer).\n')
    return
  }
  let relative: string
  try {
    relative = decodeURIComponent(rest === '/' ? '/index.html' : rest)
  } catch {
    response.writeHead(400, headers)
    response.end()
    return
  }
  const file = normalize(join(root, relative))
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    response.writeHead(403, headers)
    response.end()
    return
  }
  let size: number
  try {
    const stat = statSync(file)
    if (!stat.isFile()) throw new Error('not a file')
    size = stat.size
  } catch {
    const missingIndex = relative === '/index.html'
    response.writeHead(missingIndex ? 503 : 404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    response.end(missingIndex ? 'The renderer is not built: run `npm run build:app`, then reload.\n' : 'Not found\n')
    return
  }
  response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size })
  if (headOnly) response.end()
  else createReadStream(file).pipe(response)
}
