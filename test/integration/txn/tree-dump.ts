import { type ACL, Perms } from '../../../engine/proto/data-records'
import type { DataTree } from '../../../engine/tree/data-tree'

/** The tree as dump-tree.py shows it through kazoo: path → data (hex), Stat fields in Stat order, ACLs. */
export interface DumpedNode {
  data: string | null
  stat: number[]
  acl: [number, string, string][]
}

export interface WorkloadOutput {
  sessions: Record<string, string>
  nodes: Record<string, DumpedNode>
}

/** The same dump from our DataTree, for a node-by-node comparison with Apache's view. */
export function dumpTree(tree: DataTree): Record<string, DumpedNode> {
  const nodes: Record<string, DumpedNode> = {}
  const walk = (path: string) => {
    const node = tree.getNode(path)!
    const stat = tree.statOf(node)
    nodes[path] = {
      data: node.data === null ? null : node.data.toString('hex'),
      stat: [
        stat.czxid,
        stat.mzxid,
        stat.ctime,
        stat.mtime,
        stat.version,
        stat.cversion,
        stat.aversion,
        stat.ephemeralOwner,
        stat.dataLength,
        stat.numChildren,
        stat.pzxid,
      ].map(Number),
      acl: aclAsReaderSees(tree.aclOf(node)),
    }
    for (const child of [...node.children].sort()) walk(path === '/' ? `/${child}` : `${path}/${child}`)
  }
  walk('/')
  return nodes
}

/** The dump scripts authenticate as digest u:p; Apache hides digest hashes from a reader without ADMIN. */
const READER_DIGEST = 'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ='

function aclAsReaderSees(acls: readonly ACL[]): [number, string, string][] {
  const readerIsAdmin = acls.some(
    (acl) =>
      (acl.perms & Perms.ADMIN) !== 0 &&
      ((acl.id.scheme === 'world' && acl.id.id === 'anyone') || (acl.id.scheme === 'digest' && acl.id.id === READER_DIGEST)),
  )
  return acls.map((acl) => [
    acl.perms,
    acl.id.scheme,
    !readerIsAdmin && acl.id.scheme === 'digest' ? acl.id.id.replace(/:.*/, ':x') : acl.id.id,
  ])
}

/**
 * The scripts' JSON. Numbers beyond 2^53 (session ids in ephemeralOwner) round the same way as Number(bigint) in
 * dumpTree, so the two dumps still compare equal; exact session ids travel as hex strings.
 */
export function parseWorkloadOutput(stdout: string): WorkloadOutput {
  const parsed = JSON.parse(stdout) as Partial<WorkloadOutput>
  return { sessions: parsed.sessions ?? {}, nodes: parsed.nodes ?? {} }
}
