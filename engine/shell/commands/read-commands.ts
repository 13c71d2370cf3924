import { CliError, JavaKeeperError, asCliError } from '../errors'
import { ErrorCode } from '../../client'
import { formatData } from '../data-format'
import { optionTable, usageWithOptions } from '../help-format'
import { javaListString, statLines } from '../java-format'
import { type ParsedOptions, option, parseOptions } from '../options'
import { visitSubTreeDfs } from '../tree-walk'
import { type CommandIo, type ShellCommand, command } from './command'

/**
 * The commands that only read: ls, get, stat, getAllChildrenNumber, getEphemerals, sync. `get`, `ls` and `stat`
 * still accept zkCli 3.4's `cmd path watch` form: any third word becomes `-w`, with a deprecation warning.
 */

/** Java's retainCompatibility: the raw word at index 2 is replaced by -w (whatever it was) and the line reparsed. */
function withLegacyWatch(
  args: string[],
  parsed: ParsedOptions,
  reparse: (args: string[]) => ParsedOptions,
  warning: string,
  io: CommandIo,
): ParsedOptions {
  if (parsed.args.length <= 2) return parsed
  args[2] = '-w'
  io.eprintln(warning)
  return reparse(args)
}

const LS_OPTIONS = {
  options: [option('?', false, 'help'), option('s', false, 'stat'), option('w', false, 'watch'), option('R', false, 'recurse')],
}
const LS_SYNTAX = 'ls [-s] [-w] [-R] path'

export const lsCommand = command('ls', '[-s] [-w] [-R] path', async (args, io) => {
  const reparse = (words: string[]): ParsedOptions => parseOptions(LS_OPTIONS, words)
  let cl = reparse(args)
  if (cl.has('?')) io.println(`usage: ls [options] path\n${optionTable(LS_OPTIONS.options)}`)
  cl = withLegacyWatch(args, cl, reparse, "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.", io)
  if (cl.args.length < 2) throw new CliError(LS_SYNTAX)
  const path = cl.args[1]!
  const watch = cl.has('w')
  try {
    if (cl.has('R')) {
      await visitSubTreeDfs(io.zk, path, watch, (visited) => io.println(visited))
    } else if (cl.has('s')) {
      const { children, stat } = await io.zk.getChildrenWithStat(path, watch)
      io.println(`[${children.sort().join(', ')}]`)
      io.println(statLines(stat))
    } else {
      const children = await io.zk.getChildren(path, watch)
      io.println(`[${children.sort().join(', ')}]`)
    }
  } catch (error) {
    throw asCliError(error)
  }
  return watch
})

const GET_OPTIONS = {
  options: [
    option('s', false, 'Print znode stats additionally'),
    option('w', false, 'Watch for changes on the znode'),
    option('b', false, 'Output data in base64 format'),
    option('x', false, 'Output data in hexdump format'),
  ],
}
const GET_OPTION_STR = '[-s] [-w] [-b] [-x] path'
const GET_USAGE = usageWithOptions(`get ${GET_OPTION_STR}`, GET_OPTIONS.options)

export const getCommand = command(
  'get',
  GET_OPTION_STR,
  async (args, io) => {
    const reparse = (words: string[]): ParsedOptions => parseOptions(GET_OPTIONS, words)
    let cl = reparse(args)
    if (cl.args.length < 2) throw new CliError(GET_USAGE)
    cl = withLegacyWatch(args, cl, reparse, "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.", io)
    const path = cl.args[1]!
    const watch = cl.has('w')
    let result
    try {
      result = await io.zk.getData(path, watch)
    } catch (error) {
      throw asCliError(error)
    }
    const format = cl.has('x') ? 'hexdump' : cl.has('b') ? 'base64' : 'text'
    io.println(formatData(result.data ?? Buffer.from('null'), format))
    if (cl.has('s')) io.println(statLines(result.stat))
    return watch
  },
  GET_USAGE,
)

const STAT_OPTIONS = { options: [option('w', false, 'watch')] }

export const statCommand = command('stat', '[-w] path', async (args, io) => {
  const reparse = (words: string[]): ParsedOptions => parseOptions(STAT_OPTIONS, words)
  let cl = reparse(args)
  if (cl.args.length < 2) throw new CliError('stat [-w] path')
  cl = withLegacyWatch(args, cl, reparse, "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.", io)
  const path = cl.args[1]!
  const watch = cl.has('w')
  let stat
  try {
    stat = await io.zk.exists(path, watch)
  } catch (error) {
    throw asCliError(error)
  }
  if (stat === null) throw asCliError(new JavaKeeperError(ErrorCode.NONODE, path))
  io.println(statLines(stat))
  return watch
})

const NO_OPTIONS = { options: [] }

export const getAllChildrenNumberCommand = command('getAllChildrenNumber', 'path', async (args, io) => {
  const cl = parseOptions(NO_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('getAllChildrenNumber path')
  try {
    io.println(String(await io.zk.getAllChildrenNumber(cl.args[1]!)))
  } catch (error) {
    throw asCliError(error)
  }
  return false
})

export const getEphemeralsCommand = command('getEphemerals', 'path', async (args, io) => {
  const cl = parseOptions(NO_OPTIONS, args)
  try {
    io.println(javaListString(await io.zk.getEphemerals(cl.args[1] ?? '/')))
  } catch (error) {
    throw asCliError(error)
  }
  return false
})

export const syncCommand = command('sync', 'path', async (args, io) => {
  const cl = parseOptions(NO_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('sync path')
  let code
  try {
    code = await io.zk.sync(cl.args[1]!)
  } catch (error) {
    throw asCliError(error)
  }
  io.println(code === ErrorCode.OK ? 'Sync is OK' : `Sync has failed. rc=${code}`)
  return false
})
