import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startServer } from './harness'
import { scenarioCore } from './scenario-core'

describe('request semantics against a transcript recorded from Apache', () => {
  it('answers ~150 requests (error precedence, stats, multi, watches, ACLs, auth) exactly as Apache did', async () => {
    const golden = readFileSync(join(__dirname, 'fixtures', 'scenario-core.golden.txt'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
    const running = await startServer({ extendedTypesEnabled: true })
    try {
      expect(await scenarioCore(running.port, '/scenario')).toEqual(golden)
    } finally {
      await running.close()
    }
  })
})
