import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import * as v from 'valibot'
import type { ProfileInput } from '../../contract/contract'
import type { ProfileView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { SecretBox } from '../secrets/secret-box'

/** A sealed secret (SecretBox.seal), or null when not set. */
type Sealed = string | null

interface StoredProfile {
  id: string
  name: string
  connectString: string
  sessionTimeoutMs: number
  readOnly: boolean
  color: string | null
  credentials: { scheme: 'digest'; user: string; password: Sealed }[]
  tls: { caPem: string | null; certPem: string | null; keyPem: Sealed; passphrase: Sealed; verifyHostname: boolean } | null
  ssh: { host: string; port: number; user: string; auth: 'password' | 'key'; password: Sealed; privateKey: Sealed } | null
  createdAt: number
  updatedAt: number
}

/** A profile with its secrets opened, for main's own use (connecting); never sent to the renderer. */
export interface ResolvedProfile {
  id: string | null
  name: string
  connectString: string
  sessionTimeoutMs: number
  readOnly: boolean
  color: string | null
  credentials: { user: string; password: string }[]
  tls: { ca: string | null; cert: string | null; key: string | null; passphrase: string | null; verifyHostname: boolean } | null
  ssh: { host: string; port: number; user: string; auth: 'password' | 'key'; password: string | null; privateKey: string | null } | null
}

interface ProfilesFile {
  format: 'zoodesk-profiles'
  version: 1
  profiles: StoredProfile[]
}

/** What an export holds per profile: everything but ids and secrets. */
const exportedProfile = v.object({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  connectString: v.pipe(v.string(), v.minLength(1), v.maxLength(4000)),
  sessionTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000), v.maxValue(600_000)), 30_000),
  readOnly: v.optional(v.boolean(), false),
  color: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64))), null),
  credentials: v.optional(v.array(v.object({ scheme: v.literal('digest'), user: v.pipe(v.string(), v.minLength(1)) })), []),
  tls: v.optional(
    v.nullable(v.object({ caPem: v.nullable(v.string()), certPem: v.nullable(v.string()), verifyHostname: v.optional(v.boolean(), true) })),
    null,
  ),
  ssh: v.optional(
    v.nullable(
      v.object({
        host: v.string(),
        port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)), 22),
        user: v.string(),
        auth: v.picklist(['password', 'key']),
      }),
    ),
    null,
  ),
})
const exportFile = v.object({ format: v.literal('zoodesk-profiles-export'), version: v.literal(1), profiles: v.array(exportedProfile) })

/** Keeps the new secret, clears it (null) or keeps the saved one (undefined). */
function sealField(box: SecretBox, input: string | null | undefined, saved: Sealed | undefined): Sealed {
  if (input === undefined) return saved ?? null
  if (input === null || input === '') return null
  return box.seal(input)
}

/**
 * Saved connection profiles in `<userData>/profiles.json` (mode 0600, written atomically). Secrets (digest
 * passwords, TLS key and passphrase, SSH password and key) are sealed by the SecretBox before they touch the disk,
 * never leave main, and are not part of exports.
 */
export class ProfileStore {
  private profiles: StoredProfile[]

  constructor(
    private readonly file: string,
    private readonly box: SecretBox,
    private readonly now: () => number = Date.now,
  ) {
    this.profiles = this.load()
  }

  private load(): StoredProfile[] {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const parsed = JSON.parse(text) as ProfilesFile
    return Array.isArray(parsed.profiles) ? parsed.profiles : []
  }

  private persist(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 })
    const body: ProfilesFile = { format: 'zoodesk-profiles', version: 1, profiles: this.profiles }
    const temp = `${this.file}.${process.pid}.tmp`
    writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 })
    renameSync(temp, this.file)
  }

  list(): ProfileView[] {
    return this.profiles.map(toView)
  }

  get(id: string): StoredProfile {
    const profile = this.profiles.find((candidate) => candidate.id === id)
    if (profile === undefined) throw fail.notFound('profile', id)
    return profile
  }

  view(id: string): ProfileView {
    return toView(this.get(id))
  }

  save(input: ProfileInput): ProfileView {
    const saved = input.id === undefined ? undefined : this.get(input.id)
    const time = this.now()
    const box = this.box
    const profile: StoredProfile = {
      id: saved?.id ?? randomUUID(),
      name: input.name,
      connectString: input.connectString,
      sessionTimeoutMs: input.sessionTimeoutMs,
      readOnly: input.readOnly,
      color: input.color,
      credentials: input.credentials.map((credential) => ({
        scheme: 'digest',
        user: credential.user,
        password: sealField(box, credential.password, saved?.credentials.find((old) => old.user === credential.user)?.password),
      })),
      tls:
        input.tls === null
          ? null
          : {
              caPem: input.tls.caPem,
              certPem: input.tls.certPem,
              keyPem: sealField(box, input.tls.keyPem, saved?.tls?.keyPem),
              passphrase: sealField(box, input.tls.passphrase, saved?.tls?.passphrase),
              verifyHostname: input.tls.verifyHostname,
            },
      ssh:
        input.ssh === null
          ? null
          : {
              host: input.ssh.host,
              port: input.ssh.port,
              user: input.ssh.user,
              auth: input.ssh.auth,
              password: sealField(box, input.ssh.password, saved?.ssh?.password),
              privateKey: sealField(box, input.ssh.privateKey, saved?.ssh?.privateKey),
            },
      createdAt: saved?.createdAt ?? time,
      updatedAt: time,
    }
    this.profiles = saved === undefined ? [...this.profiles, profile] : this.profiles.map((old) => (old.id === profile.id ? profile : old))
    this.persist()
    return toView(profile)
  }

  delete(id: string): boolean {
    const before = this.profiles.length
    this.profiles = this.profiles.filter((profile) => profile.id !== id)
    if (this.profiles.length === before) return false
    this.persist()
    return true
  }

  /** Secrets opened, for connecting. */
  resolve(id: string): ResolvedProfile {
    const profile = this.get(id)
    const open = (sealed: Sealed): string | null => (sealed === null ? null : this.box.open(sealed))
    return {
      id: profile.id,
      name: profile.name,
      connectString: profile.connectString,
      sessionTimeoutMs: profile.sessionTimeoutMs,
      readOnly: profile.readOnly,
      color: profile.color,
      credentials: profile.credentials.flatMap((credential) => {
        const password = open(credential.password)
        return password === null ? [] : [{ user: credential.user, password }]
      }),
      tls:
        profile.tls === null
          ? null
          : {
              ca: profile.tls.caPem,
              cert: profile.tls.certPem,
              key: open(profile.tls.keyPem),
              passphrase: open(profile.tls.passphrase),
              verifyHostname: profile.tls.verifyHostname,
            },
      ssh: profile.ssh === null ? null : { ...profile.ssh, password: open(profile.ssh.password), privateKey: open(profile.ssh.privateKey) },
    }
  }

  exportJson(): { json: string; count: number } {
    const profiles = this.profiles.map((profile) => ({
      name: profile.name,
      connectString: profile.connectString,
      sessionTimeoutMs: profile.sessionTimeoutMs,
      readOnly: profile.readOnly,
      color: profile.color,
      credentials: profile.credentials.map((credential) => ({ scheme: credential.scheme, user: credential.user })),
      tls: profile.tls === null ? null : { caPem: profile.tls.caPem, certPem: profile.tls.certPem, verifyHostname: profile.tls.verifyHostname },
      ssh: profile.ssh === null ? null : { host: profile.ssh.host, port: profile.ssh.port, user: profile.ssh.user, auth: profile.ssh.auth },
    }))
    return { json: `${JSON.stringify({ format: 'zoodesk-profiles-export', version: 1, profiles }, null, 2)}\n`, count: profiles.length }
  }

  importJson(json: string): ProfileView[] {
    let raw: unknown
    try {
      raw = JSON.parse(json)
    } catch (error) {
      throw fail.badArguments('json', `not JSON: ${(error as Error).message}`)
    }
    const parsed = v.safeParse(exportFile, raw)
    if (!parsed.success) {
      const issue = parsed.issues[0]
      throw fail.badArguments(`json${issue === undefined ? '' : `.${v.getDotPath(issue) ?? ''}`}`, `not a ZooDesk profiles export: ${issue?.message ?? 'invalid'}`)
    }
    return parsed.output.profiles.map((profile) =>
      this.save({
        name: profile.name,
        connectString: profile.connectString,
        sessionTimeoutMs: profile.sessionTimeoutMs,
        readOnly: profile.readOnly,
        color: profile.color,
        credentials: profile.credentials.map((credential) => ({ scheme: 'digest', user: credential.user, password: null })),
        tls: profile.tls === null ? null : { ...profile.tls, keyPem: null, passphrase: null },
        ssh: profile.ssh === null ? null : { ...profile.ssh, password: null, privateKey: null },
      }),
    )
  }
}

function toView(profile: StoredProfile): ProfileView {
  return {
    id: profile.id,
    name: profile.name,
    connectString: profile.connectString,
    sessionTimeoutMs: profile.sessionTimeoutMs,
    readOnly: profile.readOnly,
    color: profile.color,
    credentials: profile.credentials.map((credential) => ({ scheme: 'digest', user: credential.user, hasPassword: credential.password !== null })),
    tls:
      profile.tls === null
        ? null
        : {
            caPem: profile.tls.caPem,
            certPem: profile.tls.certPem,
            hasKey: profile.tls.keyPem !== null,
            hasPassphrase: profile.tls.passphrase !== null,
            verifyHostname: profile.tls.verifyHostname,
          },
    ssh:
      profile.ssh === null
        ? null
        : {
            host: profile.ssh.host,
            port: profile.ssh.port,
            user: profile.ssh.user,
            auth: profile.ssh.auth,
            hasPassword: profile.ssh.password !== null,
            hasPrivateKey: profile.ssh.privateKey !== null,
          },
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  }
}

/** A draft (connections.test on an unsaved profile): its secrets as typed. */
export function resolveDraft(input: ProfileInput): ResolvedProfile {
  return {
    id: input.id ?? null,
    name: input.name,
    connectString: input.connectString,
    sessionTimeoutMs: input.sessionTimeoutMs,
    readOnly: input.readOnly,
    color: input.color,
    credentials: input.credentials.flatMap((credential) => (typeof credential.password === 'string' ? [{ user: credential.user, password: credential.password }] : [])),
    tls:
      input.tls === null
        ? null
        : { ca: input.tls.caPem, cert: input.tls.certPem, key: input.tls.keyPem ?? null, passphrase: input.tls.passphrase ?? null, verifyHostname: input.tls.verifyHostname },
    ssh: input.ssh === null ? null : { ...input.ssh, password: input.ssh.password ?? null, privateKey: input.ssh.privateKey ?? null },
  }
}
