// Codec plug-ins on main's side: browser mode's same-origin route `/<token>/codec-plugins/<file>` serves exactly the
// modules directly inside `<userData>/codecs` — nothing reached with `..`, an absolute path, %-encoded slashes, a
// sub-folder, or a symlink that leads out (a link to a file inside is fine) — and the contract lists the folder
// (with those problems named), announces changes (codecs.pluginsChanged) and, in browser mode, answers with the
// path instead of opening it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CodecPluginList } from '../../../main/contract/model'
import { startWebServer, type WebServer } from '../../../main/rpc/ws-server'
import { type AppServices, createAppServices } from '../../../main/services/app'
import { codecPluginFolder, readPluginFile } from '../../../main/services/codecs/plugin-files'
import { KeyFileSecretBox } from '../../../main/services/secrets/keyfile-secret-box'
import type { ApiClient } from '../../../renderer/api/client'
import { DEFAULT_ZOODESK_BIN } from '../../compat/harness/servers'
import { connectClient, eventually } from './support/app-harness'

let userDataDir: string
let outside: string
let folder: string
let services: AppServices
let server: WebServer
let client: ApiClient

const MODULE = `export default { id: 'ok', name: 'OK', decode: () => ({ text: 'ok' }) }\n`

beforeAll(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'zoodesk-codec-route-'))
  outside = mkdtempSync(join(tmpdir(), 'zoodesk-codec-outside-'))
  folder = codecPluginFolder(userDataDir)
  mkdirSync(join(folder, 'sub'), { recursive: true })
  mkdirSync(join(folder, 'dir.js'))
  writeFileSync(join(folder, 'ok.js'), MODULE)
  writeFileSync(join(folder, 'also.mjs'), MODULE)
  writeFileSync(join(folder, 'sub', 'nested.js'), MODULE)
  writeFileSync(join(folder, 'notes.txt'), 'not a module')
  writeFileSync(join(outside, 'secret.js'), 'export const secret = "outside"\n')
  writeFileSync(join(userDataDir, 'profiles.js'), 'export const secret = "user data"\n')
  symlinkSync(join(outside, 'secret.js'), join(folder, 'link-out.js'))
  symlinkSync(join(folder, 'ok.js'), join(folder, 'link-in.js'))
  services = createAppServices({
    mode: 'browser',
    version: 'test',
    userDataDir,
    secretBox: new KeyFileSecretBox(join(userDataDir, 'secret.key')),
    zoodeskScript: DEFAULT_ZOODESK_BIN,
    defaultCluster: false,
  })
  server = await startWebServer({ dispatcher: services.dispatcher, bus: services.bus, staticDir: null, codecPluginFolder: folder })
  client = await connectClient(server.rpcUrl)
})

afterAll(async () => {
  client?.close()
  await server?.close()
  await services?.shutdown()
  rmSync(userDataDir, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

/** A GET with the path sent exactly as written (no URL normalisation of `..` or `//` on the way). */
function get(rawPath: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port: server.port, path: rawPath, method: 'GET', headers: { Host: `127.0.0.1:${server.port}` } }, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }))
    })
    call.on('error', reject)
    call.end()
  })
}
const route = (rest: string) => `/${server.token}/codec-plugins/${rest}`

describe('the codec plug-in route', () => {
  it('serves a module of the folder as JavaScript with the page’s CSP', async () => {
    const served = await get(route('ok.js?v=123-4'))
    expect(served.status).toBe(200)
    expect(served.body).toBe(MODULE)
    expect(served.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(served.headers['x-content-type-options']).toBe('nosniff')
    expect(served.headers['content-security-policy']).toContain("script-src 'self'")
    expect((await get(route('also.mjs'))).status).toBe(200)
    // A link to a module inside the folder is the module.
    expect((await get(route('link-in.js'))).body).toBe(MODULE)
  })

  it.each([
    ['.. to the user-data folder', '../profiles.js'],
    ['%-encoded ..', '..%2Fprofiles.js'],
    ['%-encoded dots and slash', '%2e%2e%2fprofiles.js'],
    ['an absolute path', '/etc/passwd'],
    ['an absolute path, %-encoded', '%2Fetc%2Fpasswd.js'],
    ['a sub-folder', 'sub/nested.js'],
    ['a sub-folder, %-encoded', 'sub%2Fnested.js'],
    ['a backslash', '..%5Cprofiles.js'],
    ['a symlink that leads out', 'link-out.js'],
    ['a folder named like a module', 'dir.js'],
    ['a file that is not a module', 'notes.txt'],
    ['a malformed escape', '%E0%A4%A.js'],
  ])('refuses %s', async (_what, rest) => {
    const answer = await get(route(rest))
    expect(answer.status, `${rest}: ${answer.body}`).toBeGreaterThanOrEqual(400)
    expect(answer.body).not.toContain('secret')
    expect(answer.body).not.toContain('root:')
  })

  it('answers 404 for a module that is not there, and 403 without the token', async () => {
    expect((await get(route('missing.js'))).status).toBe(404)
    expect((await get('/wrong-token/codec-plugins/ok.js')).status).toBe(403)
  })

  it('readPluginFile itself refuses what the HTTP layer would not even pass on', async () => {
    for (const name of ['..', '../profiles.js', join(userDataDir, 'profiles.js'), 'sub/nested.js', 'link-out.js', 'dir.js', '']) {
      const read = await readPluginFile(folder, encodeURIComponent(name))
      expect(read.ok, name).toBe(false)
    }
    expect((await readPluginFile(folder, 'ok.js')).ok).toBe(true)
  })
})

describe('codecs.plugins, codecs.pluginsChanged, codecs.openFolder', () => {
  it('lists the modules directly in the folder with what is wrong with each, and announces a new one', async () => {
    const list = await client.api.codecs.plugins()
    expect(list.folder).toBe(folder)
    expect(list.plugins.map((one) => [one.file, one.problem])).toEqual([
      ['also.mjs', null],
      ['dir.js', 'not a file'],
      ['link-in.js', null],
      ['link-out.js', 'a link that leads out of the plug-in folder'],
      ['ok.js', null],
    ])
    expect(list.plugins.find((one) => one.file === 'ok.js')?.sizeBytes).toBe(MODULE.length)
    const changes: CodecPluginList[] = []
    client.on('codecs.pluginsChanged', (payload) => changes.push(payload))
    writeFileSync(join(folder, 'new-one.js'), MODULE)
    const announced = await eventually(() => changes.find((change) => change.plugins.some((one) => one.file === 'new-one.js')), 'codecs.pluginsChanged with new-one.js')
    expect(announced.folder).toBe(folder)
  })

  it('creates a missing folder, and in browser mode answers with the path instead of opening it', async () => {
    rmSync(folder, { recursive: true, force: true })
    expect(await client.api.codecs.openFolder()).toEqual({ folder, opened: false, problem: null })
    expect((await client.api.codecs.plugins()).plugins).toEqual([])
  })

  it('answers BAD_ARGUMENTS to arguments it does not take', async () => {
    const outcome = await services.dispatcher.call('codecs.plugins', { folder: '/etc' })
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.code).toBe('BAD_ARGUMENTS')
  })
})
