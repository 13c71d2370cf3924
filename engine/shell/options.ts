import { parseError } from './errors'
import { isJavaDouble } from './java-numbers'

/**
 * The subset of Apache commons-cli 1.5 `DefaultParser` that zkCli's commands use: short options only (some with
 * multi-letter names, like reconfig's `-members`), at most one value each, and one optional group of mutually
 * exclusive options (setquota's is required). Tokens that are not options become positional arguments wherever
 * they appear, `--` ends option parsing, `-sw` bundles flags and `-v5` glues a value, as commons-cli does; its
 * errors come back as the same exception texts.
 */

export interface OptionSpec {
  readonly name: string
  readonly hasArg: boolean
  readonly description: string
}

export interface OptionsSpec {
  readonly options: readonly OptionSpec[]
  /** Names of the options in the command's one OptionGroup, in the order they were added. */
  readonly group?: readonly string[]
  readonly groupRequired?: boolean
}

export interface ParsedOptions {
  /** Positional arguments, the command name first. */
  readonly args: string[]
  has(name: string): boolean
  /** The option's first value, like CommandLine.getOptionValue. */
  value(name: string): string | undefined
}

export function option(name: string, hasArg: boolean, description: string): OptionSpec {
  return { name, hasArg, description }
}

interface Occurrence {
  readonly spec: OptionSpec
  readonly values: string[]
}

function stripLeadingHyphens(text: string): string {
  if (text.startsWith('--')) return text.slice(2)
  if (text.startsWith('-')) return text.slice(1)
  return text
}

/** commons-cli's Util.stripLeadingAndTrailingQuotes, applied to values given as their own token. */
function stripQuotes(text: string): string {
  if (text.length > 1 && text.startsWith('"') && text.endsWith('"') && !text.slice(1, -1).includes('"')) {
    return text.slice(1, -1)
  }
  return text
}

class Parser {
  private readonly byName = new Map<string, OptionSpec>()
  private readonly occurrences: Occurrence[] = []
  private readonly args: string[] = []
  private current: Occurrence | undefined
  private skipParsing = false
  private selected: string | undefined

  constructor(private readonly spec: OptionsSpec) {
    for (const entry of spec.options) this.byName.set(entry.name, entry)
  }

  parse(tokens: readonly string[]): ParsedOptions {
    for (const token of tokens) this.handleToken(token)
    this.checkRequiredArgs()
    if (this.spec.groupRequired === true && this.selected === undefined) {
      const names = (this.spec.group ?? []).map((name) => `-${name} ${this.byName.get(name)?.description ?? ''}`)
      throw parseError('MissingOptionException', `Missing required option: [${names.join(', ')}]`)
    }
    const occurrences = this.occurrences
    return {
      args: this.args,
      has: (name) => occurrences.some((occurrence) => occurrence.spec.name === name),
      value: (name) => occurrences.filter((occurrence) => occurrence.spec.name === name).flatMap((o) => o.values)[0],
    }
  }

  private hasShort(name: string): boolean {
    return this.byName.has(stripLeadingHyphens(name))
  }

  private acceptsArg(occurrence: Occurrence): boolean {
    return occurrence.spec.hasArg && occurrence.values.length < 1
  }

  private handleToken(token: string): void {
    const current = this.current
    if (this.skipParsing) this.args.push(token)
    else if (token === '--') this.skipParsing = true
    else if (current !== undefined && this.acceptsArg(current) && this.isArgument(token)) current.values.push(stripQuotes(token))
    else if (token.startsWith('--')) this.unknown(token)
    else if (token.startsWith('-') && token !== '-') this.handleShortOption(token)
    else this.args.push(token)
    if (this.current !== undefined && !this.acceptsArg(this.current)) this.current = undefined
  }

  /** A token is an option's value unless it looks like one of the options (a negative number never does). */
  private isArgument(token: string): boolean {
    return !this.isShortOption(token) || isJavaDouble(token)
  }

  private isShortOption(token: string): boolean {
    if (!token.startsWith('-') || token.length === 1) return false
    const equals = token.indexOf('=')
    const name = equals === -1 ? token.slice(1) : token.slice(1, equals)
    return this.hasShort(name) || (name.length > 0 && this.hasShort(name.charAt(0)))
  }

  private handleShortOption(token: string): void {
    const text = token.slice(1)
    const equals = text.indexOf('=')
    if (text.length === 1) {
      if (this.hasShort(text)) this.handleOption(text)
      else this.unknown(token)
    } else if (equals === -1) {
      if (this.hasShort(text)) this.handleOption(text)
      else this.handleConcatenated(token)
    } else {
      const name = text.slice(0, equals)
      const spec = name.length === 1 ? this.byName.get(name) : undefined
      if (spec === undefined || !spec.hasArg) return this.unknown(token)
      this.handleOption(name)
      this.current?.values.push(text.slice(equals + 1))
      this.current = undefined
    }
  }

  /** `-sw` is -s and -w; `-v5` is -v with the value 5; an unknown letter rejects the whole token. */
  private handleConcatenated(token: string): void {
    for (let i = 1; i < token.length; i++) {
      const letter = token.charAt(i)
      if (!this.hasShort(letter)) return this.unknown(token)
      this.handleOption(letter)
      if (this.current !== undefined && token.length !== i + 1) {
        this.current.values.push(token.slice(i + 1))
        return
      }
    }
  }

  private handleOption(name: string): void {
    this.checkRequiredArgs()
    const spec = this.byName.get(stripLeadingHyphens(name))!
    if (this.spec.group?.includes(spec.name) === true) {
      if (this.selected !== undefined && this.selected !== spec.name) {
        throw parseError(
          'AlreadySelectedException',
          `The option '${spec.name}' was specified but an option from this group has already been selected: '${this.selected}'`,
        )
      }
      this.selected = spec.name
    }
    const occurrence: Occurrence = { spec, values: [] }
    this.occurrences.push(occurrence)
    this.current = spec.hasArg ? occurrence : undefined
  }

  private checkRequiredArgs(): void {
    const current = this.current
    if (current !== undefined && this.acceptsArg(current)) {
      throw parseError('MissingArgumentException', `Missing argument for option: ${current.spec.name}`)
    }
  }

  private unknown(token: string): never {
    throw parseError('UnrecognizedOptionException', `Unrecognized option: ${token}`)
  }
}

/** `new DefaultParser().parse(options, tokens)`; throws the CliError zkCli prints for a ParseException. */
export function parseOptions(spec: OptionsSpec, tokens: readonly string[]): ParsedOptions {
  return new Parser(spec).parse(tokens)
}
