import { open, stat } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { LineSplitter } from './apache-zab-log'

const CHUNK = 256 * 1024

/**
 * Follows a log file another process appends to (an Apache member's zookeeper.log), like `tail -F` from where it
 * ended at start: every `intervalMs` it reads what was appended and hands over whole lines. A file that shrank was
 * replaced: reading starts over. Polling (not fs.watch) because it behaves the same on every platform and costs one
 * stat per interval.
 */
export class LogTail {
  private position = 0
  private timer: NodeJS.Timeout | undefined
  private reading: Promise<void> = Promise.resolve()
  private readonly decoder = new StringDecoder('utf8')
  private readonly lines = new LineSplitter()
  private stopped = false

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    private readonly intervalMs = 200,
  ) {}

  /** Starts at the file's current end (what earlier runs wrote is not this run's). */
  async start(): Promise<void> {
    this.position = await stat(this.file).then(
      (info) => info.size,
      () => 0,
    )
    this.schedule()
  }

  /** Reads what is left, hands over the last unfinished line too, and stops. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.readMore()
    for (const line of this.lines.push(this.decoder.end())) this.deliver(line)
    for (const line of this.lines.end()) this.deliver(line)
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.readMore().finally(() => this.schedule())
    }, this.intervalMs)
    this.timer.unref()
  }

  private readMore(): Promise<void> {
    this.reading = this.reading.then(() => this.readAppended()).catch(() => undefined)
    return this.reading
  }

  private async readAppended(): Promise<void> {
    let size: number
    try {
      size = (await stat(this.file)).size
    } catch {
      return
    }
    if (size < this.position) this.position = 0
    if (size === this.position) return
    const handle = await open(this.file, 'r')
    try {
      const buffer = Buffer.allocUnsafe(CHUNK)
      while (this.position < size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - this.position), this.position)
        if (bytesRead === 0) break
        this.position += bytesRead
        for (const line of this.lines.push(this.decoder.write(buffer.subarray(0, bytesRead)))) this.deliver(line)
      }
    } finally {
      await handle.close()
    }
  }

  private deliver(line: string): void {
    try {
      this.onLine(line)
    } catch {
      // a consumer's bug must not stop the tail
    }
  }
}
