import { CreateMode, ErrorCode, OPEN_ACL_UNSAFE } from '../../client'
import { CliError, IllegalArgumentError, JavaKeeperError, asCliError } from '../errors'
import { javaSplit } from '../java-format'
import { javaParseInt, javaParseLong } from '../java-numbers'
import { option, parseOptions } from '../options'
import { LIMIT_NODE, QUOTA_ROOT, STAT_NODE, StatsTrack, limitPath, quotaPath, statPath } from '../stats-track'
import { visitSubTreeDfs } from '../tree-walk'
import type { ShellZk } from '../zk'
import { type CommandIo, command } from './command'

/**
 * setquota, listquota, delquota: zkCli keeps quotas as nodes under /zookeeper/quota (a limit node and a stat node
 * per quota root, which the server keeps up to date). These make the same requests as Java's, in the same order.
 */

const isNoNode = (error: unknown): boolean => error instanceof JavaKeeperError && error.code === ErrorCode.NONODE

async function createIgnoringExisting(zk: ShellZk, path: string): Promise<void> {
  try {
    await zk.create(path, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
  } catch (error) {
    if (!(error instanceof JavaKeeperError && error.code === ErrorCode.NODEEXISTS)) throw error
  }
}

/** No quota may be set on a node that has a descendant with one. */
async function checkIfChildQuota(io: CommandIo, path: string): Promise<void> {
  const zk = io.zk
  const ownQuotaPath = quotaPath(path)
  try {
    await visitSubTreeDfs(zk, ownQuotaPath, false, async (visited) => {
      let children: string[] = []
      try {
        children = await zk.getChildren(visited, false)
      } catch (error) {
        if (isNoNode(error)) return
        if (!(error instanceof JavaKeeperError)) throw error
        // Java prints the exception (with a stack trace) and goes on as if the node had no children.
        io.eprintln(error.message)
      }
      if (visited !== ownQuotaPath && children.includes(LIMIT_NODE)) {
        throw new IllegalArgumentError(`${path} has a child ${visited.slice(QUOTA_ROOT.length)} which has a quota`)
      }
    })
  } catch (error) {
    if (!isNoNode(error)) throw error
  }
}

/** …nor on a node that has an ancestor with one. */
async function checkIfParentQuota(zk: ShellZk, path: string): Promise<void> {
  const parts = javaSplit(path, '/')
  let current = QUOTA_ROOT
  for (let i = 1; i < parts.length - 1; i++) {
    current += `/${parts[i]}`
    let children: string[]
    try {
      children = await zk.getChildren(current, false)
    } catch (error) {
      if (isNoNode(error)) return
      throw error
    }
    if (children.length === 0) return
    if (current !== quotaPath(path) && children.includes(LIMIT_NODE)) {
      throw new IllegalArgumentError(`${path} has a parent ${current.slice(QUOTA_ROOT.length)} which has a quota`)
    }
  }
}

/** Warnings go to stdout, as Java's System.out.println. */
function checkQuota(io: CommandIo, quota: StatsTrack, stats: StatsTrack): void {
  if ((quota.count > -1n && quota.count < stats.count) || (quota.countHardLimit > -1n && quota.countHardLimit < stats.count)) {
    io.println(`[Warning]: the count quota you create is less than the existing count:${stats.count}`)
  }
  if ((quota.bytes > -1n && quota.bytes < stats.bytes) || (quota.byteHardLimit > -1n && quota.byteHardLimit < stats.bytes)) {
    io.println(`[Warning]: the bytes quota you create is less than the existing bytes:${stats.bytes}`)
  }
}

async function readStats(zk: ShellZk, path: string): Promise<StatsTrack> {
  const { data } = await zk.getData(path, false)
  return new StatsTrack((data ?? Buffer.alloc(0)).toString('utf8'))
}

/** SetQuotaCommand.createQuota (exported: the app's quota service makes the same requests as zkCli). */
export async function createQuota(io: CommandIo, path: string, quota: StatsTrack): Promise<void> {
  const zk = io.zk
  if ((await zk.exists(path, false)) === null) throw new IllegalArgumentError(`${path} does not exist.`)
  await checkIfChildQuota(io, path)
  await checkIfParentQuota(zk, path)
  if ((await zk.exists(QUOTA_ROOT, false)) === null) {
    try {
      await zk.create('/zookeeper', null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
      await zk.create(QUOTA_ROOT, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
    } catch (error) {
      if (!(error instanceof JavaKeeperError && error.code === ErrorCode.NODEEXISTS)) throw error
    }
  }
  let node = QUOTA_ROOT
  for (const part of javaSplit(path, '/').slice(1)) {
    node += `/${part}`
    if ((await zk.exists(node, false)) === null) await createIgnoringExisting(zk, node)
  }
  const limitNode = `${node}/${LIMIT_NODE}`
  const statNode = `${node}/${STAT_NODE}`
  if ((await zk.exists(limitNode, false)) === null) {
    await zk.create(limitNode, Buffer.from(quota.toString()), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
    const stats = new StatsTrack()
    stats.count = 0n
    stats.bytes = 0n
    await zk.create(statNode, Buffer.from(stats.toString()), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
    const stored = await readStats(zk, limitNode)
    checkQuota(io, stored, await readStats(zk, statNode))
    return
  }
  const stored = await readStats(zk, limitNode)
  if (quota.count > -1n) stored.count = quota.count
  if (quota.bytes > -1n) stored.bytes = quota.bytes
  if (quota.countHardLimit > -1n) stored.countHardLimit = quota.countHardLimit
  if (quota.byteHardLimit > -1n) stored.byteHardLimit = quota.byteHardLimit
  checkQuota(io, stored, await readStats(zk, statNode))
  await zk.setData(limitNode, Buffer.from(stored.toString()), -1)
}

const QUOTA_GROUP = ['n', 'b', 'N', 'B']
const SETQUOTA_OPTIONS = {
  options: [
    option('n', true, 'num soft quota'),
    option('b', true, 'bytes soft quota'),
    option('N', true, 'num hard quota'),
    option('B', true, 'bytes hard quota'),
  ],
  group: QUOTA_GROUP,
  groupRequired: true,
}

/** SetQuotaCommand.checkOptionValue: prints why a value is refused and returns undefined. */
function quotaFromOptions(io: CommandIo, value: (name: string) => string | undefined): StatsTrack | undefined {
  const quota = new StatsTrack()
  quota.count = -1n
  quota.bytes = -1n
  quota.countHardLimit = -1n
  quota.byteHardLimit = -1n
  try {
    const count = value('n')
    if (count !== undefined) {
      const parsed = javaParseInt(count)
      if (parsed <= 0) return void io.eprintln('the num quota must be greater than zero')
      quota.count = BigInt(parsed)
    }
    const bytes = value('b')
    if (bytes !== undefined) {
      const parsed = javaParseLong(bytes)
      if (parsed < 0n) return void io.eprintln('the bytes quota must be greater than or equal to zero')
      quota.bytes = parsed
    }
    const countHard = value('N')
    if (countHard !== undefined) {
      const parsed = javaParseInt(countHard)
      if (parsed <= 0) return void io.eprintln('the num quota must be greater than zero')
      quota.countHardLimit = BigInt(parsed)
    }
    const bytesHard = value('B')
    if (bytesHard !== undefined) {
      const parsed = javaParseLong(bytesHard)
      if (parsed < 0n) return void io.eprintln('the bytes quota must be greater than or equal to zero')
      quota.byteHardLimit = parsed
    }
  } catch {
    return void io.eprintln('NumberFormatException happens when parsing the option value')
  }
  return quota
}

export const setQuotaCommand = command('setquota', '-n|-b|-N|-B val path', async (args, io) => {
  const cl = parseOptions(SETQUOTA_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('setquota -n|-b|-N|-B val path')
  const path = cl.args[1]!
  if (path.startsWith(QUOTA_ROOT)) {
    io.eprintln(`cannot set a quota under the path: ${QUOTA_ROOT}`)
    return false
  }
  const quota = quotaFromOptions(io, (name) => (cl.has(name) ? (cl.value(name) ?? '') : undefined))
  if (quota === undefined) return false
  try {
    await createQuota(io, path, quota)
  } catch (error) {
    throw asCliError(error)
  }
  return false
})

const NO_OPTIONS = { options: [] }

export const listQuotaCommand = command('listquota', 'path', async (args, io) => {
  const cl = parseOptions(NO_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('listquota path')
  const path = cl.args[1]!
  try {
    io.eprintln(`absolute path is ${limitPath(path)}`)
    const quota = await readStats(io.zk, limitPath(path))
    const stats = await readStats(io.zk, statPath(path))
    io.println(`Output quota for ${path} ${quota.toString()}`)
    io.println(`Output stat for ${path} ${stats.toString()}`)
  } catch (error) {
    if (isNoNode(error)) io.eprintln(`quota for ${path} does not exist.`)
    else throw asCliError(error)
  }
  return false
})

const DELQUOTA_OPTIONS = {
  options: [
    option('n', false, 'num soft quota'),
    option('b', false, 'bytes soft quota'),
    option('N', false, 'num hard quota'),
    option('B', false, 'bytes hard quota'),
  ],
  group: QUOTA_GROUP,
}

/** DelQuotaCommand.trimProcQuotas: removes quota-tree nodes left without children, upwards. */
async function trimProcQuotas(zk: ShellZk, path: string): Promise<void> {
  for (let node = path; node !== QUOTA_ROOT; node = node.slice(0, node.lastIndexOf('/'))) {
    if ((await zk.getChildren(node, false)).length !== 0) return
    await zk.delete(node, -1)
  }
}

/** DelQuotaCommand.delQuota: without flags removes the whole quota, otherwise resets the chosen limits to -1. */
export async function deleteQuota(io: CommandIo, path: string, flags: readonly string[]): Promise<void> {
  const zk = io.zk
  const limitNode = limitPath(path)
  if ((await zk.exists(limitNode, false)) === null) {
    io.println(`Quota does not exist for ${path}`)
    return
  }
  const stored = await readStats(zk, limitNode)
  if (flags.length === 0) {
    const parent = quotaPath(path)
    for (const child of await zk.getChildren(parent, false)) await zk.delete(`${parent}/${child}`, -1)
    await trimProcQuotas(zk, parent)
    return
  }
  if (flags.includes('n')) stored.count = -1n
  if (flags.includes('b')) stored.bytes = -1n
  if (flags.includes('N')) stored.countHardLimit = -1n
  if (flags.includes('B')) stored.byteHardLimit = -1n
  await zk.setData(limitNode, Buffer.from(stored.toString()), -1)
}

export const delQuotaCommand = command('delquota', '[-n|-b|-N|-B] path', async (args, io) => {
  const cl = parseOptions(DELQUOTA_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('delquota [-n|-b|-N|-B] path')
  const path = cl.args[1]!
  try {
    await deleteQuota(io, path, QUOTA_GROUP.filter((flag) => cl.has(flag)))
  } catch (error) {
    if (isNoNode(error)) io.eprintln(`quota for ${path} does not exist.`)
    else throw asCliError(error)
  }
  return false
})
