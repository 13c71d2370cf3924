import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseProperties } from '../properties'

/**
 * Apache's config files under dynamic reconfiguration (QuorumPeer.setQuorumVerifier with writeToDisk,
 * QuorumPeerConfig.writeDynamicConfig / editStaticConfig / backupOldConfig): an activated configuration is written
 * to `<zoo.cfg>.dynamic.<version hex>` and the static file is rewritten to point at it, so a restarted member comes
 * back with the membership it last activated.
 */

/** `<zoo.cfg>.dynamic.<hex>`: the server lines sorted as strings, joined by newlines, no version line, no final newline. */
export function dynamicFileText(configText: string): string {
  const lines: string[] = []
  for (const raw of configText.split('\n')) {
    const line = raw.trim()
    const equals = line.indexOf('=')
    if (equals < 0) continue
    const key = line.slice(0, equals).trim()
    if (key.startsWith('version')) continue
    lines.push(`${key}=${line.slice(equals + 1).trim()}`)
  }
  return lines.sort().join('\n')
}

export function dynamicFileName(configPath: string, version: bigint): string {
  return `${configPath}.dynamic.${BigInt.asUintN(64, version).toString(16)}`
}

/**
 * editStaticConfig: the static keys as `key=value` lines without the membership (server/group/weight), the old
 * dynamicConfigFile and peerType (and the client address when our own server line carries one), then
 * `dynamicConfigFile=<absolute path>`. Apache writes the kept keys in its Properties' hash order; we keep file order.
 */
export function staticFileText(staticText: string, dynamicPath: string, eraseClientAddress: boolean): string {
  let out = ''
  for (const { key: rawKey, value } of parseProperties(staticText)) {
    const key = rawKey.trim()
    const dropped =
      key.startsWith('server.') ||
      key.startsWith('group') ||
      key.startsWith('weight') ||
      key.startsWith('dynamicConfigFile') ||
      key.startsWith('peerType') ||
      (eraseClientAddress && key.startsWith('clientPort'))
    if (!dropped) out += `${key}=${value.trim()}\n`
  }
  return `${out}dynamicConfigFile=${resolve(dynamicPath)}\n`
}

/**
 * Writes the activated configuration's files, synchronously and durably (atomically each, as AtomicFileWritingIdiom
 * does): Apache writes them inside setQuorumVerifier, before the leader sends COMMITANDACTIVATE or a learner goes
 * on, so a member killed right after a reconfig still restarts with it. Once per reconfig: never on a hot path.
 */
export function writeActivatedConfig(configPath: string, configText: string, version: bigint, myId: number): void {
  const dynamicPath = dynamicFileName(configPath, version)
  atomicWrite(dynamicPath, dynamicFileText(configText))
  const ownLine = configText.split('\n').find((line) => line.startsWith(`server.${myId}=`))
  const staticText = readFileSync(configPath, 'utf8')
  atomicWrite(configPath, staticFileText(staticText, dynamicPath, ownLine?.includes(';') === true))
}

/** backupOldConfig: at start, with the membership still in zoo.cfg, a copy goes to `zoo.cfg.bak`. */
export async function backupStaticConfig(configPath: string): Promise<void> {
  await copyFile(configPath, `${configPath}.bak`)
}

function atomicWrite(path: string, text: string): void {
  const temp = `${path}.tmp`
  const fd = openSync(temp, 'w')
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path)
}
