import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateMode, ZooKeeperClient } from '../../../engine/client'
import { ChildSet, NO_CHILDREN } from '../../../engine/tree/children'
import { javaBucketOf, javaStringHash } from '../../../engine/tree/java-hash'
import {
  asciiName,
  crowdedNames,
  distinctNames,
  sequentialName,
  unicodeName,
} from './children-names'
import { type TestServer, startApache, startZooDesk } from '../../compat/harness/servers'
import { type Random, seededRandom } from '../../support/seeded-random'

/**
 * getChildren lists children in the order of Apache's `HashSet<String>(8)` (engine/tree/children.ts). Two checks:
 * the model against java.util.HashSet itself over seeded add/remove histories, and the whole server against the
 * Debian Apache ZooKeeper 3.8.0, before and after restarts (a restart rebuilds each set from the snapshot's order,
 * so the order after a restart can differ from the order before it).
 */

type SetOp = { op: 'new' } | { op: 'add'; name: string } | { op: 'delete'; name: string } | { op: 'list' }

const HASH_SET_ORDER_JAVA = fileURLToPath(new URL('./fixtures/HashSetOrder.java', import.meta.url))

/** Runs the ops through java.util.HashSet (fixtures/HashSetOrder.java): one listing per `list` op. */
function javaListings(ops: readonly SetOp[]): string[][] {
  const input = ops
    .map((op) => (op.op === 'new' ? 'new' : op.op === 'list' ? 'l' : `${op.op === 'add' ? 'a' : 'd'} ${op.name}`))
    .join('\n')
  const run = spawnSync('/usr/bin/java', ['-Xshare:auto', '-XX:TieredStopAtLevel=1', HASH_SET_ORDER_JAVA], {
    input: input + '\n',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  })
  if (run.status !== 0) throw new Error(`java HashSetOrder failed (${run.status}): ${run.stderr}`)
  return run.stdout
    .split('\n')
    .slice(0, -1)
    .map((line) => (line === '' ? [] : line.split('\t')))
}

/** The table length if only the load factor grew it: 8, doubled while `largestSize` > 3/4 of it. */
function loadFactorTableLength(largestSize: number): number {
  let length = 8
  while (largestSize > (length * 3) / 4) length *= 2
  return length
}

/**
 * The same ops through ChildSet, made on the first add as the tree does. Also counts listings of sets whose table
 * grew beyond what the load factor asks (a crowded bucket in a small table), to show the histories reach that case.
 */
function modelListings(ops: readonly SetOp[]): { listings: string[][]; crowdedGrowths: number } {
  const listings: string[][] = []
  let crowdedGrowths = 0
  let set: ChildSet = NO_CHILDREN
  let largestSize = 0
  for (const op of ops) {
    if (op.op === 'new') {
      set = NO_CHILDREN
      largestSize = 0
    } else if (op.op === 'add') {
      if (set === NO_CHILDREN) set = new ChildSet()
      set.add(op.name)
      largestSize = Math.max(largestSize, set.size)
    } else if (op.op === 'delete') set.delete(op.name)
    else {
      listings.push(set.javaOrder())
      if (set.size > 0 && set.tableLength > loadFactorTableLength(largestSize)) crowdedGrowths++
    }
  }
  return { listings, crowdedGrowths }
}

const NAME_KINDS: Record<string, (random: Random, index: number) => string> = {
  ascii: (random) => asciiName(random),
  unicode: (random) => unicodeName(random),
  sequential: (_random, index) => sequentialName(index),
  short: (random) => asciiName(random).slice(0, 2),
}

/** Seeded histories: grow to a size, delete a share, re-add some, grow again; list after each phase. */
function setHistories(seed: number): SetOp[] {
  const random = seededRandom(seed)
  const ops: SetOp[] = []
  const sizes = [0, 1, 2, 6, 7, 8, 9, 12, 13, 24, 25, 48, 49, 96, 97, 100, 200, 500, 1000, 3000]
  for (const size of sizes) {
    for (const [kind, make] of Object.entries(NAME_KINDS)) {
      // Names of at most 2 characters run out past ~4000; they give many equal-length, near-equal hashes.
      const pool = distinctNames(random, kind === 'short' ? Math.min(size * 2, 3000) : size * 2, make)
      const names = pool.slice(0, size)
      ops.push({ op: 'new' })
      for (const name of names) ops.push({ op: 'add', name })
      ops.push({ op: 'list' })
      const deleteShare = [0, 0.3, 0.9, 1][Math.floor(random() * 4)]!
      const deleted = names.filter(() => random() < deleteShare)
      for (const name of deleted) ops.push({ op: 'delete', name })
      ops.push({ op: 'list' })
      for (const name of deleted.filter(() => random() < 0.3)) ops.push({ op: 'add', name })
      for (const name of pool.slice(size, size + Math.ceil(size / 3))) ops.push({ op: 'add', name })
      ops.push({ op: 'list' })
    }
  }
  // A crowded bucket in a small table: Java doubles the table before the load factor asks (treeifyBin below 64).
  for (const count of [9, 10, 12, 16]) {
    const crowded = crowdedNames(random, count)
    // Kept out of the crowded bucket: a ninth name in one bucket of 64 would make Java treeify it (not modelled).
    const crowdedBucket = javaBucketOf(javaStringHash(crowded[0]!), 32)
    const others = distinctNames(random, 40, NAME_KINDS['ascii']!)
      .filter((name) => javaBucketOf(javaStringHash(name), 32) !== crowdedBucket)
      .slice(0, 20)
    ops.push({ op: 'new' })
    for (const name of [...crowded.slice(0, 5), ...others.slice(0, 3), ...crowded.slice(5), ...others.slice(3)]) {
      ops.push({ op: 'add', name })
      ops.push({ op: 'list' })
    }
    for (const name of crowded.slice(0, 4)) ops.push({ op: 'delete', name })
    ops.push({ op: 'list' })
  }
  return ops
}

describe('ChildSet against java.util.HashSet<String>(8)', () => {
  it('lists every seeded history in the JDK order', () => {
    const ops = setHistories(20240607)
    const expected = javaListings(ops)
    const { listings: actual, crowdedGrowths } = modelListings(ops)
    expect(crowdedGrowths).toBeGreaterThan(10)
    expect(actual.length).toBe(expected.length)
    const mismatches = actual.flatMap((listing, index) => (JSON.stringify(listing) === JSON.stringify(expected[index]) ? [] : [index]))
    expect(mismatches.slice(0, 5).map((index) => ({ index, expected: expected[index], actual: actual[index] }))).toEqual([])
  }, 180_000)
})

/** What one stage of the scenario saw: each parent's children in getChildren order. */
interface Stage {
  label: string
  listings: Record<string, string[]>
}

const ROOT = '/order'

/** Parents and the names they start with; `churn` grows large and then shrinks (its table stays large). */
function initialChildren(random: Random): Record<string, string[]> {
  const crowded = crowdedNames(random, 12)
  const crowdedBucket = javaBucketOf(javaStringHash(crowded[0]!), 32)
  const others = distinctNames(random, 40, NAME_KINDS['ascii']!).filter((name) => javaBucketOf(javaStringHash(name), 32) !== crowdedBucket)
  return {
    empty: [],
    one: ['only'],
    seven: distinctNames(random, 7, NAME_KINDS['ascii']!),
    thirteen: distinctNames(random, 13, NAME_KINDS['ascii']!),
    hundred: distinctNames(random, 100, NAME_KINDS['ascii']!),
    unicode: distinctNames(random, 60, NAME_KINDS['unicode']!),
    crowded: [...crowded.slice(0, 6), ...others.slice(0, 5), ...crowded.slice(6), ...others.slice(5, 15)],
    churn: distinctNames(random, 1000, NAME_KINDS['ascii']!),
  }
}

/** Runs `calls` pipelined on one session, `batch` at a time (the server answers them in order). */
async function pipelined<T>(items: readonly T[], call: (item: T) => Promise<unknown>, batch = 500): Promise<void> {
  for (let start = 0; start < items.length; start += batch) await Promise.all(items.slice(start, start + batch).map(call))
}

async function listAll(zk: ZooKeeperClient, label: string, parents: readonly string[]): Promise<Stage> {
  const listings: Record<string, string[]> = {}
  for (const parent of ['/', ROOT, ...parents.map((name) => `${ROOT}/${name}`)]) {
    const children = await zk.getChildren(parent)
    // getChildren2 reads the same set: it must list it the same way.
    const withStat = await zk.getChildren2(parent)
    expect(withStat.children, `${label} ${parent}: getChildren2 vs getChildren`).toEqual(children)
    listings[parent] = children
  }
  return { label, listings }
}

/**
 * The same seeded history against one server: build, mutate, then restarts (the first replays the log and, as both
 * servers do after replaying, snapshots; the second loads that snapshot), more changes, more restarts.
 */
async function runScenario(server: TestServer, seed: number): Promise<Stage[]> {
  const random = seededRandom(seed)
  const initial = initialChildren(random)
  const parents = [...Object.keys(initial), 'thousand']
  const stages: Stage[] = []
  let zk = await ZooKeeperClient.connect(server.connectString)
  const reconnect = async (label: string): Promise<void> => {
    await zk.close()
    await server.restart()
    zk = await ZooKeeperClient.connect(server.connectString)
    stages.push(await listAll(zk, label, parents))
  }
  try {
    await zk.create(ROOT)
    for (const [parent, names] of Object.entries(initial)) {
      await zk.create(`${ROOT}/${parent}`)
      await pipelined(names, (name) => zk.create(`${ROOT}/${parent}/${name}`))
    }
    await zk.create(`${ROOT}/thousand`)
    await pipelined(Array.from({ length: 1000 }, (_, i) => i), () => zk.create(`${ROOT}/thousand/lock-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }))
    stages.push(await listAll(zk, 'built', parents))

    // Shrink churn to 10 of its 1000 (the table stays at 2048 buckets), re-add some, add new ones.
    const churn = initial['churn']!
    const churnDeleted = churn.filter((_, i) => i % 100 !== 7)
    await pipelined(churnDeleted, (name) => zk.delete(`${ROOT}/churn/${name}`))
    const churnNew = distinctNames(random, 40, NAME_KINDS['ascii']!).filter((name) => !churn.includes(name)).slice(0, 20)
    await pipelined([...churnDeleted.slice(0, 5), ...churnNew], (name) => zk.create(`${ROOT}/churn/${name}`))
    // A deleted and re-created name goes to the end of its bucket.
    const hundred = initial['hundred']!
    await pipelined(hundred.slice(0, 30), (name) => zk.delete(`${ROOT}/hundred/${name}`))
    await pipelined([...hundred.slice(0, 10), 'new-a', 'new-b'], (name) => zk.create(`${ROOT}/hundred/${name}`))
    const first = initial['thirteen']![0]!
    await zk.delete(`${ROOT}/thirteen/${first}`)
    await zk.create(`${ROOT}/thirteen/${first}`)
    stages.push(await listAll(zk, 'mutated', parents))

    await reconnect('restart 1 (log replayed)')
    await reconnect('restart 2 (snapshot loaded)')

    await pipelined(distinctNames(random, 30, NAME_KINDS['unicode']!), (name) => zk.create(`${ROOT}/churn/${name}`).catch(() => undefined))
    for (const name of initial['seven']!) await zk.delete(`${ROOT}/seven/${name}`)
    await pipelined(['x', 'y', 'z'], (name) => zk.create(`${ROOT}/seven/${name}`))
    await pipelined(Array.from({ length: 200 }, (_, i) => i), () => zk.create(`${ROOT}/thousand/lock-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }))
    stages.push(await listAll(zk, 'changed after restarts', parents))

    await reconnect('restart 3 (snapshot + log)')
    await reconnect('restart 4 (snapshot loaded)')
    return stages
  } finally {
    await zk.close()
  }
}

describe('getChildren order: ZooDesk against Apache ZooKeeper 3.8.0', () => {
  const servers: TestServer[] = []
  let apache: Stage[] = []
  let zoodesk: Stage[] = []

  beforeAll(async () => {
    const [apacheServer, zoodeskServer] = await Promise.all([startApache({ name: 'children-order' }), startZooDesk({ name: 'children-order' })])
    servers.push(apacheServer, zoodeskServer)
    const seed = 424242
    ;[apache, zoodesk] = await Promise.all([runScenario(apacheServer, seed), runScenario(zoodeskServer, seed)])
  }, 240_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
  })

  it('lists every parent in Apache\'s order at every stage, restarts included', () => {
    expect(zoodesk.map((stage) => stage.label)).toEqual(apache.map((stage) => stage.label))
    for (const [index, stage] of apache.entries()) {
      for (const [parent, children] of Object.entries(stage.listings)) {
        expect(zoodesk[index]!.listings[parent], `${stage.label}: ${parent}`).toEqual(children)
      }
    }
  })

  it('covers what matters: Apache\'s order is neither insertion nor sorted order, and a snapshot load changed one', () => {
    const built = apache[0]!.listings
    const hundred = built[`${ROOT}/hundred`]!
    expect(hundred).not.toEqual([...hundred].sort())
    // Sequential names were created in sorted order: not sorted is not insertion order either.
    const sequential = built[`${ROOT}/thousand`]!
    expect(sequential).not.toEqual([...sequential].sort())
    const before = apache.find((stage) => stage.label === 'restart 1 (log replayed)')!.listings[`${ROOT}/churn`]
    const after = apache.find((stage) => stage.label === 'restart 2 (snapshot loaded)')!.listings[`${ROOT}/churn`]
    expect(after).not.toEqual(before)
    expect([...after!].sort()).toEqual([...before!].sort())
  })
})
