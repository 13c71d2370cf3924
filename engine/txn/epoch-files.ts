import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isNotFound, writeFileAtomically } from './data-dir'
import { DatadirError } from './errors'

/**
 * The small files beside the snapshots: `currentEpoch` and `acceptedEpoch` in `<dataDir>/version-2` (ASCII decimal,
 * no newline, replaced atomically via `<name>.tmp` + rename), and `<dataDir>/myid` (QuorumPeer.readLongFromFile,
 * writeLongToFile, loadDataBase; QuorumPeerConfig.setupMyId).
 */

export const CURRENT_EPOCH_FILE = 'currentEpoch'
export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch'
export const MYID_FILE = 'myid'
const TEMP_EXTENSION = '.tmp'

export type EpochFileName = typeof CURRENT_EPOCH_FILE | typeof ACCEPTED_EPOCH_FILE

/** Java's `BufferedReader.readLine` then `Long.parseLong`: the first line, a signed decimal long, nothing else. */
function parseFirstLineLong(text: string, path: string): bigint {
  const line = text.split(/\r\n|\r|\n/, 1)[0] ?? ''
  if (!/^[+-]?\d+$/.test(line)) throw new DatadirError(`Found ${text.length === 0 ? 'null' : line} in ${path}`)
  const value = BigInt(line)
  if (value > 0x7fff_ffff_ffff_ffffn || value < -0x8000_0000_0000_0000n) throw new DatadirError(`Found ${line} in ${path}`)
  return value
}

/** The value of `<snapDir>/<name>`, or null when the file does not exist. */
export async function readEpochFile(snapDir: string, name: EpochFileName | `${EpochFileName}.tmp`): Promise<bigint | null> {
  const path = join(snapDir, name)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
  return parseFirstLineLong(text, path)
}

/** Replaces `<snapDir>/<name>` atomically (temp file, fsync, rename, directory fsync). */
export async function writeEpochFile(snapDir: string, name: EpochFileName, epoch: bigint): Promise<void> {
  const path = join(snapDir, name)
  await writeFileAtomically(path, Buffer.from(epoch.toString(), 'ascii'), `${path}${TEMP_EXTENSION}`)
}

export interface Epochs {
  currentEpoch: bigint
  acceptedEpoch: bigint
}

/**
 * Apache's `QuorumPeer.loadDataBase` epoch handling, after the database is restored: missing files are created from
 * the epoch of the last processed zxid; a current epoch behind that zxid is repaired from `currentEpoch.tmp` when a
 * crash interrupted its update, and is an error otherwise; accepted < current is an error.
 */
export async function loadEpochs(snapDir: string, lastProcessedZxid: bigint, options: { raiseToLoggedEpoch?: boolean } = {}): Promise<Epochs> {
  const epochOfZxid = lastProcessedZxid >> 32n
  let currentEpoch = await readEpochFile(snapDir, CURRENT_EPOCH_FILE)
  if (currentEpoch === null) {
    currentEpoch = epochOfZxid
    await writeEpochFile(snapDir, CURRENT_EPOCH_FILE, currentEpoch)
  }
  if (epochOfZxid > currentEpoch) {
    const interrupted = await readEpochFile(snapDir, `${CURRENT_EPOCH_FILE}${TEMP_EXTENSION}`)
    if (interrupted !== null) currentEpoch = interrupted
    else if (options.raiseToLoggedEpoch === true) {
      // Our learners log the new leader's history before writing currentEpoch (engine/quorum/README.md): a durable
      // txn of epoch e means e's history was accepted, so the crash between the two is repaired, not fatal.
      currentEpoch = epochOfZxid
    } else {
      throw new DatadirError(`The current epoch, ${zxidString(currentEpoch)}, is older than the last zxid, ${lastProcessedZxid}`)
    }
    await writeEpochFile(snapDir, CURRENT_EPOCH_FILE, currentEpoch)
  }
  let acceptedEpoch = await readEpochFile(snapDir, ACCEPTED_EPOCH_FILE)
  if (acceptedEpoch !== null && acceptedEpoch < currentEpoch && options.raiseToLoggedEpoch === true) {
    acceptedEpoch = currentEpoch
    await writeEpochFile(snapDir, ACCEPTED_EPOCH_FILE, acceptedEpoch)
  }
  if (acceptedEpoch === null) {
    acceptedEpoch = epochOfZxid
    await writeEpochFile(snapDir, ACCEPTED_EPOCH_FILE, acceptedEpoch)
  }
  if (acceptedEpoch < currentEpoch) {
    throw new DatadirError(
      `The accepted epoch, ${zxidString(acceptedEpoch)} is less than the current epoch, ${zxidString(currentEpoch)}`,
    )
  }
  return { currentEpoch, acceptedEpoch }
}

/** Apache's `ZxidUtils.zxidToString`: the long in lowercase hex. */
function zxidString(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16)
}

/**
 * The server id in `<dataDir>/myid`, or null when there is no such file (fine standalone).
 * Like Apache: the first line must be exactly a decimal number (no spaces).
 */
export async function readMyId(dataDir: string): Promise<number | null> {
  const path = join(dataDir, MYID_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
  const line = text.split(/\r\n|\r|\n/, 1)[0] ?? ''
  if (!/^[+-]?\d+$/.test(line)) throw new DatadirError(`serverid ${line} is not a number`)
  const id = Number(line)
  if (!Number.isSafeInteger(id)) throw new DatadirError(`serverid ${line} is out of range`)
  return id
}

/** Writes `<dataDir>/myid` (for tools that set up members; Apache leaves this to the operator). */
export async function writeMyId(dataDir: string, id: number): Promise<void> {
  await writeFileAtomically(join(dataDir, MYID_FILE), Buffer.from(`${id}\n`, 'ascii'))
}
