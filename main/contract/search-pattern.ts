// The query of znodes.search as a test on text: a substring or a JavaScript regular expression, with or without
// case. The contract checks a regex compiles (BAD_ARGUMENTS otherwise); the search service matches with it. No
// imports: the contract and main both use it.

export interface SearchPatternOptions {
  regex: boolean
  caseSensitive: boolean
}

/** Why `query` is not a valid regular expression (the engine's own words), or null when it is. */
export function regexProblem(query: string, caseSensitive: boolean): string | null {
  try {
    new RegExp(query, caseSensitive ? '' : 'i')
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** A predicate on text for the query. Throws SyntaxError for a bad regex (the contract has refused it before). */
export function searchPattern(query: string, options: SearchPatternOptions): (text: string) => boolean {
  if (options.regex) {
    const pattern = new RegExp(query, options.caseSensitive ? '' : 'i')
    return (text) => pattern.test(text)
  }
  if (options.caseSensitive) return (text) => text.includes(query)
  const lower = query.toLowerCase()
  return (text) => text.toLowerCase().includes(lower)
}
