import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { METHOD_NAMES, type MethodName } from '../../../main/contract/contract'
import { ApiError } from '../../../renderer/api/client'
import { type AppHarness, openSocket, startAppHarness } from './support/app-harness'

let app: AppHarness
let staticDir: string

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'zoodesk-static-'))
  mkdirSync(join(staticDir, 'assets'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>ZooDesk</title>')
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  app = await startAppHarness({ staticDir })
})

afterAll(async () => {
  await app?.close()
  rmSync(staticDir, { recursive: true, force: true })
})

/** Resolves with how a WebSocket handshake ended: 'open', or the HTTP status it was refused with. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = openSocket(url, headers)
    socket.once('open', () => {
      socket.close()
      resolve('open')
    })
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      socket.terminate()
    })
    socket.once('error', () => resolve(-1))
  })
}

function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('browser mode server: token, origin, host', () => {
  it('listens on 127.0.0.1 and accepts the socket with the right token', async () => {
    expect(app.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/)
    expect(await handshake(app.server.rpcUrl)).toBe('open')
    expect(await handshake(app.server.rpcUrl, { Origin: `http://127.0.0.1:${app.server.port}` })).toBe('open')
  })

  it('refuses a socket without the token, with a wrong token, or from a foreign origin', async () => {
    const base = `ws://127.0.0.1:${app.server.port}`
    expect(await handshake(`${base}/rpc`)).toBe(403)
    expect(await handshake(`${base}//rpc`)).toBe(403)
    expect(await handshake(`${base}/${'x'.repeat(43)}/rpc`)).toBe(403)
    expect(await handshake(`${base}/${app.server.token.slice(0, -1)}/rpc`)).toBe(403)
    expect(await handshake(app.server.rpcUrl, { Origin: 'http://evil.example' })).toBe(403)
    expect(await handshake(app.server.rpcUrl, { Origin: `http://127.0.0.1:${app.server.port + 1}` })).toBe(403)
    expect(await handshake(app.server.rpcUrl, { Host: `attacker.example:${app.server.port}` })).toBe(403)
  })

  it('serves the renderer only under the token, with a strict CSP, and never outside its folder', async () => {
    const { port, token } = app.server
    const index = await httpGet(port, `/${token}/`)
    expect(index.status).toBe(200)
    expect(index.body).toContain('<title>ZooDesk</title>')
    expect(String(index.headers['content-security-policy'])).toContain("default-src 'self'")
    expect(String(index.headers['content-security-policy'])).toContain(`ws://127.0.0.1:${port}`)
    expect(index.headers['x-content-type-options']).toBe('nosniff')
    expect((await httpGet(port, `/${token}/assets/app.js`)).status).toBe(200)
    expect((await httpGet(port, '/')).status).toBe(403)
    expect((await httpGet(port, '/assets/app.js')).status).toBe(403)
    expect((await httpGet(port, `/wrong/`)).status).toBe(403)
    expect((await httpGet(port, `/${token}/../../etc/passwd`)).status).not.toBe(200)
    expect((await httpGet(port, `/${token}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(403)
    expect((await httpGet(port, `/${token}/`, { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await httpGet(port, `/${token}/`, { Host: 'rebind.example' })).status).toBe(403)
    expect((await httpGet(port, `/${token}`)).status).toBe(301)
    expect((await httpGet(port, '/%E0%A4%A/')).status).toBe(403)
    expect((await httpGet(port, `/${token}/%E0%A4%A`)).status).toBe(400)
  })

  it('closes a socket that sends something other than a call', async () => {
    const closeCode = (payload: string) =>
      new Promise<number>((resolve) => {
        const socket = openSocket(app.server.rpcUrl)
        socket.once('open', () => socket.send(payload))
        socket.once('close', (code) => resolve(code))
      })
    expect(await closeCode('{not json')).toBe(1007)
    expect(await closeCode(JSON.stringify({ t: 'call', id: 'x', method: 'app.info' }))).toBe(1002)
    expect(await closeCode(JSON.stringify([1, 2]))).toBe(1002)
  })
})

/** Arguments no method accepts: wrong types, unknown keys, no object at all. */
const MALFORMED: readonly unknown[] = [null, 42, 'text', [], { __unexpected: true }]

describe('contract: every method validates its arguments', () => {
  it('declares a schema and a summary for each of its methods', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(40)
    for (const method of METHOD_NAMES) expect(method).toMatch(/^[a-z]+\.[A-Za-z]+$/)
  })

  it.each(METHOD_NAMES.map((method) => [method]))('%s answers malformed arguments with BAD_ARGUMENTS', async (method: MethodName) => {
    for (const args of MALFORMED) {
      const outcome = await app.services.dispatcher.call(method, args)
      expect(outcome.ok, `${method} accepted ${JSON.stringify(args)}`).toBe(false)
      if (!outcome.ok) {
        expect(outcome.error.code).toBe('BAD_ARGUMENTS')
        expect(outcome.error.message).toContain(method)
        if (outcome.error.code === 'BAD_ARGUMENTS') expect(outcome.error.details.issues.length).toBeGreaterThan(0)
      }
    }
  })

  it('answers field-level mistakes with the field’s path, through the socket', async () => {
    const expectBad = async (promise: Promise<unknown>, path: string) => {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(ApiError)
      const apiError = error as ApiError
      expect(apiError.code).toBe('BAD_ARGUMENTS')
      if (apiError.error.code === 'BAD_ARGUMENTS') expect(apiError.error.details.issues.map((issue) => issue.path)).toContain(path)
    }
    const call = app.client.call
    await expectBad(call('znodes.get', { connectionId: 'c', path: 'relative' }), 'path')
    await expectBad(call('znodes.get', { connectionId: 'c', path: '/a//b' }), 'path')
    await expectBad(call('znodes.get', { connectionId: 'c', path: '/a/' }), 'path')
    await expectBad(call('znodes.set', { connectionId: 'c', path: '/a', data: 'not base64!', version: 0 }), 'data')
    await expectBad(call('znodes.set', { connectionId: 'c', path: '/a', data: null, version: 1.5 }), 'version')
    await expectBad(call('znodes.set', { connectionId: 'c', path: '/a', data: null, version: -2 }), 'version')
    await expectBad(call('znodes.create', { connectionId: 'c', path: '/a', mode: 'SOMETIMES' as never }), 'mode')
    await expectBad(call('znodes.setAcl', { connectionId: 'c', path: '/a', acl: [], version: -1 }), 'acl')
    await expectBad(call('znodes.children', { connectionId: 'c', path: '/', limit: 0 }), 'limit')
    await expectBad(call('connections.saveProfile', { profile: { name: '', connectString: 'h:1' } }), 'profile.name')
    await expectBad(call('connections.saveProfile', { profile: { name: 'n', connectString: 'h:1', credentials: [{ scheme: 'digest', user: 'a:b' }] } }), 'profile.credentials.0.user')
    await expectBad(call('clusters.partition', { clusterId: 'x', groups: [[1]] }), 'groups')
  })

  it('answers an unknown method with UNKNOWN_METHOD and an unknown id with NOT_FOUND', async () => {
    const outcome = await app.services.dispatcher.call('znodes.format', {})
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD', details: { method: 'znodes.format' } } })
    const missing = await app.client.call('znodes.get', { connectionId: 'nope', path: '/' }).catch((error: unknown) => error)
    expect(missing).toBeInstanceOf(ApiError)
    expect((missing as ApiError).error).toEqual({ code: 'NOT_FOUND', message: 'no connection "nope"', details: { what: 'connection', id: 'nope' } })
  })

  it('serves app.info through the namespaced api', async () => {
    const info = await app.client.api.app.info()
    expect(info).toMatchObject({ mode: 'browser', secretStorage: 'keyfile', userDataDir: app.userDataDir, defaultConnectionId: null })
  })
})
