// Recognises the znode layouts the classic recipes leave (ours in engine/client/recipes, Curator's, kazoo's, the
// ZooKeeper docs') from a parent's children, and says who holds, who waits and in which order, who leads, how long a
// queue is. Pure: the recipes view feeds it pages of children.
import type { ZnodeStat } from '../../main/contract/model'

export type RecipeKind = 'lock' | 'readWriteLock' | 'election' | 'queue' | 'doubleBarrier'
export type ParticipantRole = 'holder' | 'waiting' | 'leader' | 'candidate' | 'head' | 'item' | 'entered'

export interface RecipeChild {
  name: string
  stat?: ZnodeStat
}

export interface Participant {
  name: string
  sequence: number | null
  /** The owning session (ephemeral nodes), `0x…`. */
  session: string | null
  role: ParticipantRole
  /** Read or write side of a read/write lock. */
  mode: 'read' | 'write' | null
}

export interface RecipeLayout {
  path: string
  kind: RecipeKind
  /** Who made it, as far as the names tell: 'ZooDesk/Curator', 'kazoo', 'ZooKeeper recipe'. */
  flavour: string
  /** In order: holders/leader/head first. */
  participants: Participant[]
  /** doubleBarrier: whether the `ready` node is there. */
  ready: boolean | null
}

interface Parsed {
  name: string
  sequence: number
  label: string
  flavour: string
  session: string | null
}

const CURATOR_PROTECTED = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/
const KAZOO_PREFIX = /^[0-9a-f]{32}(__\w+__)$/

function sessionOf(stat: ZnodeStat | undefined): string | null {
  if (stat === undefined) return null
  const owner = stat.ephemeralOwner.toLowerCase()
  return /^0x0*$/.test(owner) ? null : owner
}

function parse(child: RecipeChild): Parsed | null {
  const match = /^(.*?)(\d{10})$/.exec(child.name)
  if (match === null) return null
  let label = match[1] ?? ''
  let flavour = 'ZooKeeper recipe'
  if (CURATOR_PROTECTED.test(label)) {
    label = label.replace(CURATOR_PROTECTED, '')
    flavour = 'ZooDesk/Curator'
  } else {
    const kazoo = KAZOO_PREFIX.exec(label)
    if (kazoo !== null) {
      label = kazoo[1] ?? label
      flavour = 'kazoo'
    }
  }
  return { name: child.name, sequence: Number(match[2]), label, flavour, session: sessionOf(child.stat) }
}

type LabelKind = { kind: RecipeKind; mode: 'read' | 'write' | null }

function labelKind(label: string): LabelKind | null {
  switch (label) {
    case 'lock-':
    case '__lock__':
      return { kind: 'lock', mode: null }
    case 'read-':
    case '__READ__':
    case '__rlock__':
      return { kind: 'readWriteLock', mode: 'read' }
    case 'write-':
    case '__WRIT__':
      return { kind: 'readWriteLock', mode: 'write' }
    case 'n_':
    case 'latch-':
    case '__election__':
      return { kind: 'election', mode: null }
    case 'qn-':
    case 'entry-':
    case 'queue-':
      return { kind: 'queue', mode: null }
    default:
      // kazoo's priority queue: entry-<priority>-
      return /^entry-\d{3}-$/.test(label) ? { kind: 'queue', mode: null } : null
  }
}

function recogniseBarrier(path: string, children: readonly RecipeChild[]): RecipeLayout | null {
  const ready = children.some((child) => child.name === 'ready')
  const members = children.filter((child) => child.name !== 'ready')
  const ephemeral = members.filter((child) => sessionOf(child.stat) !== null)
  if (!ready && (ephemeral.length === 0 || ephemeral.length !== members.length || !/barrier/i.test(path))) return null
  if (ephemeral.length !== members.length) return null
  return {
    path,
    kind: 'doubleBarrier',
    flavour: 'ZooDesk/Curator',
    participants: members.map((child) => ({ name: child.name, sequence: null, session: sessionOf(child.stat), role: 'entered', mode: null })),
    ready,
  }
}

/** The recipe layout these children form, or null when they do not look like one. */
export function recogniseRecipe(path: string, children: readonly RecipeChild[]): RecipeLayout | null {
  if (children.length === 0) return null
  const parsed: { parsed: Parsed; kind: LabelKind }[] = []
  for (const child of children) {
    const one = parse(child)
    const kind = one === null ? null : labelKind(one.label)
    if (one !== null && kind !== null) parsed.push({ parsed: one, kind })
  }
  if (parsed.length * 2 < children.length || parsed.length === 0) return recogniseBarrier(path, children)
  parsed.sort((a, b) => a.parsed.sequence - b.parsed.sequence)
  const kinds = new Set(parsed.map((entry) => entry.kind.kind))
  const kind: RecipeKind = kinds.has('readWriteLock') ? 'readWriteLock' : (parsed[0]!.kind.kind as RecipeKind)
  const flavour = parsed[0]!.parsed.flavour
  const participants: Participant[] = []
  switch (kind) {
    case 'lock':
      parsed.forEach(({ parsed: p }, index) => participants.push({ name: p.name, sequence: p.sequence, session: p.session, role: index === 0 ? 'holder' : 'waiting', mode: null }))
      break
    case 'readWriteLock': {
      // Readers hold until the first writer; a writer holds only when it is first.
      let writerSeen = false
      parsed.forEach(({ parsed: p, kind: k }, index) => {
        // A plain lock node among read locks is the write side (kazoo's WriteLock uses __lock__).
        const mode = k.mode ?? 'write'
        const holds = mode === 'write' ? index === 0 : !writerSeen
        if (mode === 'write') writerSeen = true
        participants.push({ name: p.name, sequence: p.sequence, session: p.session, role: holds ? 'holder' : 'waiting', mode })
      })
      break
    }
    case 'election':
      parsed.forEach(({ parsed: p }, index) => participants.push({ name: p.name, sequence: p.sequence, session: p.session, role: index === 0 ? 'leader' : 'candidate', mode: null }))
      break
    case 'queue':
      parsed.forEach(({ parsed: p }, index) => participants.push({ name: p.name, sequence: p.sequence, session: p.session, role: index === 0 ? 'head' : 'item', mode: null }))
      break
    case 'doubleBarrier':
      break
  }
  return { path, kind, flavour, participants, ready: null }
}
