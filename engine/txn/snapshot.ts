import { open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { JuteReader, JuteWriter } from '../jute'
import { ADLER32_INITIAL, adler32 } from './adler32'
import { fsyncDirectory, listNames } from './data-dir'
import { SnapshotInvalidError } from './errors'
import {
  SNAPSHOT_FILE_PREFIX,
  type SnapshotCompression,
  type ZxidFile,
  snapshotCompressionOf,
  snapshotFileName,
  sortZxidFiles,
} from './file-names'
import { FILE_FORMAT_VERSION, FileHeader, SNAPSHOT_MAGIC } from './txn-log-format'
import type { ZxidDigest } from '../tree/digest'

/**
 * Apache-format snapshots (`FileSnap`, `SnapStream`, `SerializeUtils.serializeSnapshot`):
 *
 *   FileHeader { int magic "ZKSN"; int version 2; long dbid -1 }
 *   int sessionCount; repeat { long sessionId; int timeoutMs }
 *   tree: ACL cache, nodes, ustring "/"                       (the injected SnapshotBodyCodec)
 *   long adler32; ustring "/"                                 (seal: Adler-32 of every byte before it)
 *   [ long zxid; int digestVersion; long digest; long adler32; ustring "/" ]   (digest section, 3.6+)
 *
 * The checksums cover the uncompressed stream, and the second one covers everything before it, the first seal
 * included (Java's CheckedOutputStream keeps summing). The digest section is optional when reading: Apache stops at
 * EOF there. We write what the codec says the tree's digest is once the tree is written (Apache's
 * `serializeZxidDigest` after the nodes: the digest after the last txn applied by then, or an empty one with zxid 0
 * before any), so a snapshot written while txns kept coming is checked when replay reaches that txn.
 *
 * Writing goes to a temp file that is fsynced (by default) and then renamed: a crash never leaves a half-written file
 * under a snapshot name. (Apache writes in place and relies on the seal alone.)
 */

/** The tree part of a snapshot body: the ACL cache, the nodes and the "/" end marker. */
export interface SnapshotBodyCodec<T> {
  serializeTree(tree: T, w: JuteWriter): void
  /**
   * Optional: the same bytes written in steps. Between steps the snapshot writer lets the event loop turn, so txns
   * keep being applied while a large tree is written (a fuzzy snapshot, repaired on load by replaying the log).
   */
  serializeTreeSteps?(tree: T, w: JuteWriter): Generator<void, void, void>
  deserializeTree(r: JuteReader): T
  /**
   * Optional: the digest section for `tree` as it is now (called after the tree is written); null leaves the section
   * out (digests disabled). Without it the section holds the empty digest.
   */
  digestOf?(tree: T): ZxidDigest | null
}

export type { ZxidDigest } from '../tree/digest'

/** What Apache writes when it has no digest yet (`new ZxidDigest()`: zxid 0, DigestCalculator version 2). */
export const EMPTY_ZXID_DIGEST: ZxidDigest = { zxid: 0n, digestVersion: 2, digest: 0n }

export interface SnapshotContent<T> {
  tree: T
  /** Session id → timeout (ms). */
  sessions: ReadonlyMap<bigint, number>
  /** Written after the first seal; null leaves the section out (as Apache with digests disabled). Default: the codec's. */
  digest?: ZxidDigest | null
}

export interface LoadedSnapshot<T> {
  zxid: bigint
  file: string
  tree: T
  sessions: Map<bigint, number>
  /** The digest section as stored (zxid 0 = Apache had no digest); null when the file has none. */
  digest: ZxidDigest | null
}

export interface WriteSnapshotOptions {
  compression?: Exclude<SnapshotCompression, 'snappy'>
  /** fsync the file and its directory before resolving (default true). */
  fsync?: boolean
}

const SNAPSHOT_DBID = -1n
const SEAL_PATH = '/'
/** Apache's `SnapStream.isValidCheckedStream`: header and seal need at least 10 bytes, and it ends "int 1, '/'". */
const MIN_SNAPSHOT_BYTES = 10
const SEAL_TAIL = Buffer.from([0, 0, 0, 1, 0x2f])
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
/** Apache tries at most this many snapshot files before giving up. */
export const MAX_SNAPSHOT_CANDIDATES = 100

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/**
 * The whole uncompressed snapshot stream, sealed, written in one go. With a caller's writer the result is a copy;
 * otherwise it is the fresh writer's own storage (no 2nd copy of a large snapshot).
 */
export function encodeSnapshot<T>(content: SnapshotContent<T>, codec: SnapshotBodyCodec<T>, w?: JuteWriter): Buffer {
  const writer = w ?? new JuteWriter(1 << 20)
  writeSnapshotPrefix(writer, content.sessions)
  codec.serializeTree(content.tree, writer)
  writeSnapshotSeals(writer, digestSection(content, codec), ADLER32_INITIAL, 0)
  return w === undefined ? writer.view() : writer.toBuffer()
}

/**
 * The same stream, with the tree written in steps when the codec supports it; `yieldToLoop` runs between steps
 * (setImmediate in the server, so client requests and txns interleave with a large snapshot). The checksum is summed
 * step by step too, so no single turn of the loop pays for the whole stream.
 */
export async function encodeSnapshotInSteps<T>(
  content: SnapshotContent<T>,
  codec: SnapshotBodyCodec<T>,
  yieldToLoop: () => Promise<void> = nextLoopTurn,
  initialBytes = 1 << 20,
): Promise<Buffer> {
  const w = new JuteWriter(initialBytes)
  writeSnapshotPrefix(w, content.sessions)
  let checksum = ADLER32_INITIAL
  let summedTo = 0
  if (codec.serializeTreeSteps === undefined) {
    codec.serializeTree(content.tree, w)
  } else {
    for (const _step of codec.serializeTreeSteps(content.tree, w)) {
      checksum = adler32(w.view(), summedTo, w.offset, checksum)
      summedTo = w.offset
      await yieldToLoop()
    }
  }
  writeSnapshotSeals(w, digestSection(content, codec), checksum, summedTo)
  return w.view()
}

/** The caller's digest, else the codec's for the tree as it is now, else the empty one. */
function digestSection<T>(content: SnapshotContent<T>, codec: SnapshotBodyCodec<T>): ZxidDigest | null {
  if (content.digest !== undefined) return content.digest
  if (codec.digestOf === undefined) return EMPTY_ZXID_DIGEST
  return codec.digestOf(content.tree)
}

export function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** FileHeader and the session table. */
function writeSnapshotPrefix(w: JuteWriter, sessions: ReadonlyMap<bigint, number>): void {
  w.reset()
  FileHeader.write(w, { magic: SNAPSHOT_MAGIC, version: FILE_FORMAT_VERSION, dbid: SNAPSHOT_DBID })
  w.int(sessions.size)
  for (const [sessionId, timeoutMs] of sessions) {
    w.long(sessionId)
    w.int(timeoutMs)
  }
}

/**
 * The seal over everything written, then the optional digest section with its own seal. `checksum` is the Adler-32
 * of the bytes before `summedTo`, already computed by the caller.
 */
function writeSnapshotSeals(w: JuteWriter, digest: ZxidDigest | null, checksumBefore: number, summedTo: number): void {
  const bodyEnd = w.offset
  let checksum = adler32(w.view(), summedTo, bodyEnd, checksumBefore)
  writeSeal(w, checksum)
  if (digest === null) return
  // Version 1 stored the digest as a hex string; Apache 3.6+ writes version 2 and so do we.
  if (digest.digestVersion < 2) throw new RangeError(`cannot write a version ${digest.digestVersion} snapshot digest`)
  w.long(digest.zxid)
  w.int(digest.digestVersion)
  w.long(digest.digest)
  checksum = adler32(w.view(), bodyEnd, w.offset, checksum)
  writeSeal(w, checksum)
}

function writeSeal(w: JuteWriter, checksum: number): void {
  w.long(BigInt(checksum))
  w.ustring(SEAL_PATH)
}

/**
 * Reads a seal at the reader's position and checks it against the running Adler-32: `checksumBefore` covers the
 * stream up to `sumFrom`, this adds the bytes from there to the seal. Returns the checksum the seal covered.
 */
function checkSeal(r: JuteReader, checksumBefore: number, sumFrom: number, file: string): number {
  const checksum = adler32(r.buf, sumFrom, r.offset, checksumBefore)
  const stored = r.long()
  r.ustring() // "/", ignored as in Apache
  if (stored !== BigInt(checksum)) throw new SnapshotInvalidError(file, `CRC corruption: stored ${stored}, computed ${checksum}`)
  return checksum
}

/** Decodes and validates an uncompressed snapshot stream. Throws SnapshotInvalidError. */
export function decodeSnapshot<T>(bytes: Buffer, codec: SnapshotBodyCodec<T>, file = '<snapshot>'): Omit<LoadedSnapshot<T>, 'zxid' | 'file'> {
  const r = new JuteReader(bytes)
  try {
    const header = FileHeader.read(r)
    if (header.magic !== SNAPSHOT_MAGIC) {
      throw new SnapshotInvalidError(file, `mismatching magic headers ${header.magic} != ${SNAPSHOT_MAGIC}`)
    }
    const sessions = new Map<bigint, number>()
    for (let count = r.int(); count > 0; count--) {
      const sessionId = r.long()
      sessions.set(sessionId, r.int())
    }
    const tree = codec.deserializeTree(r)
    const bodyEnd = r.offset
    const checksum = checkSeal(r, ADLER32_INITIAL, 0, file)
    let digest: ZxidDigest | null = null
    if (!r.atEnd()) {
      // 3.6+ digest section. Apache treats EOF right here as "older snapshot"; a partial section fails for us.
      digest = readZxidDigest(r)
      checkSeal(r, checksum, bodyEnd, file)
    }
    return { tree, sessions, digest }
  } catch (error) {
    if (error instanceof SnapshotInvalidError) throw error
    throw new SnapshotInvalidError(file, `undecodable: ${(error as Error).message}`)
  }
}

function readZxidDigest(r: JuteReader): ZxidDigest {
  const zxid = r.long()
  const digestVersion = r.int()
  // Digest version 1 stored the digest as a hex string.
  if (digestVersion < 2) {
    const hex = r.ustring()
    return { zxid, digestVersion, digest: hex === null ? 0n : BigInt.asIntN(64, BigInt(`0x${hex}`)) }
  }
  return { zxid, digestVersion, digest: r.long() }
}

/**
 * Writes `snapshot.<hex zxid>[.gz]` in `snapDir` (a version-2 directory) via a temp file + rename.
 * The temp name does not start with "snapshot." so neither we nor Apache ever take it for a snapshot.
 */
export async function writeSnapshot<T>(
  snapDir: string,
  zxid: bigint,
  content: SnapshotContent<T>,
  codec: SnapshotBodyCodec<T>,
  options: WriteSnapshotOptions = {},
): Promise<{ path: string; sizeBytes: number }> {
  const stream = encodeSnapshot(content, codec)
  return writeSnapshotBytes(snapDir, zxid, stream, options)
}

/** Writes an already encoded (uncompressed) snapshot stream; see writeSnapshot. */
export async function writeSnapshotBytes(
  snapDir: string,
  zxid: bigint,
  stream: Buffer,
  options: WriteSnapshotOptions = {},
): Promise<{ path: string; sizeBytes: number }> {
  const compression = options.compression ?? 'none'
  const fsync = options.fsync ?? true
  const bytes = compression === 'gz' ? await gzipAsync(stream) : stream
  const name = snapshotFileName(zxid, compression)
  const path = join(snapDir, name)
  const tempPath = join(snapDir, `${TEMP_PREFIX}${name}`)
  const handle = await open(tempPath, 'w')
  try {
    await handle.writeFile(bytes)
    if (fsync) await handle.sync()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(tempPath, { force: true })
    throw error
  }
  await handle.close()
  await rename(tempPath, path)
  if (fsync) await fsyncDirectory(snapDir)
  return { path, sizeBytes: bytes.length }
}

/** Prefix of in-progress snapshot files; left-overs from a crash are removed by `removeSnapshotTempFiles`. */
export const TEMP_PREFIX = 'tmp.'

export async function removeSnapshotTempFiles(snapDir: string): Promise<string[]> {
  const stale = (await listNames(snapDir)).filter((name) => name.startsWith(`${TEMP_PREFIX}${SNAPSHOT_FILE_PREFIX}.`))
  for (const name of stale) await rm(join(snapDir, name), { force: true })
  return stale
}

/** Snapshot files of `snapDir`, newest first, without any validity check (Apache's `findNRecentSnapshots`). */
export async function listSnapshotFiles(snapDir: string): Promise<ZxidFile[]> {
  return sortZxidFiles(snapDir, await listNames(snapDir), SNAPSHOT_FILE_PREFIX, false)
}

/**
 * The cheap check of Apache's `SnapStream.isValidSnapshot`: the "int 1, '/'" tail of a sealed stream (or the gzip
 * magic). Passing it means "probably complete"; only a full read proves it. Snappy files are not readable here.
 */
export async function looksLikeValidSnapshot(file: ZxidFile): Promise<boolean> {
  const compression = snapshotCompressionOf(file.name)
  if (compression === 'snappy') return false
  let handle
  try {
    handle = await open(file.path, 'r')
  } catch {
    return false
  }
  try {
    const sizeBytes = (await handle.stat()).size
    if (compression === 'gz') {
      const head = Buffer.alloc(2)
      const { bytesRead } = await handle.read(head, 0, 2, 0)
      return bytesRead === 2 && head.equals(GZIP_MAGIC)
    }
    if (sizeBytes < MIN_SNAPSHOT_BYTES) return false
    const tail = Buffer.alloc(SEAL_TAIL.length)
    const { bytesRead } = await handle.read(tail, 0, tail.length, sizeBytes - tail.length)
    return bytesRead === tail.length && tail.equals(SEAL_TAIL)
  } finally {
    await handle.close()
  }
}

/** The newest `n` snapshot files that pass the cheap check, newest first (Apache's `findNValidSnapshots`). */
export async function findValidSnapshots(snapDir: string, n: number): Promise<ZxidFile[]> {
  const valid: ZxidFile[] = []
  for (const file of await listSnapshotFiles(snapDir)) {
    if (valid.length >= n) break
    if (await looksLikeValidSnapshot(file)) valid.push(file)
  }
  return valid
}

/** Reads and fully validates one snapshot file (decompressing .gz). Throws SnapshotInvalidError. */
export async function readSnapshotFile<T>(file: ZxidFile, codec: SnapshotBodyCodec<T>): Promise<LoadedSnapshot<T>> {
  let bytes: Buffer
  try {
    bytes = await readFile(file.path)
    if (snapshotCompressionOf(file.name) === 'gz') bytes = await gunzipAsync(bytes)
  } catch (error) {
    throw new SnapshotInvalidError(file.path, `unreadable: ${(error as Error).message}`)
  }
  return { zxid: file.zxid, file: file.path, ...decodeSnapshot(bytes, codec, file.path) }
}

export interface LoadSnapshotOptions {
  maxCandidates?: number
  /** Told about each candidate that failed, before the next one is tried. */
  onInvalid?: (error: SnapshotInvalidError) => void
}

/**
 * The newest snapshot that reads back whole (Apache's `FileSnap.deserialize`): up to 100 candidates passing the
 * cheap check, newest first. Null when there is no candidate at all; an error when candidates exist but none is valid.
 */
export async function loadNewestSnapshot<T>(
  snapDir: string,
  codec: SnapshotBodyCodec<T>,
  options: LoadSnapshotOptions = {},
): Promise<LoadedSnapshot<T> | null> {
  const candidates = await findValidSnapshots(snapDir, options.maxCandidates ?? MAX_SNAPSHOT_CANDIDATES)
  if (candidates.length === 0) return null
  for (const candidate of candidates) {
    try {
      return await readSnapshotFile(candidate, codec)
    } catch (error) {
      if (!(error instanceof SnapshotInvalidError)) throw error
      options.onInvalid?.(error)
    }
  }
  throw new SnapshotInvalidError(snapDir, 'Not able to find valid snapshots')
}
