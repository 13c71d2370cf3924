// The normalizer decides what a differential test can see, so its rules are pinned here
// without any server.
import { describe, expect, it } from 'vitest'
import { normalize } from './harness/normalize'

describe('normalize', () => {
  it('ranks zxids and session ids, whatever their spelling, and keeps 0 and -1', () => {
    const out = normalize([
      { czxid: 9, mzxid: 12, pzxid: 0, ephemeralOwner: '72057705054666755' },
      { mzxid: -1, sessionId: '72057705054666754' },
      'cZxid = 0xc\nephemeralOwner = 0x1000019d91d0003\nZxid: 0x9',
    ])
    expect(out).toEqual([
      { czxid: 'Z1', mzxid: 'Z2', pzxid: 0, ephemeralOwner: 'S2' },
      { mzxid: -1, sessionId: 'S1' },
      'cZxid = Z2\nephemeralOwner = S2\nZxid: Z1',
    ])
  })

  it('turns non-zero times into <time>, and keeps the epoch', () => {
    const out = normalize([
      { ctime: 0, mtime: 1795619972043 },
      'ctime = Thu Jan 01 00:00:00 UTC 1970\nmtime = Wed Nov 25 15:19:31 UTC 2026',
    ])
    expect(out).toEqual([{ ctime: 0, mtime: '<time>' }, 'ctime = Thu Jan 01 00:00:00 UTC 1970\nmtime = <time>'])
  })

  it('keeps what it is told to keep, and normalizes extra keys on request', () => {
    const out = normalize([{ czxid: 7, owner: '72057705054666755', ctime: 5 }], { keep: ['zxid'], sessionKeys: ['owner'] })
    expect(out).toEqual([{ czxid: 7, owner: 'S1', ctime: '<time>' }])
  })

  it('hides the harness-chosen ports of membership lines', () => {
    const out = normalize(['server.1=127.0.0.1:21001:21002:participant\nserver.4=127.0.0.1:21007:21008:observer\nversion=0'])
    expect(out).toEqual(['server.1=127.0.0.1:<port>:<port>:participant\nserver.4=127.0.0.1:<port>:<port>:observer\nversion=0'])
  })

  it('compares values as JSON', () => {
    expect(normalize([{ a: undefined, b: Buffer.from('hi') }])).toEqual([{ b: { type: 'Buffer', data: [104, 105] } }])
  })
})
