import { randomUUID } from 'node:crypto'
import type { ZooKeeperClient } from '../client'
import { KeeperException, isConnectionLoss, isNodeExists } from '../errors'
import { ErrorCode, EventType, KeeperState } from '../../proto'
import type { WatchedEvent, Watcher } from '../types'

/** Creates `path` and any missing ancestors as persistent nodes (kazoo's ensure_path, Curator's creatingParents). */
export async function ensurePath(client: ZooKeeperClient, path: string): Promise<void> {
  if (path === '/' || (await withReconnect(client, () => client.exists(path))) !== null) return
  const slash = path.lastIndexOf('/')
  if (slash > 0) await ensurePath(client, path.substring(0, slash))
  // Repeating a persistent create is harmless: the retry answers NodeExists.
  await withReconnect(client, () => client.create(path)).catch((error: unknown) => {
    if (!isNodeExists(error)) throw error
  })
}

/** The 10-digit sequence suffix ZooKeeper appended to a sequential node's name. */
export function sequenceOf(name: string): number {
  return Number(name.substring(name.length - 10))
}

/** Children ordered by their sequence suffix (the order in which they were created). */
export function sortBySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b))
}

/**
 * Creates the sequential node `dir/<random>-<kind><sequence>` and returns its name. The random part lets a create
 * whose reply was lost to a connection loss be found again instead of leaving a second node (Curator's "protected"
 * nodes).
 */
export async function createProtected(client: ZooKeeperClient, dir: string, kind: string, mode: number, data: Buffer | string | null = null): Promise<string> {
  const prefix = `_c_${randomUUID()}-${kind}`
  for (;;) {
    try {
      const created = await client.create(`${dir}/${prefix}`, data, { mode })
      return created.substring(dir.length + 1)
    } catch (error) {
      if (!isConnectionLoss(error)) throw error
      await client.waitForState('CONNECTED', 2 ** 31 - 1)
      const children = await withReconnect(client, () => client.getChildren(dir))
      const mine = children.find((name) => name.startsWith(prefix))
      if (mine !== undefined) return mine
    }
  }
}

/**
 * Runs `operation`, and after CONNECTIONLOSS waits until the session is connected again and retries (the outcome of
 * the lost attempt is unknown, so `operation` must be safe to repeat). Other errors, including SESSIONEXPIRED, pass.
 */
export async function withReconnect<T>(client: ZooKeeperClient, operation: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await operation()
    } catch (error) {
      if (!isConnectionLoss(error)) throw error
      await client.waitForState('CONNECTED', 2 ** 31 - 1)
    }
  }
}

/**
 * A one-shot watcher whose first node event resolves `fired`. Session events reach every watcher (as in Java):
 * Expired, Closed and AuthFailed reject it, since no node event will ever come; Disconnected is ignored because the
 * client re-registers the watch after reconnecting.
 */
export function nextEvent(): { readonly watcher: Watcher; readonly fired: Promise<WatchedEvent> } {
  let resolve!: (event: WatchedEvent) => void
  let reject!: (error: unknown) => void
  const fired = new Promise<WatchedEvent>((res, rej) => {
    resolve = res
    reject = rej
  })
  // The caller may stop waiting (timeout, cancel); an unobserved rejection must not crash the process.
  fired.catch(() => undefined)
  const watcher: Watcher = (event) => {
    if (event.type !== EventType.None) return resolve(event)
    if (event.state === KeeperState.Expired) reject(new KeeperException(ErrorCode.SESSIONEXPIRED))
    else if (event.state === KeeperState.Closed) reject(new KeeperException(ErrorCode.SESSIONEXPIRED))
    else if (event.state === KeeperState.AuthFailed) reject(new KeeperException(ErrorCode.AUTHFAILED))
  }
  return { watcher, fired }
}

/** Races `promise` against a deadline; undefined `timeoutMs` waits forever. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number | undefined, what: string): Promise<T> {
  if (timeoutMs === undefined) return promise
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new KeeperException(ErrorCode.OPERATIONTIMEOUT, undefined, undefined, `${what} not done within ${timeoutMs} ms`)),
      timeoutMs,
    )
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    )
  })
}
