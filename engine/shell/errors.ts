import { ErrorCode, errorMessage } from '../proto'

/**
 * zkCli's CliException family (CliParseException, MalformedCommandException, MalformedPathException,
 * CliWrapperException, CommandNotFoundException): the shell prints the message on stderr and remembers the exit code.
 */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/** A commons-cli ParseException wrapped by CliParseException: Java prints the cause's toString(). */
export function parseError(exceptionClass: string, message: string): CliError {
  return new CliError(`org.apache.commons.cli.${exceptionClass}: ${message}`)
}

/**
 * A Java runtime exception zkCli does not catch (NumberFormatException from `-v abc`, IllegalArgumentException from
 * `addWatch relative/path`): Java's shell dies with a stack trace; ours prints `toString()` and carries on.
 */
export class JavaRuntimeError extends Error {
  override name = 'JavaRuntimeError'
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(message)
  }

  override toString(): string {
    return `${this.javaClass}: ${this.message}`
  }
}

/** `IllegalArgumentException`: most commands catch it (bad paths) and print its message as MalformedPathException. */
export class IllegalArgumentError extends JavaRuntimeError {
  constructor(message: string) {
    super('java.lang.IllegalArgumentException', message)
  }
}

export function numberFormatError(message: string): JavaRuntimeError {
  return new JavaRuntimeError('java.lang.NumberFormatException', message)
}

/**
 * Java's KeeperException as zkCli sees it, with the path Java's client attaches (the client path for most calls,
 * none for getEphemerals and client-side ACL checks): `KeeperErrorCode = NoNode for /a`.
 */
export class JavaKeeperError extends Error {
  override name = 'JavaKeeperError'
  constructor(
    readonly code: number,
    readonly path: string | undefined,
  ) {
    const text = errorMessage(code)
    super(path === undefined || path === '' ? `KeeperErrorCode = ${text}` : `KeeperErrorCode = ${text} for ${path}`)
  }
}

/** The friendlier texts of CliWrapperException; other codes print the KeeperException message. */
const WRAPPER_PREFIXES: ReadonlyMap<number, string> = new Map([
  [ErrorCode.NONODE, 'Node does not exist: '],
  [ErrorCode.NOCHILDRENFOREPHEMERALS, 'Ephemerals cannot have children: '],
  [ErrorCode.NODEEXISTS, 'Node already exists: '],
  [ErrorCode.NOTEMPTY, 'Node not empty: '],
  [ErrorCode.NOTREADONLY, 'Not a read-only call: '],
  [ErrorCode.INVALIDACL, 'Acl is not valid : '],
  [ErrorCode.NOAUTH, 'Insufficient permission : '],
  [ErrorCode.BADARGUMENTS, 'Arguments are not valid : '],
  [ErrorCode.BADVERSION, 'version No is not valid : '],
  [ErrorCode.QUOTAEXCEEDED, 'Quota has exceeded : '],
])

/** `new CliWrapperException(keeperException).getMessage()`. */
export function wrapperMessage(error: JavaKeeperError): string {
  const prefix = WRAPPER_PREFIXES.get(error.code)
  if (prefix !== undefined) return prefix + (error.path ?? 'null')
  if (error.code === ErrorCode.RECONFIGINPROGRESS) {
    return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)'
  }
  if (error.code === ErrorCode.NEWCONFIGNOQUORUM) {
    return (
      'No quorum of new config is connected and up-to-date with the leader of last commmitted config - try ' +
      'invoking reconfiguration after new servers are connected and synced'
    )
  }
  return error.message
}

/**
 * The catch blocks most zkCli commands end with: IllegalArgumentException → MalformedPathException (its message),
 * KeeperException → CliWrapperException. Anything else is rethrown unchanged.
 */
export function asCliError(error: unknown): unknown {
  if (error instanceof IllegalArgumentError) return new CliError(error.message)
  if (error instanceof JavaKeeperError) return new CliError(wrapperMessage(error))
  return error
}

/** Like asCliError, for the commands whose Java code lets IllegalArgumentException escape (addWatch, config). */
export function keeperAsCliError(error: unknown): unknown {
  if (error instanceof JavaKeeperError) return new CliError(wrapperMessage(error))
  return error
}
