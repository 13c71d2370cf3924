import { CreateMode, ErrorCode, OPEN_ACL_UNSAFE } from '../../client'
import { MAX_TTL_MS } from '../../proto'
import { parseAcl } from '../acl-parser'
import { decodeJavaBase64 } from '../data-format'
import { CliError, JavaKeeperError, asCliError } from '../errors'
import { usageWithOptions } from '../help-format'
import { statLines } from '../java-format'
import { javaParseInt, javaParseLong } from '../java-numbers'
import { option, parseOptions } from '../options'
import { deleteRecursive } from '../tree-walk'
import { type ShellCommand, command } from './command'

/** The commands that change nodes: create, set, delete, deleteall. */

const CREATE_OPTIONS = {
  options: [option('e', false, 'ephemeral'), option('s', false, 'sequential'), option('c', false, 'container'), option('t', true, 'ttl')],
}
const CREATE_USAGE = 'create [-s] [-e] [-c] [-t ttl] path [data] [acl]'

function createMode(ephemeral: boolean, sequential: boolean, container: boolean, ttl: boolean): number {
  if (ephemeral) return sequential ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL
  if (sequential) return ttl ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_SEQUENTIAL
  if (container) return CreateMode.CONTAINER
  return ttl ? CreateMode.PERSISTENT_WITH_TTL : CreateMode.PERSISTENT
}

export const createCommand = command('create', '[-s] [-e] [-c] [-t ttl] path [data] [acl]', async (args, io) => {
  const cl = parseOptions(CREATE_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError(CREATE_USAGE)
  const [ephemeral, sequential, container, hasTtl] = [cl.has('e'), cl.has('s'), cl.has('c'), cl.has('t')]
  if (container && (ephemeral || sequential)) {
    throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.')
  }
  let ttl: bigint | undefined
  if (hasTtl) {
    try {
      ttl = javaParseLong(cl.value('t') ?? '')
    } catch {
      throw new CliError('-t argument must be a long value')
    }
  }
  if (hasTtl && ephemeral) throw new CliError('TTLs cannot be used with Ephemeral znodes')
  if (hasTtl && container) throw new CliError('TTLs cannot be used with Container znodes')
  // EphemeralType.TTL.toEphemeralOwner's range check.
  if (ttl !== undefined && (ttl <= 0n || ttl > MAX_TTL_MS)) {
    throw new CliError(`ttl must be positive and cannot be larger than: ${MAX_TTL_MS}`)
  }
  const mode = createMode(ephemeral, sequential, container, hasTtl)
  const path = cl.args[1]!
  const data = cl.args.length > 2 ? Buffer.from(cl.args[2]!, 'utf8') : null
  const acl = cl.args.length > 3 ? parseAcl(cl.args[3]!, (line) => io.eprintln(line)) : OPEN_ACL_UNSAFE
  try {
    const created = await io.zk.create(path, data, acl, mode, ttl)
    io.eprintln(`Created ${created}`)
  } catch (error) {
    if (error instanceof JavaKeeperError && error.code === ErrorCode.EPHEMERALONLOCALSESSION) {
      io.eprintln('Unable to create ephemeral node on a local session')
    } else if (error instanceof JavaKeeperError && error.code === ErrorCode.INVALIDACL) {
      io.eprintln(error.message)
    }
    throw asCliError(error)
  }
  return true
})

const SET_OPTIONS = {
  options: [
    option('s', false, 'Print znode stats additionally'),
    option('v', true, 'Set with an expected version'),
    option('b', false, 'Supply data in base64 format'),
  ],
}
const SET_OPTION_STR = 'path data [-s] [-v version] [-b]'
const SET_USAGE = usageWithOptions(`set ${SET_OPTION_STR}`, SET_OPTIONS.options)

export const setCommand: ShellCommand = command(
  'set',
  SET_OPTION_STR,
  async (args, io) => {
    const cl = parseOptions(SET_OPTIONS, args)
    if (cl.args.length < 3) throw new CliError(SET_USAGE)
    const path = cl.args[1]!
    const data = cl.has('b') ? decodeJavaBase64(cl.args[2]!) : Buffer.from(cl.args[2]!, 'utf8')
    const version = cl.has('v') ? javaParseInt(cl.value('v') ?? '') : -1
    try {
      const stat = await io.zk.setData(path, data, version)
      if (cl.has('s')) io.println(statLines(stat))
    } catch (error) {
      throw asCliError(error)
    }
    return false
  },
  SET_USAGE,
)

const DELETE_OPTIONS = { options: [option('v', true, 'version')] }

export const deleteCommand = command('delete', '[-v version] path', async (args, io) => {
  let cl = parseOptions(DELETE_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('delete [-v version] path')
  if (cl.args.length > 2) {
    // zkCli warns about the 3.4 form `delete path version`, then ignores the version word.
    io.eprintln("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.")
    cl = parseOptions(DELETE_OPTIONS, args)
  }
  const version = cl.has('v') ? javaParseInt(cl.value('v') ?? '') : -1
  try {
    await io.zk.delete(cl.args[1]!, version)
  } catch (error) {
    throw asCliError(error)
  }
  return false
})

const DELETEALL_OPTIONS = { options: [option('b', true, 'batch size')] }

export const deleteAllCommand = command('deleteall', 'path [-b batch size]', async (args, io) => {
  const cl = parseOptions(DELETEALL_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('deleteall path [-b batch size]')
  let batchSize = 1000
  if (cl.has('b')) {
    try {
      batchSize = javaParseInt(cl.value('b') ?? '')
    } catch {
      throw new CliError('-b argument must be an int value')
    }
  }
  try {
    if (!(await deleteRecursive(io.zk, cl.args[1]!, batchSize))) io.eprintln('Failed to delete some node(s) in the subtree!')
  } catch (error) {
    throw asCliError(error)
  }
  return false
})
