import { describe, expect, it } from 'vitest'
import { quotaView } from '../../../main/services/quotas/quota-view'

describe('quotaView', () => {
  it('reads zkCli limit and stat texts; -1 is "not set"', () => {
    expect(quotaView('/a', 'count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=10', 'count=2,bytes=7')).toEqual({
      path: '/a',
      limits: { count: 5, bytes: null, countHard: 10, bytesHard: null },
      usage: { count: 2, bytes: 7 },
      level: 'ok',
    })
  })

  it('soft once a soft limit is reached, hard once a hard limit is', () => {
    expect(quotaView('/a', 'count=2,bytes=-1', 'count=2,bytes=0').level).toBe('soft')
    expect(quotaView('/a', 'count=-1,bytes=10', 'count=1,bytes=11').level).toBe('soft')
    expect(quotaView('/a', 'count=2,bytes=-1=;countHardLimit=3', 'count=3,bytes=0').level).toBe('hard')
    expect(quotaView('/a', 'count=-1,bytes=-1=;byteHardLimit=4', 'count=1,bytes=4').level).toBe('hard')
  })
})
