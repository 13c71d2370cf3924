import type { NzkClient, Stat } from '../../compat/harness/nzk'

export interface DumpedNode {
  path: string
  data: unknown
  stat: Stat
}

/** Every znode under `root` (depth first, children sorted), with its data and full Stat, for exact comparison. */
export async function dumpTree(client: NzkClient, root = '/'): Promise<DumpedNode[]> {
  const out: DumpedNode[] = []
  const visit = async (path: string): Promise<void> => {
    const { data, stat } = await client.getData(path)
    out.push({ path, data, stat })
    const { children } = await client.getChildren(path)
    for (const child of [...children].sort()) await visit(path === '/' ? `/${child}` : `${path}/${child}`)
  }
  await visit(root)
  return out
}
