import { addAuthCommand, getAclCommand, setAclCommand, whoAmICommand } from './acl-commands'
import { closeCommand, configCommand, reconfigCommand, versionCommand } from './admin-commands'
import type { ShellCommand } from './command'
import { delQuotaCommand, listQuotaCommand, setQuotaCommand } from './quota-commands'
import { getAllChildrenNumberCommand, getCommand, getEphemeralsCommand, lsCommand, statCommand, syncCommand } from './read-commands'
import { addWatchCommand, removeWatchesCommand } from './watch-commands'
import { createCommand, deleteAllCommand, deleteCommand, setCommand } from './write-commands'

export type { CommandIo, ShellCommand } from './command'

/** zkCli's CommandFactory: every CliCommand, by name. `version` reports `fullVersion`. */
export function shellCommands(fullVersion: string): ReadonlyMap<string, ShellCommand> {
  const commands = [
    closeCommand,
    createCommand,
    deleteCommand,
    deleteAllCommand,
    setCommand,
    getCommand,
    lsCommand,
    getAclCommand,
    setAclCommand,
    statCommand,
    syncCommand,
    setQuotaCommand,
    listQuotaCommand,
    delQuotaCommand,
    addAuthCommand,
    reconfigCommand,
    configCommand,
    removeWatchesCommand,
    getEphemeralsCommand,
    getAllChildrenNumberCommand,
    versionCommand(fullVersion),
    addWatchCommand,
    whoAmICommand,
  ]
  return new Map(commands.map((entry) => [entry.name, entry]))
}
