// The observer tap: one tap at a time in the view (attach / detach), its state, the streamed txns (the newest
// TAP_ROWS_LIMIT kept for the table), totals and per-second rates by type, a filter and a pause.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, triggerRef } from 'vue'
import type { MethodArgs } from '../../main/contract/contract'
import type { TapTxnBatch, TapTxnView, TapView } from '../../main/contract/model'
import { NO_FILTER, RateBuckets, type TapFilter, filterRows } from '../components/tap/tap-stream'
import { api, apiClient } from './api'

export const TAP_ROWS_LIMIT = 50_000
export const TAP_RATE_WINDOW_SECONDS = 300

export type TapAttachArgs = MethodArgs<'tap.attach'>

export const useTapStore = defineStore('tap', () => {
  const tap = ref<TapView | null>(null)
  /** Newest last. Not reactive per row: `revision` says when it changed. */
  const rows = shallowRef<TapTxnView[]>(markRaw([]))
  const revision = ref(0)
  const paused = ref(false)
  /** Rows that arrived while paused, shown on resume (bounded like the table). */
  let held: TapTxnView[] = []
  const totals = ref<Record<string, number>>({})
  const omitted = ref(0)
  const rates = markRaw(new RateBuckets(TAP_RATE_WINDOW_SECONDS))
  const filter = ref<TapFilter>({ ...NO_FILTER })
  const attaching = ref(false)
  let stops: (() => void)[] = []

  const visible = computed<number[] | null>(() => {
    void revision.value
    return filterRows(rows.value, filter.value)
  })
  const visibleCount = computed(() => visible.value?.length ?? rows.value.length)

  /** Row `index` of the table, newest first (a live stream reads from the top). */
  function rowAt(index: number): TapTxnView | undefined {
    const fromEnd = visibleCount.value - 1 - index
    const at = visible.value === null ? fromEnd : visible.value[fromEnd]
    return at === undefined ? undefined : rows.value[at]
  }

  /** `append` may grow the same array: trigger its readers either way. */
  function setRows(next: TapTxnView[]): void {
    if (next === rows.value) triggerRef(rows)
    else rows.value = markRaw(next)
  }

  function append(target: TapTxnView[], more: readonly TapTxnView[]): TapTxnView[] {
    const next = target.length + more.length > TAP_ROWS_LIMIT ? target.slice(target.length + more.length - TAP_ROWS_LIMIT) : target
    for (const txn of more.length > TAP_ROWS_LIMIT ? more.slice(-TAP_ROWS_LIMIT) : more) next.push(txn)
    return next
  }

  function receive(batch: TapTxnBatch): void {
    if (tap.value === null || batch.tapId !== tap.value.tapId) return
    rates.add(batch.time, batch.counts)
    const next = { ...totals.value }
    for (const [type, count] of Object.entries(batch.counts)) next[type] = (next[type] ?? 0) + count
    totals.value = next
    omitted.value += batch.omitted
    tap.value = { ...tap.value, txnCount: batch.txnCount, lastZxid: batch.lastZxid }
    if (paused.value) held = append(held, batch.txns)
    else setRows(append(rows.value, batch.txns))
    revision.value++
  }

  function listen(): void {
    if (stops.length > 0) return
    const client = apiClient()
    stops = [
      client.on('tap.txns', receive),
      client.on('tap.state', (view) => {
        if (tap.value !== null && view.tapId === tap.value.tapId) tap.value = view
      }),
    ]
  }

  function reset(): void {
    rows.value = markRaw([])
    held = []
    totals.value = {}
    omitted.value = 0
    rates.clear()
    revision.value++
  }

  async function attach(args: TapAttachArgs): Promise<void> {
    listen()
    if (tap.value !== null && tap.value.phase !== 'stopped') await detach()
    reset()
    attaching.value = true
    try {
      tap.value = await api().tap.attach(args)
    } finally {
      attaching.value = false
    }
  }

  async function detach(): Promise<void> {
    const current = tap.value
    if (current === null || current.phase === 'stopped') return
    await api().tap.detach({ tapId: current.tapId }).catch(() => undefined)
    if (tap.value?.tapId === current.tapId) tap.value = { ...tap.value, phase: 'stopped' }
  }

  /** Adopts a tap main already runs (the view opened again, or another window attached it). */
  async function load(): Promise<void> {
    listen()
    if (tap.value !== null) return
    const running = await api().tap.list()
    const last = running[running.length - 1]
    if (last !== undefined) tap.value = last
  }

  function setPaused(next: boolean): void {
    paused.value = next
    if (!next && held.length > 0) {
      setRows(append(rows.value, held))
      held = []
      revision.value++
    }
  }

  function clearRows(): void {
    rows.value = markRaw([])
    held = []
    revision.value++
  }

  return { tap, rows, revision, paused, totals, omitted, rates, filter, attaching, visibleCount, rowAt, attach, detach, load, setPaused, clearRows, receive }
})
