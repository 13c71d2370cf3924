// Counts as the system formats them ("100,000"), with one formatter: Number.toLocaleString builds a new one on every
// call, which a list formatting 50 rows a frame pays for.

let formatter: Intl.NumberFormat | null = null

export function formatCount(value: number): string {
  formatter ??= new Intl.NumberFormat()
  return formatter.format(value)
}
