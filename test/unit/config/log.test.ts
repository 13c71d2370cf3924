import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createLogger, parseLogLevel, setLogLevel, setLogSink } from '../../../engine/node/log'

describe('engine/node/log', () => {
  let lines: string[] = []
  const previous = setLogSink((line) => lines.push(line))

  afterEach(() => {
    lines = []
    setLogLevel('info')
  })

  afterAll(() => {
    setLogSink(previous)
  })

  it('writes timestamp, level and component on one line', () => {
    setLogLevel('info')
    createLogger('server').info('serving')
    expect(lines).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}\[server\] serving\n$/)])
  })

  it('drops levels below the threshold', () => {
    setLogLevel('warn')
    const log = createLogger('quorum')
    log.info('hidden')
    log.debug('hidden')
    log.warn('shown')
    log.error('failed', new Error('boom'))
    expect(lines.map((line) => line.slice(25))).toEqual(['WARN  [quorum] shown\n', 'ERROR [quorum] failed: boom\n'])
    expect(log.isEnabled('debug')).toBe(false)
    expect(log.isEnabled('error')).toBe(true)
  })

  it('includes stacks at debug level', () => {
    setLogLevel('debug')
    createLogger('txn').error('write failed', new Error('EIO'))
    expect(lines[0]).toContain('[txn] write failed: Error: EIO\n    at ')
  })

  it('parses level names', () => {
    expect(parseLogLevel(' DEBUG ')).toBe('debug')
    expect(parseLogLevel('verbose')).toBeUndefined()
    expect(parseLogLevel(undefined)).toBeUndefined()
  })
})
