import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadEpochs, readEpochFile, readMyId, writeEpochFile, writeMyId } from '../../../engine/txn/epoch-files'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zoodesk-epoch-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('currentEpoch / acceptedEpoch', () => {
  it('writes ASCII decimal without a newline, atomically (no temp file left behind)', async () => {
    await writeEpochFile(dir, 'currentEpoch', 7n)
    await writeEpochFile(dir, 'currentEpoch', 12n)
    expect(await readFile(join(dir, 'currentEpoch'), 'latin1')).toBe('12')
    expect(await readdir(dir)).toEqual(['currentEpoch'])
    expect(await readEpochFile(dir, 'currentEpoch')).toBe(12n)
    expect(await readEpochFile(dir, 'acceptedEpoch')).toBeNull()
  })

  it('reads what Java readLine + Long.parseLong accept, and rejects the rest', async () => {
    await writeFile(join(dir, 'currentEpoch'), '5\nignored')
    expect(await readEpochFile(dir, 'currentEpoch')).toBe(5n)
    await writeFile(join(dir, 'currentEpoch'), ' 5')
    await expect(readEpochFile(dir, 'currentEpoch')).rejects.toThrow(/Found  5 in/)
    await writeFile(join(dir, 'currentEpoch'), '')
    await expect(readEpochFile(dir, 'currentEpoch')).rejects.toThrow(/Found null in/)
  })

  it('creates missing files from the epoch of the last zxid, as on an upgrade', async () => {
    expect(await loadEpochs(dir, 0x300000005n)).toEqual({ currentEpoch: 3n, acceptedEpoch: 3n })
    expect(await readFile(join(dir, 'acceptedEpoch'), 'latin1')).toBe('3')
  })

  it('repairs currentEpoch from currentEpoch.tmp after an interrupted update, and refuses otherwise', async () => {
    await writeEpochFile(dir, 'currentEpoch', 2n)
    await writeEpochFile(dir, 'acceptedEpoch', 4n)
    await expect(loadEpochs(dir, 0x400000001n)).rejects.toThrow(/The current epoch, 2, is older than the last zxid, 17179869185/)
    await writeFile(join(dir, 'currentEpoch.tmp'), '4')
    expect(await loadEpochs(dir, 0x400000001n)).toEqual({ currentEpoch: 4n, acceptedEpoch: 4n })
  })

  it('refuses an accepted epoch below the current one', async () => {
    await writeEpochFile(dir, 'currentEpoch', 5n)
    await writeEpochFile(dir, 'acceptedEpoch', 4n)
    await expect(loadEpochs(dir, 0x500000000n)).rejects.toThrow(/The accepted epoch, 4 is less than the current epoch, 5/)
  })
})

describe('myid', () => {
  it('is null without the file, and the first line otherwise', async () => {
    expect(await readMyId(dir)).toBeNull()
    await writeMyId(dir, 3)
    expect(await readFile(join(dir, 'myid'), 'latin1')).toBe('3\n')
    expect(await readMyId(dir)).toBe(3)
    await writeFile(join(dir, 'myid'), '2\r\n')
    expect(await readMyId(dir)).toBe(2)
  })

  it('rejects what Apache rejects', async () => {
    await writeFile(join(dir, 'myid'), 'one\n')
    await expect(readMyId(dir)).rejects.toThrow(/serverid one is not a number/)
    await writeFile(join(dir, 'myid'), '1 \n')
    await expect(readMyId(dir)).rejects.toThrow(/is not a number/)
  })
})
