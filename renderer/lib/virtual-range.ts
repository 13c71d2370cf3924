// The rows of a fixed-row-height list that must exist in the DOM for a scroll position.

export interface RowRange {
  /** First row to render (inclusive). */
  start: number
  /** Past the last row to render (exclusive). */
  end: number
}

export function visibleRange(scrollTopPx: number, viewportPx: number, rowPx: number, count: number, overscanRows = 8): RowRange {
  if (count === 0 || rowPx <= 0) return { start: 0, end: 0 }
  const first = Math.floor(Math.max(0, scrollTopPx) / rowPx)
  const shown = Math.ceil(Math.max(viewportPx, rowPx) / rowPx) + 1
  const start = Math.max(0, Math.min(count - 1, first) - overscanRows)
  const end = Math.min(count, first + shown + overscanRows)
  return { start, end }
}

/** The scrollTop that brings `row` into view with the least movement, or null when it is visible already. */
export function scrollToReveal(row: number, scrollTopPx: number, viewportPx: number, rowPx: number): number | null {
  const top = row * rowPx
  if (top < scrollTopPx) return top
  if (top + rowPx > scrollTopPx + viewportPx) return top + rowPx - viewportPx
  return null
}
