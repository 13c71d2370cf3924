import { parseAcl } from '../acl-parser'
import { CliError, JavaKeeperError, asCliError } from '../errors'
import { aclEntryString, statLines } from '../java-format'
import { javaParseInt } from '../java-numbers'
import { option, parseOptions } from '../options'
import { visitSubTreeDfs } from '../tree-walk'
import { command } from './command'

/** getAcl, setAcl, addauth, whoami. */

const GETACL_OPTIONS = { options: [option('s', false, 'stats')] }

export const getAclCommand = command('getAcl', '[-s] path', async (args, io) => {
  const cl = parseOptions(GETACL_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('getAcl [-s] path')
  let result
  try {
    result = await io.zk.getACL(cl.args[1]!)
  } catch (error) {
    throw asCliError(error)
  }
  for (const entry of result.acl) io.println(aclEntryString(entry))
  if (cl.has('s')) io.println(statLines(result.stat))
  return false
})

const SETACL_OPTIONS = { options: [option('s', false, 'stats'), option('v', true, 'version'), option('R', false, 'recursive')] }

export const setAclCommand = command('setAcl', '[-s] [-v version] [-R] path acl', async (args, io) => {
  const cl = parseOptions(SETACL_OPTIONS, args)
  if (cl.args.length < 3) throw new CliError('setAcl [-s] [-v version] [-R] path acl')
  const path = cl.args[1]!
  const acl = parseAcl(cl.args[2]!, (line) => io.eprintln(line))
  const version = cl.has('v') ? javaParseInt(cl.value('v') ?? '') : -1
  try {
    if (cl.has('R')) {
      // Java prints each node's failure with print(), without a newline, and goes on with the walk.
      await visitSubTreeDfs(io.zk, path, false, async (node) => {
        try {
          await io.zk.setACL(node, acl, version)
        } catch (error) {
          if (!(error instanceof JavaKeeperError)) throw error
          io.print(error.message)
        }
      })
    } else {
      const stat = await io.zk.setACL(path, acl, version)
      if (cl.has('s')) io.println(statLines(stat))
    }
  } catch (error) {
    throw asCliError(error)
  }
  return false
})

const NO_OPTIONS = { options: [] }

export const addAuthCommand = command('addauth', 'scheme auth', async (args, io) => {
  const cl = parseOptions(NO_OPTIONS, args)
  if (cl.args.length < 2) throw new CliError('addauth scheme auth')
  io.zk.addAuthInfo(cl.args[1]!, cl.args.length >= 3 ? Buffer.from(cl.args[2]!, 'utf8') : null)
  return false
})

export const whoAmICommand = command('whoami', '', async (_args, io) => {
  const identities = await io.zk.whoAmI()
  io.println('Auth scheme: User')
  for (const identity of identities ?? []) io.println(`${identity.authScheme}: ${identity.user}`)
  return false
})
