import { describe, expect, it } from 'vitest'
import { ErrorCode, KeeperException } from '../../../engine/client'
import { Dispatcher, type Handlers } from '../../../main/rpc/dispatcher'
import { fail } from '../../../main/rpc/errors'

/** Only the methods a test calls need a body; the rest are never reached. */
function dispatcherWith(partial: Partial<Handlers>, onInternal?: (method: string, error: unknown) => void): Dispatcher {
  return new Dispatcher(partial as Handlers, onInternal)
}

describe('Dispatcher', () => {
  it('passes validated arguments with defaults filled in', async () => {
    let seen: unknown
    const dispatcher = dispatcherWith({
      'znodes.children': (args) => {
        seen = args
        return { path: args.path, total: 0, offset: 0, children: [], cversion: 0, cursor: 'c' }
      },
    })
    const outcome = await dispatcher.call('znodes.children', { connectionId: 'c1', path: '/a' })
    expect(outcome.ok).toBe(true)
    expect(seen).toEqual({ connectionId: 'c1', path: '/a', offset: 0, limit: 500, withStat: true, watch: false })
  })

  it('turns thrown errors into typed contract errors and never throws', async () => {
    const internal: unknown[] = []
    const dispatcher = dispatcherWith(
      {
        'znodes.get': () => {
          throw new KeeperException(ErrorCode.NONODE, '/x')
        },
        'znodes.exists': () => {
          throw fail.readOnly('c', 'prod')
        },
        'znodes.getAcl': () => {
          throw new TypeError('boom')
        },
      },
      (_method, error) => internal.push(error),
    )
    expect(await dispatcher.call('znodes.get', { connectionId: 'c', path: '/x' })).toEqual({
      ok: false,
      error: { code: 'KEEPER', message: 'KeeperErrorCode = NoNode for /x', details: { keeperCode: 'NONODE', path: '/x' } },
    })
    expect(await dispatcher.call('znodes.exists', { connectionId: 'c', path: '/x' })).toMatchObject({ ok: false, error: { code: 'READ_ONLY', details: { connectionId: 'c' } } })
    expect(await dispatcher.call('znodes.getAcl', { connectionId: 'c', path: '/x' })).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error: boom', details: {} } })
    expect(internal).toHaveLength(1)
    expect(await dispatcher.call(42, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    expect(await dispatcher.call('toString', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    expect(await dispatcher.call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
  })
})
