// Readable times and durations for stats, logs and timelines.

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** False for the zero (or missing) times ZooKeeper gives its own in-memory nodes such as /zookeeper. */
export function isRecordedTime(ms: number): boolean {
  return Number.isFinite(ms) && ms > 0
}

/** `2026-11-25 18:04:05.123` in local time: sortable, unambiguous in every locale. */
export function formatTimestamp(ms: number): string {
  if (!isRecordedTime(ms)) return '—'
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** `18:04:05.123` */
export function formatClock(ms: number): string {
  const d = new Date(ms)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** `1 h 2 min`, `3.4 s`, `250 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** How long ago, from `nowMs`. */
export function formatAge(ms: number, nowMs: number): string {
  return formatDuration(Math.max(0, nowMs - ms))
}
