// The console's line editing over a terminal (xterm gives keystrokes, not lines): insert, erase, move, history,
// and what to redraw. Pure, so it is tested without a terminal.

export interface LineState {
  line: string
  cursor: number
}

export class LineEditor {
  private line = ''
  private cursor = 0
  private readonly history: string[] = []
  /** Index into history while browsing it; history.length means "the line being typed". */
  private browse = 0
  private draft = ''

  constructor(private readonly maxHistory = 500) {}

  get state(): LineState {
    return { line: this.line, cursor: this.cursor }
  }

  insert(text: string): void {
    const clean = text.replace(/[\r\n]/g, '')
    this.line = this.line.slice(0, this.cursor) + clean + this.line.slice(this.cursor)
    this.cursor += clean.length
  }

  backspace(): void {
    if (this.cursor === 0) return
    this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor)
    this.cursor--
  }

  deleteForward(): void {
    this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1)
  }

  left(): void {
    this.cursor = Math.max(0, this.cursor - 1)
  }

  right(): void {
    this.cursor = Math.min(this.line.length, this.cursor + 1)
  }

  home(): void {
    this.cursor = 0
  }

  end(): void {
    this.cursor = this.line.length
  }

  /** Ctrl+U: forget the whole line. */
  clear(): void {
    this.line = ''
    this.cursor = 0
  }

  set(line: string): void {
    this.line = line
    this.cursor = line.length
  }

  previous(): void {
    if (this.browse === 0) return
    if (this.browse === this.history.length) this.draft = this.line
    this.browse--
    this.set(this.history[this.browse] ?? '')
  }

  next(): void {
    if (this.browse >= this.history.length) return
    this.browse++
    this.set(this.browse === this.history.length ? this.draft : (this.history[this.browse] ?? ''))
  }

  /** Enter: returns the line, remembers it (not blank ones, not a repeat of the last), starts a new one. */
  submit(): string {
    const line = this.line
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line)
      if (this.history.length > this.maxHistory) this.history.shift()
    }
    this.browse = this.history.length
    this.draft = ''
    this.clear()
    return line
  }

  /**
   * Tab: given the shell's candidates for the current line, completes to their longest common prefix. Returns the
   * candidates to list when there is more than one and nothing could be added.
   */
  complete(candidates: readonly string[]): string[] {
    if (candidates.length === 0) return []
    const words = this.line.slice(0, this.cursor)
    const start = words.lastIndexOf(' ') + 1
    const typed = words.slice(start)
    let common = candidates[0]!
    for (const candidate of candidates) {
      let i = 0
      while (i < common.length && i < candidate.length && common[i] === candidate[i]) i++
      common = common.slice(0, i)
    }
    if (common.length > typed.length && common.startsWith(typed)) {
      const suffix = candidates.length === 1 && !common.endsWith('/') ? `${common.slice(typed.length)} ` : common.slice(typed.length)
      this.insert(suffix)
      return []
    }
    return candidates.length > 1 ? [...candidates] : []
  }

  /** The escape sequence that redraws the line after `prompt` with the cursor in place. */
  render(prompt: string): string {
    const back = this.line.length - this.cursor
    return `\r\x1b[2K${prompt}${this.line}${back > 0 ? `\x1b[${back}D` : ''}`
  }
}
