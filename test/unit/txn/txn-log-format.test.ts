import { describe, expect, it } from 'vitest'
import { JuteReader, JuteWriter } from '../../../engine/jute'
import { OpCode } from '../../../engine/proto/opcodes'
import { allocationForWrite, paddedFileSize, readLogEntryBody, writeLogEntry } from '../../../engine/txn/txn-log-format'
import { logFilesFrom } from '../../../engine/txn/txn-log-reader'
import { sampleTxns } from './txn-samples'

/** The first entry Apache 3.8.0 wrote in a fresh log here: createSession (timeout 10000) with a TxnDigest. */
const APACHE_CREATE_SESSION =
  '00000000a08c08e8' + '00000030' + '01000008b84e0000' + '00000000' + '0000000000000001' + '000001a213393c33' + 'fffffff6' + '00002710' + '00000002' + '0000000051c6d660' + '42'

describe('log entry codec', () => {
  it('decodes and re-encodes an entry Apache wrote, digest included', () => {
    const bytes = Buffer.from(APACHE_CREATE_SESSION, 'hex')
    const decoded = readLogEntryBody(new JuteReader(bytes, 12, bytes.length - 1))
    expect(decoded.txn.header).toEqual({ clientId: 0x1000008b84e0000n, cxid: 0, zxid: 1n, time: 0x1a213393c33, type: OpCode.createSession })
    expect(decoded.txn.body).toEqual({ type: OpCode.createSession, txn: { timeOut: 10000 } })
    expect(decoded.digest).toEqual({ version: 2, treeDigest: 0x51c6d660n })
    const w = new JuteWriter()
    expect(writeLogEntry(w, decoded.txn, decoded.digest)).toBe(bytes.length)
    expect(w.toBuffer().toString('hex')).toBe(APACHE_CREATE_SESSION)
  })

  it('writes no digest unless given one, and reads such entries back', () => {
    for (const txn of sampleTxns(14)) {
      const w = new JuteWriter()
      const size = writeLogEntry(w, txn)
      const bytes = w.toBuffer()
      expect(bytes.length).toBe(size)
      expect(bytes.readInt32BE(8)).toBe(size - 13)
      expect(bytes[size - 1]).toBe(0x42)
      const decoded = readLogEntryBody(new JuteReader(bytes, 12, size - 1))
      expect(decoded.txn).toEqual(txn)
      expect(decoded.digest).toBeNull()
    }
  })
})

describe('preallocation arithmetic (FilePadding)', () => {
  const MB64 = 64 * 1024 * 1024
  it('grows by one step within 4 KiB of the end, rounds up past an overrun, and never when disabled', () => {
    expect(paddedFileSize(16, 16, MB64)).toBe(16 + MB64)
    expect(paddedFileSize(1000, 16 + MB64, MB64)).toBe(16 + MB64)
    expect(paddedFileSize(16 + MB64 - 4096, 16 + MB64, MB64)).toBe(16 + 2 * MB64)
    expect(paddedFileSize(3 * MB64 + 5, MB64, MB64)).toBe(4 * MB64)
    expect(paddedFileSize(100, 16, 0)).toBe(16)
  })

  it('covers a whole batch plus the 4 KiB slack', () => {
    expect(allocationForWrite(16, 200, 16, 8192)).toBe(16 + 8192)
    expect(allocationForWrite(16, 50_000, 16, 8192)).toBeGreaterThan(50_000 + 4096)
    expect(allocationForWrite(1000, 2000, 16 + 8192, 8192)).toBe(16 + 8192)
    expect(allocationForWrite(3000, 4200, 16 + 8192, 8192)).toBe(16 + 2 * 8192)
    expect(allocationForWrite(16, 50_000, 16, 0)).toBe(16)
  })
})

describe('which log files to read (getLogFiles)', () => {
  const files = [1n, 0x1fn, 0x3dn].map((zxid) => ({ name: `log.${zxid.toString(16)}`, path: '', zxid }))
  it('starts at the newest file whose first zxid is at or before the target', () => {
    expect(logFilesFrom(files, 0n).map((f) => f.zxid)).toEqual([1n, 0x1fn, 0x3dn])
    expect(logFilesFrom(files, 0x1en).map((f) => f.zxid)).toEqual([1n, 0x1fn, 0x3dn])
    expect(logFilesFrom(files, 0x1fn).map((f) => f.zxid)).toEqual([0x1fn, 0x3dn])
    expect(logFilesFrom(files, 0x100n).map((f) => f.zxid)).toEqual([0x3dn])
    expect(logFilesFrom([], 5n)).toEqual([])
  })
})
