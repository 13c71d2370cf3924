import { type Interface, clearLine, createInterface, cursorTo } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { Shell } from './shell'

/**
 * Terminal front ends for a Shell (the Shell itself knows nothing of readline): an interactive one with zkCli's
 * prompt, line editing, history and Tab completion, and a plain one that executes the lines of a script or pipe.
 */

export interface TerminalStreams {
  /** Keys typed (a TTY's stdin). */
  readonly input: Readable
  /** Where the prompt and the edited line are drawn (a TTY's stdout). */
  readonly output: Writable
}

/**
 * Where the shell writes. While the prompt waits for input, output that arrives (watch events, a new session
 * state) is written above it, and the prompt is redrawn with what was typed so far, instead of being garbled.
 */
export class TerminalOutput {
  private reader: Interface | undefined
  private prompt: () => string = () => ''
  /** True while the prompt is shown and nothing is executing. */
  waiting = false

  constructor(
    private readonly output: Writable,
    private readonly errorOutput: Writable,
  ) {}

  readonly out = (text: string): void => this.write(this.output, text)
  readonly err = (text: string): void => this.write(this.errorOutput, text)

  attach(reader: Interface, prompt: () => string): void {
    this.reader = reader
    this.prompt = prompt
  }

  /** Shows the prompt, current as of now (its session state and command count change). */
  showPrompt(): void {
    if (this.reader === undefined) return
    this.reader.setPrompt(this.prompt())
    this.waiting = true
    this.reader.prompt(true)
  }

  private write(stream: Writable, text: string): void {
    const reader = this.reader
    if (!this.waiting || reader === undefined) {
      stream.write(text)
      return
    }
    clearLine(this.output, 0)
    cursorTo(this.output, 0)
    stream.write(text)
    reader.setPrompt(this.prompt())
    reader.prompt(true)
  }
}

function lastWord(line: string): string {
  return /(\S*)$/.exec(line)?.[1] ?? ''
}

/**
 * Reads commands with a prompt until `quit`, end of input (Ctrl-D) or Ctrl-C on an empty line; Ctrl-C with text
 * typed discards the text. Tab completes command names and znode paths.
 */
export async function runInteractive(shell: Shell, terminal: TerminalOutput, streams: TerminalStreams): Promise<void> {
  const reader = createInterface({
    input: streams.input,
    output: streams.output,
    terminal: true,
    historySize: 1000,
    completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
      shell.complete(line).then(
        (hits) => {
          // JLine ends a unique command completion with a blank, ready for the path.
          const word = lastWord(line)
          const finished = hits.length === 1 && !word.startsWith('/') ? [`${hits[0]} `] : hits
          callback(null, [finished, word])
        },
        () => callback(null, [[], line]),
      )
    },
  })
  terminal.attach(reader, () => shell.prompt)
  reader.on('SIGINT', () => {
    if (reader.line.length === 0) {
      reader.close()
      return
    }
    streams.output.write('^C\n')
    reader.write(null, { ctrl: true, name: 'e' })
    reader.write(null, { ctrl: true, name: 'u' })
    terminal.showPrompt()
  })
  terminal.showPrompt()
  for await (const line of reader) {
    terminal.waiting = false
    await shell.execute(line)
    if (shell.quitRequested) break
    terminal.showPrompt()
  }
  terminal.waiting = false
  reader.close()
}

/** Executes each line of `input` (a script or a pipe) without a prompt, until `quit` or the end of input. */
export async function runLines(shell: Shell, input: Readable): Promise<void> {
  const reader = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const line of reader) {
      await shell.execute(line)
      if (shell.quitRequested) break
    }
  } finally {
    reader.close()
  }
}
