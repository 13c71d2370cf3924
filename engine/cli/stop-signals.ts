import { ExitCode } from './support'

/** A pending request to stop, from SIGINT/SIGTERM (or, in tests, from anything else). */
export interface StopRequest {
  /** Resolves with the signal name when the command should stop. */
  readonly requested: Promise<string>
  /** Stops listening (the command ended by itself). */
  dispose(): void
}

/**
 * The first SIGINT or SIGTERM asks for a clean stop; a second one, while that stop is running, exits at once with
 * a line on stderr — a user pressing Ctrl-C twice wants out, and members of a cluster die with us anyway.
 */
export function listenForStopSignals(commandName: string, writeErr: (text: string) => void = (text) => process.stderr.write(text)): StopRequest {
  let onSignal: (signal: NodeJS.Signals) => void = () => {}
  const requested = new Promise<string>((resolve) => {
    onSignal = (signal) => {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
      const force = () => {
        writeErr(`zoodesk ${commandName}: second ${signal}, exiting without a clean stop\n`)
        process.exit(signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.failure)
      }
      process.once('SIGINT', force)
      process.once('SIGTERM', force)
      resolve(signal)
    }
  })
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    requested,
    dispose() {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    },
  }
}
