#!/usr/bin/env node
// postinstall: fetch Electron's binary when the network allows, and never fail the install when it does not.
// Electron's own install script is denied in package.json (allowScripts) because, offline, it fails `npm ci` as a
// whole; this runs the same installer but treats a failed download as "use browser mode" (see README).
'use strict'
const { spawnSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const electronDir = join(__dirname, '..', 'node_modules', 'electron')
const installer = join(electronDir, 'install.js')

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0)
if (!existsSync(installer) || existsSync(join(electronDir, 'path.txt'))) process.exit(0)

const result = spawnSync(process.execPath, [installer], { cwd: electronDir, stdio: 'pipe', timeout: 180_000, encoding: 'utf8' })
if (result.status === 0) {
  process.stdout.write('Electron binary installed: `npm run dev` opens the desktop app.\n')
} else {
  const lines = (result.stderr || result.stdout || String(result.error ?? '')).trim().split('\n')
  const reason = (lines.find((line) => /Error/.test(line)) ?? lines.pop() ?? '').trim()
  process.stdout.write(
    `Electron's binary could not be downloaded (${reason || 'no network'}).\n` +
      'That is fine: `npm start` works without it. Retry later with `npm run electron:install`.\n',
  )
}
