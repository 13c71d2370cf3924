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

/** How many rows a list can show at most for a viewport height: the size of its pool of row elements. */
export function poolSize(viewportPx: number, rowPx: number, overscanRows = 8): number {
  if (rowPx <= 0) return 0
  return Math.ceil(Math.max(viewportPx, rowPx) / rowPx) + 1 + 2 * overscanRows
}

export interface PoolSlot {
  /** The element's place in the pool: stays with the element while the list scrolls. */
  key: number
  /** The row the element shows now. */
  index: number
}

/**
 * The rows of `range` laid out on a pool of `size` elements, in pool order. Row i always lands on element i % size,
 * so a row that stays in view keeps its element, a row scrolled in takes the element of one scrolled out (patched in
 * place, not created), and the elements' order never changes (nothing is moved in the DOM).
 */
export function poolSlots(range: RowRange, size: number): PoolSlot[] {
  const pool = Math.max(size, range.end - range.start)
  const byKey: (number | undefined)[] = new Array<number | undefined>(pool)
  for (let index = range.start; index < range.end; index++) byKey[index % pool] = index
  const slots: PoolSlot[] = []
  for (let key = 0; key < pool; key++) {
    const index = byKey[key]
    if (index !== undefined) slots.push({ key, index })
  }
  return slots
}

export function sameRange(a: RowRange, b: RowRange): boolean {
  return a.start === b.start && a.end === b.end
}
