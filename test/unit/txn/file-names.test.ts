import { describe, expect, it } from 'vitest'
import { logFileName, snapshotCompressionOf, snapshotFileName, sortZxidFiles, zxidFromFileName, zxidHex } from '../../../engine/txn/file-names'

describe('file names', () => {
  it('names files with the zxid in lowercase hex without padding', () => {
    expect(logFileName(1n)).toBe('log.1')
    expect(logFileName(0x100000001n)).toBe('log.100000001')
    expect(snapshotFileName(0n)).toBe('snapshot.0')
    expect(snapshotFileName(0x4bn, 'gz')).toBe('snapshot.4b.gz')
    expect(zxidHex(-1n)).toBe('ffffffffffffffff')
  })

  it('parses names as Apache getZxidFromName does', () => {
    expect(zxidFromFileName('log.1f', 'log')).toBe(0x1fn)
    expect(zxidFromFileName('snapshot.4b.gz', 'snapshot')).toBe(0x4bn)
    expect(zxidFromFileName('snapshot.0000000000000000001', 'snapshot')).toBe(1n)
    expect(zxidFromFileName('log.1f', 'snapshot')).toBe(-1n)
    expect(zxidFromFileName('log', 'log')).toBe(-1n)
    expect(zxidFromFileName('log.xyz', 'log')).toBe(-1n)
    expect(zxidFromFileName('log.ffffffffffffffff', 'log')).toBe(-1n) // Long.parseLong overflows
    expect(zxidFromFileName('tmp.snapshot.5', 'snapshot')).toBe(-1n)
  })

  it('detects the compression from the last extension', () => {
    expect(snapshotCompressionOf('snapshot.1')).toBe('none')
    expect(snapshotCompressionOf('snapshot.1.gz')).toBe('gz')
    expect(snapshotCompressionOf('snapshot.1.SNAPPY')).toBe('snappy')
  })

  it('sorts by zxid numerically, not by name, and drops foreign names', () => {
    const names = ['log.a', 'log.2', 'snapshot.1', 'log.10', 'log.junk', 'log.1']
    expect(sortZxidFiles('/d', names, 'log', true).map((f) => f.name)).toEqual(['log.1', 'log.2', 'log.a', 'log.10'])
    expect(sortZxidFiles('/d', names, 'log', false).map((f) => f.path)).toEqual(['/d/log.10', '/d/log.a', '/d/log.2', '/d/log.1'])
  })
})
