// Browser mode's entry (bundled to out/web/zoodesk-web.cjs, loaded by `zoodesk web`): the app's services in this
// Node process, the contract over a WebSocket, the built renderer over HTTP, on 127.0.0.1 behind a token.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { RunningWebHost, WebHostOptions } from '../../engine/cli/web-command'
import { startWebServer } from '../rpc/ws-server'
import { createAppServices } from '../services/app'
import { codecPluginFolder } from '../services/codecs/plugin-files'
import { KeyFileSecretBox } from '../services/secrets/keyfile-secret-box'
import { defaultUserDataDir } from './user-data'

/** out/renderer next to out/cli (where the running CLI bundle is); null when the renderer was never built. */
function rendererDir(zoodeskScript: string): string | null {
  const dir = resolve(dirname(zoodeskScript), '..', 'renderer')
  return existsSync(join(dir, 'index.html')) ? dir : null
}

export async function startWebHost(options: WebHostOptions): Promise<RunningWebHost> {
  const userDataDir = options.userDataDir ?? defaultUserDataDir()
  const services = createAppServices({
    mode: 'browser',
    version: options.version,
    userDataDir,
    secretBox: new KeyFileSecretBox(join(userDataDir, 'secret.key')),
    zoodeskScript: options.zoodeskScript,
    defaultCluster: options.defaultCluster,
    onInternalError: (method, error) => options.log(`zoodesk web: ${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
  })
  const staticDir = rendererDir(options.zoodeskScript)
  if (staticDir === null) options.log('zoodesk web: the renderer is not built (npm run build:app); serving the WebSocket only\n')
  const server = await startWebServer({ dispatcher: services.dispatcher, bus: services.bus, port: options.port, staticDir, codecPluginFolder: codecPluginFolder(userDataDir) })
  try {
    if (options.defaultCluster) {
      options.log('zoodesk web: starting the local cluster…\n')
      await services.startDefaultCluster()
    }
  } catch (error) {
    // The UI still works against other ensembles; say why the local one is missing.
    options.log(`zoodesk web: the local cluster did not start: ${(error as Error).message}\n`)
  }
  return {
    url: server.url,
    async close() {
      await server.close()
      await services.shutdown()
    },
  }
}
