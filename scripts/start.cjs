#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then opens the desktop app where Electron's binary is installed (and
// a display exists), otherwise runs browser mode (`zoodesk web`) and prints its URL. Either way the app starts the
// embedded default local cluster (kept in the user-data folder) and connects to it.
//   npm start -- --browser        browser mode even where Electron could run (also ZOODESK_BROWSER=1)
//   npm start -- --port 8080      browser mode's port (other options go to `zoodesk web` as they are)
'use strict'
const { spawnSync, spawn } = require('node:child_process')
const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

const root = join(__dirname, '..')
const cli = join(root, 'out', 'cli', 'zoodesk.cjs')
const bin = (name, ...rest) => join(root, 'node_modules', name, ...rest)

function run(script, args, what) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    process.stderr.write(`npm start: ${what} failed\n`)
    process.exit(result.status ?? 1)
  }
}

function build() {
  const vite = bin('vite', 'bin', 'vite.js')
  run(vite, ['build', '--config', 'vite.cli.config.mts', '--logLevel', 'warn'], 'building the CLI')
  run(vite, ['build', '--config', 'vite.web.config.mts', '--logLevel', 'warn'], 'building browser mode')
  run(bin('electron-vite', 'bin', 'electron-vite.js'), ['build', '--logLevel', 'warn'], 'building the app (main, preload, renderer)')
}

/** The Electron binary when it is installed and usable here, else the reason it is not. */
function electronBinary() {
  const pathFile = bin('electron', 'path.txt')
  if (!existsSync(pathFile)) return { reason: "Electron's binary is not installed (npm run electron:install downloads it)" }
  const binary = bin('electron', 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { reason: `Electron's binary is missing (${binary})` }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' }
  return { binary }
}

function forward(child) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

function main() {
  const args = process.argv.slice(2)
  const forceBrowser = args.includes('--browser') || process.env.ZOODESK_BROWSER === '1'
  const webArgs = args.filter((arg) => arg !== '--browser')
  build()
  const electron = forceBrowser ? { reason: 'browser mode was asked for' } : electronBinary()
  if (electron.binary !== undefined) {
    process.stdout.write('ZooDesk: opening the desktop app.\n')
    forward(spawn(electron.binary, [root], { cwd: root, stdio: 'inherit' }))
    return
  }
  process.stdout.write(`ZooDesk: browser mode, because ${electron.reason}.\n`)
  forward(spawn(process.execPath, [cli, 'web', ...webArgs], { cwd: root, stdio: 'inherit' }))
}

main()
