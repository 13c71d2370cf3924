import type { ShellZk } from '../zk'

/** What a command may touch: the session and zkCli's two streams (System.out / System.err). */
export interface CommandIo {
  readonly zk: ShellZk
  /** `out.println(text)`. */
  println(text: string): void
  /** `out.print(text)`: no newline. */
  print(text: string): void
  /** `err.println(text)`. */
  eprintln(text: string): void
}

/**
 * One zkCli command (a CliCommand subclass): its name and option string (what `usage` lists), its usage text (what
 * a parse error prints: the syntax, plus an option table for the commands that pass their Options), and `run`,
 * which is Java's `parse(args).exec()`. `args` holds the command name first; `run` may change it, as Java does.
 * Returns whether the command set a watch. Failures are thrown: CliError (printed), JavaRuntimeError (printed, as
 * zkCli would die of it), anything else is a bug.
 */
export interface ShellCommand {
  readonly name: string
  readonly optionStr: string
  readonly usage: string
  run(args: string[], io: CommandIo): Promise<boolean>
}

/** A command whose usage text is just `name optionStr`. */
export function command(name: string, optionStr: string, run: ShellCommand['run'], usage?: string): ShellCommand {
  return { name, optionStr, usage: usage ?? `${name} ${optionStr}`, run }
}
