// The desktop app's main process: hosts the services (the same ones browser mode runs), binds the contract to
// Electron IPC, and shows the renderer from a private app:// scheme in a locked-down window.
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { BrowserWindow, type WebContents, app, dialog, protocol, session, shell } from 'electron'
import { ZOODESK_VERSION } from '../engine/cli/version'
import { contentSecurityPolicy } from './rpc/static-files'
import { bindIpc } from './electron/ipc-binding'
import { electronMemberSpawner } from './electron/member-spawner'
import { SafeStorageSecretBox } from './electron/safe-storage-box'
import { type AppServices, createAppServices } from './services/app'
import { CODEC_PLUGIN_ROUTE, codecPluginFolder, readPluginFile } from './services/codecs/plugin-files'
import { KeyFileSecretBox } from './services/secrets/keyfile-secret-box'

const SCHEME = 'app'
const HOST = 'zoodesk'
const ORIGIN = `${SCHEME}://${HOST}`
const RENDERER_DIR = join(__dirname, '../renderer')
const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
}

// Must happen before ready: a standard, secure scheme gets an origin, so Monaco's module workers load from it.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
app.enableSandbox()
// One user-data folder whatever the packaged product name: browser mode (main/web/user-data.ts) uses the same one.
app.setPath('userData', join(app.getPath('appData'), 'zoodesk'))

if (!app.requestSingleInstanceLock()) app.quit()

const devServerUrl = process.env['ELECTRON_RENDERER_URL']
let services: AppServices | undefined
const windows = new Set<BrowserWindow>()

function isOurFrame(url: string): boolean {
  return url.startsWith(`${ORIGIN}/`) || (devServerUrl !== undefined && url.startsWith(devServerUrl))
}

/** Serves out/renderer on app://zoodesk/, with the same CSP as browser mode, never outside the folder. */
function serveRenderer(): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url)
    // Codec plug-ins from <userData>/codecs, same origin as the page so that script-src 'self' lets it import them.
    if (url.host === HOST && url.pathname.startsWith(`/${CODEC_PLUGIN_ROUTE}/`)) {
      const read = await readPluginFile(codecPluginFolder(app.getPath('userData')), url.pathname.slice(CODEC_PLUGIN_ROUTE.length + 2))
      if (!read.ok) return new Response(read.reason, { status: read.status })
      return new Response(read.body, { headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Security-Policy': contentSecurityPolicy(''), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' } })
    }
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)
    const file = normalize(join(RENDERER_DIR, relative))
    if (url.host !== HOST || !file.startsWith(RENDERER_DIR + sep)) return new Response('Forbidden', { status: 403 })
    try {
      const body = await readFile(file)
      return new Response(body, {
        headers: {
          'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': contentSecurityPolicy(''),
          'X-Content-Type-Options': 'nosniff',
        },
      })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isOurFrame(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'ZooDesk',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  })
  windows.add(window)
  window.on('closed', () => windows.delete(window))
  // A crashed renderer is reloaded; the services and cluster members in main carry on.
  window.webContents.on('render-process-gone', () => {
    if (!window.isDestroyed()) window.reload()
  })
  if (devServerUrl) void window.loadURL(devServerUrl)
  else void window.loadURL(`${ORIGIN}/index.html`)
}

async function start(): Promise<void> {
  await app.whenReady()
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  app.on('web-contents-created', (_event, contents) => lockDown(contents))
  serveRenderer()
  const userDataDir = app.getPath('userData')
  services = createAppServices({
    mode: 'electron',
    version: ZOODESK_VERSION,
    userDataDir,
    secretBox: SafeStorageSecretBox.usable() ? new SafeStorageSecretBox() : new KeyFileSecretBox(join(userDataDir, 'secret.key')),
    // Members run the CLI bundle, unpacked from the asar archive (see electron-builder.yml asarUnpack).
    zoodeskScript: join(app.getAppPath(), 'out', 'cli', 'zoodesk.cjs').replace(`app.asar${sep}`, `app.asar.unpacked${sep}`),
    spawnMember: electronMemberSpawner(),
    // forensics.open without a path: a folder dialog over the focused window.
    pickDirectory: async () => {
      const owner = BrowserWindow.getFocusedWindow()
      const options = { title: 'Open a ZooKeeper data directory', properties: ['openDirectory' as const, 'showHiddenFiles' as const] }
      const picked = owner === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(owner, options)
      return picked.canceled ? null : (picked.filePaths[0] ?? null)
    },
    openPath: (path) => shell.openPath(path),
    defaultCluster: true,
    onInternalError: (method, error) => console.error(`ZooDesk: ${method} failed`, error),
  })
  bindIpc(services.dispatcher, services.bus, isOurFrame, () => [...windows].map((window) => window.webContents))
  createWindow()
  services.startDefaultCluster().catch((error: unknown) => console.error('ZooDesk: the local cluster did not start', error))
}

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || services === undefined) return
  // Stop cluster members and close sessions before leaving.
  event.preventDefault()
  quitting = true
  void services.shutdown().finally(() => app.exit(0))
})
app.on('second-instance', () => {
  const [window] = windows
  if (window !== undefined) {
    if (window.isMinimized()) window.restore()
    window.focus()
  }
})
app.on('window-all-closed', () => app.quit())

void start()
