#!/usr/bin/env node
// `npm start`: until the app's browser mode lands, runs the engine headless on a default local member
// (data kept in the user's data folder) and prints how to connect. Builds the CLI first on a fresh clone.
'use strict'
const { spawnSync, spawn } = require('node:child_process')
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs')
const { createServer } = require('node:net')
const { homedir } = require('node:os')
const { join } = require('node:path')

const root = join(__dirname, '..')
const cli = join(root, 'out', 'cli', 'zoodesk.cjs')

function build() {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.cli.config.mts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

async function firstFreePort(from) {
  for (let port = from; port < from + 100; port++) if (await portIsFree(port)) return port
  throw new Error(`no free port in ${from}..${from + 99}`)
}

async function main() {
  build()
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  const dir = join(dataHome, 'zoodesk', 'default-member')
  mkdirSync(dir, { recursive: true })
  const port = await firstFreePort(2181)
  const config = join(dir, 'zoo.cfg')
  const template = readFileSync(join(root, 'resources', 'default-member.cfg'), 'utf8')
  writeFileSync(config, template.replaceAll('${dataDir}', join(dir, 'data')).replaceAll('${clientPort}', String(port)))
  process.stdout.write(`ZooDesk: starting a local member; connect with  127.0.0.1:${port}  (config ${config})\n`)
  const child = spawn(process.execPath, [cli, 'server', '--config', config], { stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

main().catch((error) => {
  process.stderr.write(`npm start: ${error.message}\n`)
  process.exit(1)
})
