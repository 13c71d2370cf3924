import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../engine/proto'
import { ExpiryQueue } from '../../../engine/server/expiry-queue'
import { SessionTracker } from '../../../engine/server/session-tracker'

describe('ExpiryQueue', () => {
  it('buckets by the end of the interval and expires whole buckets', () => {
    const queue = new ExpiryQueue<string>(100, 0)
    expect(queue.update('a', 250, 10)).toBe(300) // 260 rounds up to 300
    expect(queue.update('a', 250, 20)).toBeUndefined() // same bucket: nothing to do
    queue.update('b', 250, 60) // 310 → 400
    expect(queue.waitMs(0)).toBe(100)
    expect([...queue.poll(100)]).toEqual([])
    expect([...queue.poll(200)]).toEqual([])
    expect(queue.poll(299)).toEqual(new Set())
    expect([...queue.poll(300)]).toEqual(['a'])
    expect([...queue.poll(400)]).toEqual(['b'])
  })

  it('moves a touched element out of its old bucket and forgets removed ones', () => {
    const queue = new ExpiryQueue<string>(100, 0)
    queue.update('a', 100, 0)
    queue.update('a', 300, 50)
    queue.update('c', 100, 0)
    queue.remove('c')
    // As in Apache, emptied buckets stay (dump shows "0 expire at …") until their time comes.
    expect(queue.buckets().map(([time, set]) => [time, [...set]])).toEqual([[200, []], [400, ['a']]])
    expect([...queue.poll(100)]).toEqual([])
    expect([...queue.poll(200)]).toEqual([])
    expect(queue.buckets().map(([time, set]) => [time, [...set]])).toEqual([[400, ['a']]])
  })
})

describe('SessionTracker', () => {
  it('expires a session between timeout and timeout + tick after its last touch', () => {
    const tracker = new SessionTracker(100, 1, 0, 0)
    const id = tracker.createSession(300, 0)
    tracker.touchSession(id, 300, 150) // → bucket 500
    expect(tracker.expireDue(449)).toEqual([])
    expect(tracker.expireDue(500).map((s) => s.sessionId)).toEqual([id])
    expect(tracker.get(id)?.closing).toBe(true)
    expect(tracker.touchSession(id, 300, 500)).toBe(false)
  })

  it('checks sessions as Apache does: unknown, closing', () => {
    const tracker = new SessionTracker(100, 1, 0, 0)
    expect(() => tracker.checkSession(42n)).toThrowError(expect.objectContaining({ code: ErrorCode.UNKNOWNSESSION }))
    expect(() => tracker.checkGlobalSession(42n)).toThrowError(expect.objectContaining({ code: ErrorCode.SESSIONEXPIRED }))
    const id = tracker.createSession(1000, 0)
    tracker.setSessionClosing(id)
    expect(() => tracker.checkSession(id)).toThrowError(expect.objectContaining({ code: ErrorCode.SESSIONEXPIRED }))
    tracker.removeSession(id)
    expect(tracker.size).toBe(0)
  })

  it('allocates consecutive ids with server id 1 in the top byte', () => {
    const tracker = new SessionTracker(100, 1, 0, 0x12345)
    const a = tracker.createSession(1000, 0)
    const b = tracker.createSession(1000, 0)
    expect(a >> 56n).toBe(1n)
    expect(b - a).toBe(1n)
  })
})
