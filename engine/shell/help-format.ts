import type { OptionSpec } from './options'

const LEFT_PAD = ' '
const DESCRIPTION_PAD = '   '

/**
 * commons-cli HelpFormatter.printOptions (width 74, left pad 1, description pad 3) for zkCli's short options:
 * sorted by name ignoring case, values shown as `<arg>`, descriptions aligned. No trailing newline.
 */
export function optionTable(options: readonly OptionSpec[]): string {
  const sorted = [...options].sort((a, b) => {
    const left = a.name.toLowerCase()
    const right = b.name.toLowerCase()
    return left < right ? -1 : left > right ? 1 : 0
  })
  const heads = sorted.map((entry) => `${LEFT_PAD}-${entry.name}${entry.hasArg ? ' <arg>' : ''}`)
  const width = Math.max(...heads.map((head) => head.length))
  return sorted
    .map((entry, i) => `${heads[i]!.padEnd(width)}${DESCRIPTION_PAD}${entry.description}`.trimEnd())
    .join('\n')
}

/** CliCommand.getUsageStr in 3.8.6 when a command passes its Options: the syntax line, then the table and a newline. */
export function usageWithOptions(syntax: string, options: readonly OptionSpec[]): string {
  return `${syntax}\n${optionTable(options)}\n`
}
