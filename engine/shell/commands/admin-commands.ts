import { readFile } from 'node:fs/promises'
import { CliError, keeperAsCliError } from '../errors'
import { javaHexLong, statLines } from '../java-format'
import { javaParseLong } from '../java-numbers'
import { loadJavaProperties } from '../java-properties'
import { option, parseOptions } from '../options'
import { type ShellCommand, command } from './command'

/** config, reconfig, version, close. */

/** ConfigUtils.getClientConfigStr: `version host:port,host:port` from the dynamic config's server lines. */
export function clientConfigString(config: string): string {
  let version = ''
  const addresses: string[] = []
  for (const [rawKey, rawValue] of loadJavaProperties(config)) {
    const key = rawKey.trim()
    const value = rawValue.trim()
    if (key === 'version') version = value
    if (!key.startsWith('server.')) continue
    const parts = value.split(';')
    if (parts.length > 2) continue // Java's QuorumServer refuses it (and prints the ConfigException)
    if (parts.length < 2) {
      addresses.push('') // no client address: Java still adds the separator
      continue
    }
    const client = clientAddress(parts[1]!)
    if (client !== undefined) addresses.push(client)
  }
  return `${version} ${addresses.join(',')}`
}

/** `[host:]port` (IPv6 in brackets) as QuorumServer reads a client address; the host defaults to 0.0.0.0. */
function clientAddress(text: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text)
  const parts = bracketed !== null ? [bracketed[1]!, ...(bracketed[2] === undefined ? [] : [bracketed[2]])] : text.split(':')
  if (parts.length > 2) return undefined
  const port = parts[parts.length - 1]!
  if (!/^[+-]?\d+$/.test(port) || Number(port) < 0 || Number(port) > 65535) return undefined
  return `${parts.length === 2 ? parts[0] : '0.0.0.0'}:${Number(port)}`
}

const CONFIG_OPTIONS = {
  options: [option('s', false, 'stats'), option('w', false, 'watch'), option('c', false, 'client connection string')],
}

export const configCommand = command('config', '[-c] [-w] [-s]', async (args, io) => {
  const cl = parseOptions(CONFIG_OPTIONS, args)
  const watch = cl.has('w')
  let result
  try {
    result = await io.zk.getConfig(watch)
  } catch (error) {
    throw keeperAsCliError(error)
  }
  const text = (result.data ?? Buffer.from('null')).toString('utf8')
  io.println(cl.has('c') ? clientConfigString(text) : text)
  if (cl.has('s')) io.println(statLines(result.stat))
  return watch
})

const RECONFIG_OPTIONS = {
  options: [
    option('s', false, 'stats'),
    option('v', true, 'required current config version'),
    option('file', true, 'path of config file to parse for membership'),
    option('members', true, 'comma-separated list of config strings for non-incremental reconfig'),
    option('add', true, 'comma-separated list of config strings for new servers'),
    option('remove', true, 'comma-separated list of server IDs to remove'),
  ],
}
const RECONFIG_OPTION_STR =
  '[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | ' +
  '[-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]'

/** The strerror texts Java's FileInputStream puts in its exception message. */
const FILE_ERRORS: ReadonlyMap<string, string> = new Map([
  ['ENOENT', 'No such file or directory'],
  ['EACCES', 'Permission denied'],
  ['EISDIR', 'Is a directory'],
])

/** Java's FileInputStream messages, as `Error processing <file><message>` shows them. */
function fileErrorMessage(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  return `${file} (${FILE_ERRORS.get(code) ?? String(error)})`
}

/**
 * The membership of a dynamic config file (QuorumPeerConfig.parseDynamicConfig(...).toString()): its server lines,
 * by id, then its version in hex. Java also normalises each server's address text; this keeps it as written.
 */
async function membersFromFile(file: string): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(`Error processing ${file}${fileErrorMessage(file, error)}`)
  }
  const entries = loadJavaProperties(text)
  const servers = entries
    .filter(([key]) => key.startsWith('server.'))
    .sort((a, b) => Number(a[0].slice('server.'.length)) - Number(b[0].slice('server.'.length)))
  const version = entries.find(([key]) => key === 'version')?.[1] ?? '0'
  if (!/^[0-9a-fA-F]{1,16}$/.test(version)) throw new CliError(`Error processing ${file}For input string: "${version}" under radix 16`)
  return `${servers.map(([key, value]) => `${key}=${value}\n`).join('')}version=${javaHexLong(BigInt(`0x${version}`))}`
}

export const reconfigCommand = command('reconfig', RECONFIG_OPTION_STR, async (args, io) => {
  const cl = parseOptions(RECONFIG_OPTIONS, args)
  const [file, members, add, remove] = [cl.has('file'), cl.has('members'), cl.has('add'), cl.has('remove')]
  if (!(file || members) && !add && !remove) throw new CliError(`reconfig ${RECONFIG_OPTION_STR}`)
  let fromConfig = -1n
  if (cl.has('v')) {
    try {
      fromConfig = javaParseLong(cl.value('v') ?? '', 16)
    } catch {
      throw new CliError('-v must be followed by a long (configuration version)')
    }
  }
  if ((file || members) && (add || remove)) {
    throw new CliError(
      "Can't use -file or -members together with -add or -remove (mixing incremental and non-incremental modes is not allowed)",
    )
  }
  if (file && members) throw new CliError("Can't use -file and -members together (conflicting non-incremental modes)")
  const request = {
    joining: add ? (cl.value('add') ?? '').toLowerCase() : null,
    leaving: remove ? (cl.value('remove') ?? '').toLowerCase() : null,
    members: members ? (cl.value('members') ?? '').toLowerCase() : file ? await membersFromFile(cl.value('file') ?? '') : null,
    fromConfig,
  }
  let result
  try {
    result = await io.zk.reconfig(request)
  } catch (error) {
    throw keeperAsCliError(error)
  }
  io.println(`Committed new configuration:\n${(result.data ?? Buffer.alloc(0)).toString('utf8')}`)
  if (cl.has('s')) io.println(statLines(result.stat))
  return false
})

export function versionCommand(fullVersion: string): ShellCommand {
  return command('version', '', async (args, io) => {
    const cl = parseOptions({ options: [] }, args)
    if (cl.args.length > 1) throw new CliError('version ')
    io.println(`ZooKeeper CLI version: ${fullVersion}`)
    return false
  })
}

export const closeCommand = command('close', '', async (_args, io) => {
  await io.zk.client.close()
  return false
})
