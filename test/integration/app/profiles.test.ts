// Saved profiles (secrets encrypted at rest, never sent back), import/export without secrets, the step-by-step
// connection test, and digest credentials in use, against Apache ZooKeeper 3.8.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { type AddressInfo, connect as connectTcp } from 'node:net'
import { join } from 'node:path'
import { Server as SshServer, utils } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../renderer/api/client'
import { type TestServer, freePort, startApache } from '../../compat/harness/servers'
import { type AppHarness, b64, startAppHarness } from './support/app-harness'

const PASSWORD = 'correct horse battery staple'
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n'

let server: TestServer
let app: AppHarness

beforeAll(async () => {
  server = await startApache({ name: 'app-profiles', tickTime: 500 })
  app = await startAppHarness()
})

afterAll(async () => {
  await app?.close()
  await server?.stop()
})

function everyFileUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? everyFileUnder(path) : [path]
  })
}

describe('connection profiles', () => {
  it('saves secrets encrypted, never returns them, keeps them on update, and round-trips after a restart', async () => {
    const api = app.client.api
    const saved = await api.connections.saveProfile({
      profile: {
        name: 'apache',
        connectString: server.connectString,
        color: '#3366ff',
        credentials: [{ scheme: 'digest', user: 'alice', password: PASSWORD }],
        tls: { caPem: null, certPem: null, keyPem: KEY_PEM, passphrase: 'pass-phrase-42' },
      },
    })
    expect(saved).toMatchObject({
      name: 'apache',
      sessionTimeoutMs: 30_000,
      readOnly: false,
      color: '#3366ff',
      credentials: [{ scheme: 'digest', user: 'alice', hasPassword: true }],
      tls: { caPem: null, certPem: null, hasKey: true, hasPassphrase: true, verifyHostname: true },
      ssh: null,
    })
    const listed = JSON.stringify(await api.connections.listProfiles())
    for (const secret of [PASSWORD, 'TOP-SECRET-KEY-MATERIAL', 'pass-phrase-42']) {
      expect(listed).not.toContain(secret)
      for (const file of everyFileUnder(app.userDataDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(secret)
    }
    expect(statSync(join(app.userDataDir, 'profiles.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(app.userDataDir, 'secret.key')).mode & 0o777).toBe(0o600)

    // An update that leaves the secrets out keeps them; null clears one.
    const updated = await api.connections.saveProfile({
      profile: { id: saved.id, name: 'apache 3.8', connectString: server.connectString, credentials: [{ scheme: 'digest', user: 'alice' }], tls: null },
    })
    expect(updated.credentials).toEqual([{ scheme: 'digest', user: 'alice', hasPassword: true }])
    expect(updated.tls).toBeNull()
    expect(updated.createdAt).toBe(saved.createdAt)

    // The same user-data folder read by a fresh process (store + key file) opens the secret again.
    const { ProfileStore } = await import('../../../main/services/connections/profile-store')
    const { KeyFileSecretBox } = await import('../../../main/services/secrets/keyfile-secret-box')
    const reopened = new ProfileStore(join(app.userDataDir, 'profiles.json'), new KeyFileSecretBox(join(app.userDataDir, 'secret.key')))
    expect(reopened.resolve(saved.id).credentials).toEqual([{ user: 'alice', password: PASSWORD }])
  })

  it('exports without secrets and imports as new profiles', async () => {
    const api = app.client.api
    const exported = await api.connections.exportProfiles()
    expect(exported.count).toBe(1)
    expect(exported.json).not.toContain(PASSWORD)
    expect(JSON.parse(exported.json)).toMatchObject({ format: 'zoodesk-profiles-export', version: 1, profiles: [{ name: 'apache 3.8', credentials: [{ scheme: 'digest', user: 'alice' }] }] })
    const { imported } = await api.connections.importProfiles({ json: exported.json })
    expect(imported).toHaveLength(1)
    expect(imported[0]).toMatchObject({ name: 'apache 3.8', credentials: [{ user: 'alice', hasPassword: false }] })
    expect((await api.connections.listProfiles()).length).toBe(2)
    const bad = await api.connections.importProfiles({ json: '{"format":"something else"}' }).catch((error: unknown) => error)
    expect((bad as ApiError).code).toBe('BAD_ARGUMENTS')
    expect(await api.connections.deleteProfile({ profileId: imported[0]!.id })).toEqual({ deleted: true })
  })

  it('opens a profile with its digest credentials and uses them', async () => {
    const api = app.client.api
    const [profile] = await api.connections.listProfiles()
    const connection = await api.connections.open({ kind: 'profile', profileId: profile!.id })
    expect(connection).toMatchObject({ name: 'apache 3.8', state: 'CONNECTED', profileId: profile!.id })
    await api.znodes.create({ connectionId: connection.connectionId, path: '/mine', data: b64('x'), acl: [{ perms: 31, scheme: 'auth', id: '' }] })
    const acl = await api.znodes.getAcl({ connectionId: connection.connectionId, path: '/mine' })
    const digest = createHash('sha1').update(`alice:${PASSWORD}`).digest('base64')
    expect(acl.acl).toEqual([{ perms: 31, scheme: 'digest', id: `alice:${digest}` }])
    const anonymous = await api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })
    const denied = await api.znodes.get({ connectionId: anonymous.connectionId, path: '/mine' }).catch((error: unknown) => error)
    expect((denied as ApiError).error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'NOAUTH' } })
    expect((await api.connections.list()).map((open) => open.connectionId)).toEqual(expect.arrayContaining([connection.connectionId, anonymous.connectionId]))
    await api.connections.close({ connectionId: anonymous.connectionId })
    await api.connections.close({ connectionId: connection.connectionId })
  })
})

describe('connection test: names the step that failed', () => {
  const draft = (connectString: string, extra: Record<string, unknown> = {}) => ({ kind: 'draft' as const, profile: { name: 'draft', connectString, sessionTimeoutMs: 3000, ...extra } })

  it('passes every step against a live server, auth included', async () => {
    const report = await app.client.api.connections.test(draft(server.connectString, { credentials: [{ scheme: 'digest', user: 'bob', password: 'pw' }] }))
    expect(report.ok).toBe(true)
    expect(report.steps.map((step) => step.step)).toEqual(['dns', 'tcp', 'handshake', 'auth'])
    expect(report.steps.find((step) => step.step === 'auth')?.detail).toContain('digest:bob')
  })

  it('fails at DNS for a name that does not resolve', async () => {
    const report = await app.client.api.connections.test(draft('no-such-host.invalid:2181'))
    expect(report).toMatchObject({ ok: false, failedStep: 'dns' })
    expect(report.message).toMatch(/^Name lookup \(DNS\) failed: /)
  })

  it('fails at TCP for a closed port', async () => {
    const port = await freePort()
    const report = await app.client.api.connections.test(draft(`127.0.0.1:${port}`))
    expect(report).toMatchObject({ ok: false, failedStep: 'tcp' })
    expect(report.message).toContain('ECONNREFUSED')
  })

  it('fails at TLS against a plain port when TLS is configured', async () => {
    const report = await app.client.api.connections.test(draft(server.connectString, { tls: { caPem: null, certPem: null } }))
    expect(report).toMatchObject({ ok: false, failedStep: 'tls' })
  })

  it('fails at the handshake against something that is not ZooKeeper', async () => {
    const http = createServer((_request, response) => response.end('hello'))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
    try {
      const port = (http.address() as AddressInfo).port
      const report = await app.client.api.connections.test(draft(`127.0.0.1:${port}`))
      expect(report).toMatchObject({ ok: false, failedStep: 'handshake' })
      expect(report.message).toContain('Is this a ZooKeeper client port')
      // connections.open of the same answers CONNECTION_FAILED with that report.
      const failed = await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 2000 } }).catch((error: unknown) => error)
      expect((failed as ApiError).error).toMatchObject({ code: 'CONNECTION_FAILED', details: { report: { failedStep: 'handshake' } } })
    } finally {
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    }
  })
})

describe('SSH tunnel (an in-process ssh2 server forwarding to Apache)', () => {
  let ssh: SshServer
  let sshPort = 0
  const keys = utils.generateKeyPairSync('ed25519')
  const allowedKey = utils.parseKey(keys.public)
  let forwarded = 0

  beforeAll(async () => {
    if (allowedKey instanceof Error) throw allowedKey
    ssh = new SshServer({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (client) => {
      client.on('error', () => {})
      client.on('authentication', (context) => {
        if (context.username !== 'zoo') return context.reject()
        if (context.method === 'password' && context.password === 'tunnel-pw') return context.accept()
        if (context.method === 'publickey' && !(allowedKey instanceof Error) && context.key.data.equals(allowedKey.getPublicSSH())) {
          if (context.signature === undefined) return context.accept()
          if (context.blob !== undefined && allowedKey.verify(context.blob, context.signature, context.hashAlgo) === true) return context.accept()
        }
        context.reject(['password', 'publickey'])
      })
      client.on('tcpip', (accept, _reject, info) => {
        forwarded++
        const stream = accept()
        const socket = connectTcp(info.destPort, info.destIP)
        stream.pipe(socket).pipe(stream)
        socket.on('error', () => stream.destroy())
        stream.on('error', () => socket.destroy())
        stream.on('close', () => socket.destroy())
      })
    })
    await new Promise<void>((resolve) => ssh.listen(0, '127.0.0.1', () => resolve()))
    sshPort = (ssh.address() as AddressInfo).port
  })

  afterAll(async () => {
    await new Promise((resolve) => ssh?.close(resolve))
  })

  type SshAuth = { auth: 'password'; password: string } | { auth: 'key'; privateKey: string }
  const profile = (auth: SshAuth) => ({
    name: 'tunnelled',
    connectString: server.connectString,
    sessionTimeoutMs: 5000,
    ssh: { host: '127.0.0.1', port: sshPort, user: 'zoo', ...auth },
  })

  it('tests each step through the tunnel, and names the SSH step when the login fails', async () => {
    const good = await app.client.api.connections.test({ kind: 'draft', profile: profile({ auth: 'password', password: 'tunnel-pw' }) })
    expect(good.ok).toBe(true)
    expect(good.steps.map((step) => step.step)).toEqual(['dns', 'ssh', 'tcp', 'handshake'])
    const bad = await app.client.api.connections.test({ kind: 'draft', profile: profile({ auth: 'password', password: 'wrong' }) })
    expect(bad).toMatchObject({ ok: false, failedStep: 'ssh' })
    expect(bad.message).toMatch(/^SSH tunnel failed: /)
  })

  it('opens a saved profile through the tunnel (key login) and works on it, console included', async () => {
    const api = app.client.api
    const saved = await api.connections.saveProfile({ profile: profile({ auth: 'key', privateKey: keys.private }) })
    expect(saved.ssh).toEqual({ host: '127.0.0.1', port: sshPort, user: 'zoo', auth: 'key', hasPassword: false, hasPrivateKey: true })
    for (const file of everyFileUnder(app.userDataDir)) expect(readFileSync(file, 'utf8')).not.toContain(keys.private.split('\n')[1]!)
    const before = forwarded
    const connection = await api.connections.open({ kind: 'profile', profileId: saved.id })
    expect(connection.server).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(connection.server).not.toBe(server.connectString)
    await api.znodes.create({ connectionId: connection.connectionId, path: '/via-ssh', data: b64('tunnelled') })
    const { consoleId } = await api.console.open({ connectionId: connection.connectionId })
    const got = await api.console.execute({ consoleId, line: 'get /via-ssh' })
    expect(got.output.filter((chunk) => chunk.stream === 'out').map((chunk) => chunk.text).join('')).toContain('tunnelled')
    expect(forwarded).toBeGreaterThan(before)
    await api.connections.close({ connectionId: connection.connectionId })
  })
})
