/**
 * zkCli's JLineZNodeCompleter (3.8.6): completes the line's last word. A word starting with `/` completes to the
 * children of its directory that start with what follows the last `/` (full paths, sorted); any other word, even
 * an empty one after a blank, completes to command names. Failures (no session, no such node) complete to nothing.
 */
export async function completeLine(
  line: string,
  commandNames: readonly string[],
  children: (path: string) => Promise<string[]>,
): Promise<string[]> {
  const word = /(\S*)$/.exec(line)?.[1] ?? ''
  if (!word.startsWith('/')) return commandNames.filter((name) => name.startsWith(word))
  const slash = word.lastIndexOf('/')
  const prefix = word.slice(slash + 1)
  const directory = slash === 0 ? '/' : word.slice(0, slash)
  let names: string[]
  try {
    names = await children(directory)
  } catch {
    return []
  }
  return names
    .filter((name) => name.startsWith(prefix))
    .map((name) => (slash === 0 ? `/${name}` : `${directory}/${name}`))
    .sort()
}
