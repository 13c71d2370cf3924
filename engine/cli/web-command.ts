import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { type CliCommand, type CliContext, CliFailure, ExitCode, parseCommandLine, wholeNumber } from './support'
import { listenForStopSignals } from './stop-signals'
import { ZOODESK_VERSION } from './version'

const HELP = `Usage: zoodesk web [--port P] [--data-dir DIR] [--no-cluster]

Browser mode: runs the app's services in this process and serves the ZooDesk UI and its
WebSocket on 127.0.0.1 only, behind a random token that the printed URL carries (other
hosts, origins and token-less requests are refused). Open the URL in a browser.

Options:
  --port <P>        port to listen on (default: a free one)
  --data-dir <DIR>  the user-data folder: profiles, secrets key, audit log, local clusters
                    (default: the desktop app's folder, e.g. ~/.config/zoodesk)
  --no-cluster      do not create/start the default local cluster
  -h, --help        show this help

Stop with Ctrl-C (or SIGTERM): local cluster members stop with it, and die with it if it is killed.
`

/** What the browser-mode bundle (out/web/zoodesk-web.cjs, built from main/web/web-host.ts) exports. */
export interface WebHostOptions {
  port: number
  userDataDir: string | null
  defaultCluster: boolean
  /** The CLI bundle, which local cluster members run. */
  zoodeskScript: string
  version: string
  log(text: string): void
}

export interface RunningWebHost {
  readonly url: string
  close(): Promise<void>
}

export interface WebHostModule {
  startWebHost(options: WebHostOptions): Promise<RunningWebHost>
}

/** The host lives in main/ (the app's services), which the engine may not import: it is loaded from its bundle. */
function loadWebHost(scriptPath: string): WebHostModule {
  const bundle = resolve(dirname(scriptPath), '..', 'web', 'zoodesk-web.cjs')
  if (!existsSync(bundle)) throw new CliFailure(`browser mode is not built: ${bundle} is missing (run \`npm run build:cli\`)`)
  return createRequire(scriptPath)(bundle) as WebHostModule
}

async function run(args: string[], context: CliContext): Promise<number> {
  const { values } = parseCommandLine(args, {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'no-cluster': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) {
    context.out(HELP)
    return ExitCode.ok
  }
  const port = wholeNumber(values.port as string | undefined, 'port', 0, 0, 65535)
  const host = loadWebHost(context.scriptPath)
  const dataDir = values['data-dir'] as string | undefined
  let running: RunningWebHost
  try {
    running = await host.startWebHost({
      port,
      userDataDir: dataDir === undefined ? null : resolve(dataDir),
      defaultCluster: values['no-cluster'] !== true,
      zoodeskScript: context.scriptPath,
      version: ZOODESK_VERSION,
      log: context.err,
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new CliFailure(`port ${port} is in use on 127.0.0.1`)
    throw new CliFailure(`browser mode did not start: ${(error as Error).message}`)
  }
  context.out(`ZooDesk is running in browser mode. Open:\n\n  ${running.url}\n\n(Ctrl-C to stop)\n`)
  await listenForStopSignals('web', context.err).requested
  context.err('zoodesk web: stopping…\n')
  await running.close()
  return ExitCode.ok
}

export const webCommand: CliCommand = {
  name: 'web',
  summary: 'browser mode: the ZooDesk UI on 127.0.0.1 with a per-run token',
  help: HELP,
  run,
}
