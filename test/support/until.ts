// Polls a probe until its value is what a test waits for; a timeout names what was awaited, the last value seen and
// the last error (a probe may fail while a server restarts or an election runs).

export async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: T | undefined
  let lastError: unknown
  while (performance.now() < deadline) {
    try {
      last = await probe()
      if (done(last)) return last
    } catch (error) {
      lastError = error
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))} ${String(lastError ?? '')}`)
}
