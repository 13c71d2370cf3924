// Turns per-member time series into uPlot's aligned columns: one shared x (whole seconds), one y column per member
// (null where a member had no sample that second).

export interface LineSeries {
  label: string
  color: string
  /** Seconds since the epoch. */
  x: readonly number[]
  y: readonly (number | null)[]
}

export type AlignedData = [number[], ...(number | null)[][]]

export function alignSeries(series: readonly LineSeries[], sinceSeconds = 0): AlignedData {
  const times = new Set<number>()
  for (const one of series) for (const x of one.x) if (x >= sinceSeconds) times.add(Math.round(x))
  const xs = [...times].sort((a, b) => a - b)
  const index = new Map(xs.map((x, i) => [x, i]))
  const columns = series.map((one) => {
    const column = new Array<number | null>(xs.length).fill(null)
    for (let i = 0; i < one.x.length; i++) {
      const at = index.get(Math.round(one.x[i]!))
      if (at !== undefined) column[at] = one.y[i] ?? null
    }
    return column
  })
  return [xs, ...columns]
}

/** A stable colour per member index. */
export const SERIES_COLOURS = ['#2f6fec', '#1f8a4c', '#d07b18', '#8e44ad', '#c62f3b', '#16a2b8', '#6b7280', '#b7791f', '#e84393']

/** An event drawn as a vertical mark on a chart. */
export interface ChartMark {
  /** Seconds since the epoch. */
  time: number
  color: string
  label: string
}
