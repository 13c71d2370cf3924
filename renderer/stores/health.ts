// Health monitors (any ensemble: a connection's, a local cluster's, or listed members): the latest sample per member,
// series for the charts (last hour), and the alerts that mark the timeline (leader changes, quorum lost/restored).
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef, triggerRef } from 'vue'
import type { MethodArgs } from '../../main/contract/contract'
import type { HealthAlert, MemberAddress, MemberSample } from '../../main/contract/model'
import { api, apiClient } from './api'

export type HealthTarget = MethodArgs<'health.watch'>['target']

/** Samples kept per member: an hour at one a second. */
export const SERIES_LIMIT = 3600
const ALERTS_LIMIT = 500

export interface MemberSeries {
  /** Seconds since the epoch (uPlot's x axis). */
  time: number[]
  latencyAvgMs: (number | null)[]
  latencyMaxMs: (number | null)[]
  outstanding: (number | null)[]
  commitsPerSecond: (number | null)[]
  proposalsPerSecond: (number | null)[]
  /** Client packets per second (requests and pings), the monitor's own polls left out. */
  requestsPerSecond: (number | null)[]
}

export interface MonitorState {
  key: string
  monitorId: string
  target: HealthTarget
  members: MemberAddress[]
  latest: Map<string, MemberSample>
  series: Map<string, MemberSeries>
  alerts: HealthAlert[]
  leader: string | null
  hasQuorum: boolean
  lastRound: number
}

export function targetKey(target: HealthTarget): string {
  switch (target.kind) {
    case 'connection':
      return `connection:${target.connectionId}`
    case 'cluster':
      return `cluster:${target.clusterId}`
    case 'members':
      return `members:${target.members.map((member) => `${member.host}:${member.clientPort}`).join(',')}`
  }
}

function emptySeries(): MemberSeries {
  return { time: [], latencyAvgMs: [], latencyMaxMs: [], outstanding: [], commitsPerSecond: [], proposalsPerSecond: [], requestsPerSecond: [] }
}

function push<T>(values: T[], value: T): void {
  values.push(value)
  if (values.length > SERIES_LIMIT) values.shift()
}

export function addSample(series: MemberSeries, sample: MemberSample): void {
  push(series.time, sample.time / 1000)
  push(series.latencyAvgMs, sample.latencyAvgMs)
  push(series.latencyMaxMs, sample.latencyMaxMs)
  push(series.outstanding, sample.outstandingRequests)
  push(series.commitsPerSecond, sample.commitsPerSecond)
  push(series.proposalsPerSecond, sample.proposalsPerSecond)
  push(series.requestsPerSecond, sample.requestsPerSecond)
}

/** The leader and quorum a round of samples shows (what the monitor computes, kept in step with its alerts). */
export function leaderOf(samples: readonly MemberSample[]): string | null {
  return samples.find((sample) => sample.role === 'leader' || sample.role === 'standalone')?.member ?? null
}

export const useHealthStore = defineStore('health', () => {
  const monitors = shallowRef(new Map<string, MonitorState>())
  /** Bumped on every round; charts and cards re-read then. */
  const revision = ref(0)
  const byMonitorId = new Map<string, MonitorState>()
  let stops: (() => void)[] = []

  function listen(): void {
    if (stops.length > 0) return
    const client = apiClient()
    stops = [
      client.on('health.sample', ({ monitorId, samples }) => {
        const monitor = byMonitorId.get(monitorId)
        if (monitor === undefined) return
        for (const sample of samples) {
          monitor.latest.set(sample.member, sample)
          let series = monitor.series.get(sample.member)
          if (series === undefined) monitor.series.set(sample.member, (series = emptySeries()))
          addSample(series, sample)
        }
        monitor.leader = leaderOf(samples)
        monitor.hasQuorum = monitor.leader !== null
        monitor.lastRound = Date.now()
        revision.value++
      }),
      client.on('health.alert', (alert) => {
        const monitor = byMonitorId.get(alert.monitorId)
        if (monitor === undefined) return
        monitor.alerts.push(alert)
        if (monitor.alerts.length > ALERTS_LIMIT) monitor.alerts.shift()
        revision.value++
      }),
    ]
  }

  const starting = new Map<string, Promise<MonitorState>>()

  /** Starts (or returns the running) monitor of a target; views asking at the same time share one monitor. */
  function watch(target: HealthTarget): Promise<MonitorState> {
    listen()
    const key = targetKey(target)
    const running = monitors.value.get(key)
    if (running !== undefined) return Promise.resolve(running)
    let pending = starting.get(key)
    if (pending === undefined) {
      pending = start(key, target).finally(() => starting.delete(key))
      starting.set(key, pending)
    }
    return pending
  }

  async function start(key: string, target: HealthTarget): Promise<MonitorState> {
    const snapshot = await api().health.watch({ target, intervalMs: 1000 })
    const state: MonitorState = markRaw({
      key,
      monitorId: snapshot.monitorId,
      target,
      members: snapshot.members,
      latest: new Map(snapshot.latest.map((sample) => [sample.member, sample])),
      series: new Map(),
      alerts: [],
      leader: snapshot.leader,
      hasQuorum: snapshot.hasQuorum,
      lastRound: Date.now(),
    })
    byMonitorId.set(state.monitorId, state)
    monitors.value.set(key, state)
    triggerRef(monitors)
    revision.value++
    return state
  }

  async function unwatch(target: HealthTarget): Promise<void> {
    const key = targetKey(target)
    const state = monitors.value.get(key)
    if (state === undefined) return
    monitors.value.delete(key)
    byMonitorId.delete(state.monitorId)
    triggerRef(monitors)
    await api().health.unwatch({ monitorId: state.monitorId }).catch(() => {})
  }

  function get(target: HealthTarget): MonitorState | null {
    return monitors.value.get(targetKey(target)) ?? null
  }

  return { monitors, revision, watch, unwatch, get }
})
