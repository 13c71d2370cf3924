import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TlsServerFiles } from './server-factory'

export interface TestCertificates {
  readonly caPem: Buffer
  readonly clientCertPem: Buffer
  readonly clientKeyPem: Buffer
  /** A CA the server does not trust, with a client certificate it signed. */
  readonly strangerCertPem: Buffer
  readonly strangerKeyPem: Buffer
  readonly server: TlsServerFiles
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
}

function signedBy(dir: string, ca: string, name: string, subject: string, altNames?: string): void {
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject)
  const args = ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial']
  args.push('-out', `${name}.pem`, '-days', '2')
  if (altNames !== undefined) {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${altNames}\n`)
    args.push('-extfile', `${name}.ext`)
  }
  openssl(dir, ...args)
}

/** A throwaway CA, a server key store / trust store for Java (PKCS12) and PEM client credentials, in `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  const password = 'zoodesk-test'
  for (const ca of ['ca', 'stranger-ca']) {
    openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=${ca}`)
  }
  signedBy(dir, 'ca', 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1')
  signedBy(dir, 'ca', 'client', '/CN=zoodesk-client')
  signedBy(dir, 'stranger-ca', 'stranger', '/CN=stranger')
  openssl(dir, 'pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-out', 'server.p12', '-passout', `pass:${password}`)
  execFileSync(
    'keytool',
    ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'trust.p12', '-storetype', 'PKCS12', '-storepass', password],
    { cwd: dir, stdio: 'ignore' },
  )
  const read = (name: string): Buffer => readFileSync(join(dir, name))
  return {
    caPem: read('ca.pem'),
    clientCertPem: read('client.pem'),
    clientKeyPem: read('client.key'),
    strangerCertPem: read('stranger.pem'),
    strangerKeyPem: read('stranger.key'),
    server: { keyStorePath: join(dir, 'server.p12'), trustStorePath: join(dir, 'trust.p12'), password },
  }
}
