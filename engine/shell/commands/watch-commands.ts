import { AddWatchMode, WatcherType } from '../../client'
import type { AddWatchModeValue, WatcherTypeValue } from '../../proto'
import { CliError, asCliError, keeperAsCliError } from '../errors'
import { option, parseOptions } from '../options'
import { command } from './command'

/** addWatch and removewatches. Events of every watch the shell sets go to its one watcher, which prints them. */

const ADD_WATCH_OPTIONS = { options: [option('m', true, '')] }
const ADD_WATCH_USAGE =
  'addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE'
const ADD_WATCH_MODES: ReadonlyMap<string, AddWatchModeValue> = new Map(Object.entries(AddWatchMode))

export const addWatchCommand = command(
  'addWatch',
  ADD_WATCH_USAGE.slice('addWatch '.length),
  async (args, io) => {
    const cl = parseOptions(ADD_WATCH_OPTIONS, args)
    if (cl.args.length !== 2) throw new CliError(ADD_WATCH_USAGE)
    let mode: AddWatchModeValue = AddWatchMode.PERSISTENT_RECURSIVE
    if (cl.has('m')) {
      const chosen = ADD_WATCH_MODES.get((cl.value('m') ?? '').toUpperCase())
      if (chosen === undefined) throw new CliError(ADD_WATCH_USAGE)
      mode = chosen
    }
    try {
      await io.zk.addWatch(cl.args[1]!, mode)
    } catch (error) {
      // Java lets a bad path's IllegalArgumentException escape here (zkCli dies of it).
      throw keeperAsCliError(error)
    }
    return false
  },
)

const REMOVE_WATCHES_OPTIONS = {
  options: [
    option('c', false, 'child watcher type'),
    option('d', false, 'data watcher type'),
    option('a', false, 'any watcher type'),
    option('l', false, 'remove locally when there is no server connection'),
  ],
}

export const removeWatchesCommand = command('removewatches', 'path [-c|-d|-a] [-l]', async (args, io) => {
  const cl = parseOptions(REMOVE_WATCHES_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('removewatches path [-c|-d|-a] [-l]')
  let type: WatcherTypeValue = WatcherType.Any
  if (cl.has('c')) type = WatcherType.Children
  else if (cl.has('d')) type = WatcherType.Data
  try {
    await io.zk.removeAllWatches(cl.args[1]!, type, cl.has('l'))
  } catch (error) {
    throw asCliError(error)
  }
  return true
})
