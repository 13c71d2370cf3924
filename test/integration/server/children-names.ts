// Child names for the children-order tests: seeded, so a failing run replays exactly, and chosen to reach every
// corner of Java's HashMap ordering (table growth, a crowded bucket in a small table, non-ASCII names).
import { javaBucketOf, javaStringHash } from '../../../engine/tree/java-hash'
import type { Random } from '../../support/seeded-random'

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.'
/** Letters from several scripts, all in the BMP outside the surrogate and private-use ranges Apache's paths reject. */
const UNICODE = ['é', 'ß', 'Ω', 'ж', 'ü', '€', 'ā', 'ñ', '中', '文', '节', '点', '한', '글', 'ア', 'ی', 'א', 'ก', '∑', '☃']

/** 1–16 ASCII name characters (never `.` or `..`, which are not valid names). */
export function asciiName(random: Random): string {
  const length = 1 + Math.floor(random() * 16)
  let name = ''
  for (let i = 0; i < length; i++) name += pick(random, [...ASCII])
  return name === '.' || name === '..' ? name + 'x' : name
}

/** 1–8 characters mixing non-ASCII letters (2- and 3-byte UTF-8) with ASCII. */
export function unicodeName(random: Random): string {
  const length = 1 + Math.floor(random() * 8)
  let name = ''
  for (let i = 0; i < length; i++) name += random() < 0.6 ? pick(random, UNICODE) : pick(random, [...ASCII.slice(0, 62)])
  return name
}

/**
 * ASCII names that all fall in one bucket of a 32-bucket table (so also of 8 and 16), half of them in each of its
 * two buckets at 64: nine of them crowd one bucket while the table is small, which makes Java double the table
 * early (treeifyBin below 64 buckets), yet no 64-bucket table holds more than `count / 2` of them.
 */
export function crowdedNames(random: Random, count: number): string[] {
  const bucket = Math.floor(random() * 32)
  const low: string[] = []
  const high: string[] = []
  const seen = new Set<string>()
  while (low.length + high.length < count) {
    const name = asciiName(random)
    if (seen.has(name) || javaBucketOf(javaStringHash(name), 32) !== bucket) continue
    seen.add(name)
    const side = javaBucketOf(javaStringHash(name), 64) === bucket ? low : high
    if (side.length < Math.ceil(count / 2)) side.push(name)
  }
  return [...low, ...high]
}

/** `lock-0000000042`: the shape of sequential nodes. */
export function sequentialName(index: number): string {
  return `lock-${String(index).padStart(10, '0')}`
}

/** `count` distinct names of a kind. */
export function distinctNames(random: Random, count: number, make: (random: Random, index: number) => string): string[] {
  const names = new Set<string>()
  for (let i = 0; names.size < count; i++) names.add(make(random, i))
  return [...names]
}
