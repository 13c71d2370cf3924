import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateMode, ErrorCode, ZooKeeperClient } from '../../../engine/client'
import { type TestCertificates, makeCertificates } from './support/certificates'
import { ClientPool, uniquePath } from './support/helpers'
import { readOnlyAndTlsFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

describe.each(readOnlyAndTlsFactories)('TLS against $name', (factory) => {
  let server: TestEnsemble
  let dir: string
  let certs: TestCertificates
  const pool = new ClientPool()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zoodesk-client-tls-'))
    certs = makeCertificates(dir)
    server = await factory.start({ tls: certs.server })
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('talks to the secure client port with a client certificate, which the server sees as an x509 identity', async () => {
    const client = await pool.connect(server.secureConnectString(), {
      tls: { ca: certs.caPem, cert: certs.clientCertPem, key: certs.clientKeyPem, servername: 'localhost' },
    })
    const path = uniquePath('tls')
    expect(await client.create(path, 'over tls', { mode: CreateMode.EPHEMERAL })).toBe(path)
    expect((await client.getData(path)).data?.toString()).toBe('over tls')
    expect(await client.whoAmI()).toContainEqual({ authScheme: 'x509', user: 'CN=zoodesk-client' })
    // The same node through the plain port.
    const plain = await pool.connect(server.connectString())
    expect((await plain.exists(path))?.ephemeralOwner).toBe(client.sessionId)
  })

  it('keeps the session across a reconnect over TLS', async () => {
    const client = await pool.connect(server.secureConnectString(), {
      tls: { ca: certs.caPem, cert: certs.clientCertPem, key: certs.clientKeyPem, servername: 'localhost' },
      reconnectPacing: { reconnectJitterMsMax: 1, cycleDelayMs: 50 },
    })
    const sessionId = client.sessionId
    client.dropConnection()
    await client.waitForState('CONNECTED')
    expect(client.sessionId).toBe(sessionId)
    expect(await client.exists('/')).not.toBeNull()
  })

  it('never connects when the server is not trusted or does not trust us', async () => {
    const untrustedServer = ZooKeeperClient.connect(server.secureConnectString(), {
      tls: { ca: certs.strangerCertPem, cert: certs.clientCertPem, key: certs.clientKeyPem, servername: 'localhost' },
      connectTimeoutMs: 1500,
    })
    await expect(untrustedServer).rejects.toMatchObject({ code: ErrorCode.OPERATIONTIMEOUT })
    const untrustedClient = ZooKeeperClient.connect(server.secureConnectString(), {
      tls: { ca: certs.caPem, cert: certs.strangerCertPem, key: certs.strangerKeyPem, servername: 'localhost' },
      connectTimeoutMs: 1500,
    })
    await expect(untrustedClient).rejects.toMatchObject({ code: ErrorCode.OPERATIONTIMEOUT })
  })
})
