export { Shell, DEFAULT_SERVER, DEFAULT_SESSION_TIMEOUT_MS, SHELL_VERSION, type ShellOptions, type ShellClientOptions } from './shell'
export { splitCommandLine } from './tokenize'
export { watchedEventString } from './events'
export { TerminalOutput, runInteractive, runLines, type TerminalStreams } from './terminal'
