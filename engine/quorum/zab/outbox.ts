import type { Effect, PersistOp } from '../peer/effects'

/** Continuation run when a persist ticket is durable; receives the time of the `persisted` input. */
export type OnDurable = (nowMs: number) => void

/** Where machines put their effects. The peer implements it; tests can too. */
export interface Outbox {
  emit(effect: Effect): void
  /** Issues a persist effect and returns its ticket; `onDurable` runs when it (and all before it) are durable. */
  persist(op: PersistOp, onDurable?: OnDurable): number
  log(level: 'info' | 'warn' | 'error', message: string): void
}
