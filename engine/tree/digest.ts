import * as zlib from 'node:zlib'
import type { StatPersisted } from '../proto/data-records'

/**
 * Apache 3.8's tree digest (DigestCalculator + AdHash, `zookeeper.digest.enabled`, default true): each znode's
 * digest is the CRC32 of its path, data and 60 stat bytes; the tree's digest is the 64-bit wrapping sum of them.
 * Followers compare the sum after each txn with the one the leader logged and proposed (TxnDigest), and snapshots
 * end with it.
 */

/** DigestCalculator.DIGEST_VERSION: bumped by Apache whenever the fields or the method change. */
export const DIGEST_VERSION = 2

/** Everything under it is left out (quota stat nodes are updated locally, so they could differ between servers). */
const EXCLUDED_SUBTREE = '/zookeeper/'
const TWO_POW_32 = 0x1_0000_0000

type Crc32 = (data: Buffer, initial: number) => number

/** Node ≥ 20.15 has zlib.crc32 (native); older runtimes get the table CRC32 for large data too. */
const nativeCrc32: Crc32 | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: Crc32 }).crc32 : undefined
/** From this many bytes on, zlib's CRC32 beats the table loop (measured on Node 20: the call costs ~0.1 µs). */
const NATIVE_MIN_BYTES = 256

/**
 * java.util.zip.CRC32's table (IEEE 802.3, reflected 0xEDB88320), and three more for slicing-by-4: four bytes per
 * step (the stat's 60 bytes are whole ints and longs).
 */
const [CRC_TABLE, CRC_TABLE_1, CRC_TABLE_2, CRC_TABLE_3] = makeCrcTables()
/** Scratch for a bigint's halves without bigint arithmetic: written as int64, read as two uint32 (host order). */
const longScratch = new BigInt64Array(1)
const longHalves = new Uint32Array(longScratch.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const HIGH_HALF = LITTLE_ENDIAN ? 1 : 0
const LOW_HALF = LITTLE_ENDIAN ? 0 : 1

/**
 * A znode's digest, an unsigned 32-bit CRC (0 for anything under /zookeeper/): CRC32 over the path's bytes, the
 * data, then czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion and ephemeralOwner big-endian. `path` is
 * the tree's key: Apache hashes the root as "" whether it was reached as "" or "/". Paths are hashed as UTF-8
 * (Java's `getBytes()` with a UTF-8 default charset).
 */
export function nodeDigest(path: string, data: Buffer | null, stat: StatPersisted): number {
  if (path.startsWith(EXCLUDED_SUBTREE)) return 0
  let crc = path === '/' ? ~0 : crcString(~0, path)
  if (data !== null && data.length > 0) crc = crcBytes(crc, data)
  crc = crcLong(crc, stat.czxid)
  crc = crcLong(crc, stat.mzxid)
  crc = crcLong(crc, stat.pzxid)
  crc = crcLongNumber(crc, stat.ctime)
  crc = crcLongNumber(crc, stat.mtime)
  crc = crcInt(crc, stat.version)
  crc = crcInt(crc, stat.cversion)
  crc = crcInt(crc, stat.aversion)
  crc = crcLong(crc, stat.ephemeralOwner)
  return ~crc >>> 0
}

/** Whether nodes at `path` count in the digest at all (Apache skips /zookeeper/… before even computing one). */
export function isDigested(path: string): boolean {
  return !path.startsWith(EXCLUDED_SUBTREE)
}

// The helpers work on the running (pre-inverted) register, as the table algorithm does: start at ~0, end with ~.

function crcByte(crc: number, byte: number): number {
  return CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
}

/** A path's UTF-8 bytes: ASCII straight from the string, the rest (from the first non-ASCII unit) through a copy. */
function crcString(crc: number, text: string): number {
  const length = text.length
  let i = 0
  for (; i + 4 <= length; i += 4) {
    const a = text.charCodeAt(i)
    const b = text.charCodeAt(i + 1)
    const c = text.charCodeAt(i + 2)
    const d = text.charCodeAt(i + 3)
    if ((a | b | c | d) >= 0x80) return crcBytesLoop(crc, Buffer.from(text.slice(i), 'utf8'))
    crc = crcWord(crc, a | (b << 8) | (c << 16) | (d << 24))
  }
  for (; i < length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0x80) return crcBytesLoop(crc, Buffer.from(text.slice(i), 'utf8'))
    crc = crcByte(crc, code)
  }
  return crc
}

function crcBytes(crc: number, bytes: Buffer): number {
  if (nativeCrc32 !== undefined && bytes.length >= NATIVE_MIN_BYTES) return ~nativeCrc32(bytes, ~crc >>> 0)
  return crcBytesLoop(crc, bytes)
}

function crcBytesLoop(crc: number, bytes: Uint8Array): number {
  const length = bytes.length
  let i = 0
  for (; i + 4 <= length; i += 4) {
    crc = crcWord(crc, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
  }
  for (; i < length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return crc
}

/** Four bytes at once (slicing-by-4): `word` holds them first byte lowest. */
function crcWord(crc: number, word: number): number {
  crc ^= word
  return CRC_TABLE_3[crc & 0xff]! ^ CRC_TABLE_2[(crc >>> 8) & 0xff]! ^ CRC_TABLE_1[(crc >>> 16) & 0xff]! ^ CRC_TABLE[crc >>> 24]!
}

/** A Java int, big-endian: its first byte is the value's top byte, so the word is the byte-swapped value. */
function crcInt(crc: number, value: number): number {
  return crcWord(crc, (value >>> 24) | ((value >>> 8) & 0xff00) | ((value & 0xff00) << 8) | (value << 24))
}

/** A Java long held in a bigint (zxids, owners), big-endian, without bigint arithmetic. */
function crcLong(crc: number, value: bigint): number {
  longScratch[0] = value
  return crcInt(crcInt(crc, longHalves[HIGH_HALF]!), longHalves[LOW_HALF]!)
}

/** The low 32 bits of a long (as an unsigned number), without bigint arithmetic (no allocation). */
export function lowWordOfLong(value: bigint): number {
  longScratch[0] = value
  return longHalves[LOW_HALF]!
}

/** A Java long held in a number (times in ms), big-endian. */
function crcLongNumber(crc: number, value: number): number {
  const high = Math.floor(value / TWO_POW_32)
  return crcInt(crcInt(crc, high | 0), (value - high * TWO_POW_32) | 0)
}

/**
 * A 64-bit digest as two unsigned 32-bit halves, so the write path adds and subtracts node digests without bigints.
 * Immutable: arithmetic returns new values (the prep keeps one per outstanding change).
 */
export interface Digest64 {
  readonly high: number
  readonly low: number
}

export const ZERO_DIGEST: Digest64 = { high: 0, low: 0 }

/** `digest - removed + added` modulo 2^64 (AdHash's wrapping `-=` and `+=`). */
export function replaceInDigest(digest: Digest64, removed: number, added: number): Digest64 {
  let low = digest.low - removed + added
  let high = digest.high
  if (low < 0) {
    low += TWO_POW_32
    high = (high - 1) >>> 0
  } else if (low >= TWO_POW_32) {
    low -= TWO_POW_32
    high = (high + 1) >>> 0
  }
  return { high, low }
}

/** The signed Java long the digest is written as. */
export function digestToLong(digest: Digest64): bigint {
  return BigInt.asIntN(64, (BigInt(digest.high) << 32n) | BigInt(digest.low))
}

export function digestFromLong(value: bigint): Digest64 {
  const unsigned = BigInt.asUintN(64, value)
  return { high: Number(unsigned >> 32n), low: Number(unsigned & 0xffff_ffffn) }
}

/**
 * Apache's AdHash: the running sum of node digests, updated in place as nodes come, change and go (a change is a
 * remove of the old digest and an add of the new one).
 */
export class AdHash {
  /** The sum's halves (read them; change them only through the methods). */
  high = 0
  low = 0

  add(digest: number): void {
    const low = this.low + digest
    if (low >= TWO_POW_32) {
      this.low = low - TWO_POW_32
      this.high = (this.high + 1) >>> 0
    } else {
      this.low = low
    }
  }

  remove(digest: number): void {
    const low = this.low - digest
    if (low < 0) {
      this.low = low + TWO_POW_32
      this.high = (this.high - 1) >>> 0
    } else {
      this.low = low
    }
  }

  clear(): void {
    this.high = 0
    this.low = 0
  }

  /** A snapshot of the sum (a fresh object: the hash keeps moving). */
  value(): Digest64 {
    return { high: this.high, low: this.low }
  }

  equals(digest: Digest64): boolean {
    return this.high === digest.high && this.low === digest.low
  }
}

// ------------------------------------------------------------------------------------------------ CRC32 table

function makeCrcTables(): [Int32Array, Int32Array, Int32Array, Int32Array] {
  const [t0, t1, t2, t3] = [new Int32Array(256), new Int32Array(256), new Int32Array(256), new Int32Array(256)] as const
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t0[n] = c
  }
  // Table k advances a byte that is followed by k more bytes (slicing-by-4).
  for (let n = 0; n < 256; n++) {
    t1[n] = (t0[n]! >>> 8) ^ t0[t0[n]! & 0xff]!
    t2[n] = (t1[n]! >>> 8) ^ t0[t1[n]! & 0xff]!
    t3[n] = (t2[n]! >>> 8) ^ t0[t2[n]! & 0xff]!
  }
  return [t0, t1, t2, t3]
}

/** CRC32 of `bytes` continuing from `initial` (java.util.zip.CRC32 semantics), by table alone: for tests. */
export function tableCrc32(bytes: Uint8Array, initial = 0): number {
  return ~crcBytesLoop(~initial, bytes) >>> 0
}

/** Apache's `DataTree.ZxidDigest`: the tree digest after the txn `zxid` (zxid 0 = none yet). */
export interface ZxidDigest {
  zxid: bigint
  digestVersion: number
  digest: bigint
}
