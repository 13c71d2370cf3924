import { afterEach, describe, expect, it } from 'vitest'
import { connectNzk, type NzkClient } from '../../compat/harness/nzk'
import { type TestServer, startApache, startZooDesk } from '../../compat/harness/servers'
import { dumpTree } from './tree-dump'

// Acceptance: a dataDir written by Apache ZooKeeper 3.8 starts ZooDesk with all its data, and one written by
// ZooDesk starts Apache with all its data. Whole servers, not just file codecs: each one writes through its own
// request pipeline, crashes (kill -9, so nothing is tidied on the way out), and the other one starts on the files.

const started: TestServer[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()))
})

async function writeWorkload(client: NzkClient): Promise<void> {
  await client.create('/app', 'root data')
  await client.create('/app/config', JSON.stringify({ replicas: 3, 名前: '节点' }))
  for (let i = 0; i < 20; i++) await client.create('/app/seq-', `item ${i}`, 'PERSISTENT_SEQUENTIAL')
  await client.remove('/app/seq-0000000003')
  await client.setData('/app/config', 'v2')
  await client.setData('/app/config', 'v3')
  await client.setACL('/app/config', [{ perms: 1, scheme: 'world', id: 'anyone' }, { perms: 31, scheme: 'digest', id: 'ops:xJ1LvcxW0bVB4dIIhuMUd/bIkpE=' }])
  await client.create('/app/empty', null)
  await client.create('/app/binary', Buffer.from([0, 1, 2, 250, 255]))
  await client.transaction([
    { op: 'create', path: '/app/txn', data: 'in a multi' },
    { op: 'setData', path: '/app/empty', data: 'filled by multi' },
    { op: 'remove', path: '/app/seq-0000000005' },
  ])
  await client.create('/app/owned-', 'ephemeral', 'EPHEMERAL_SEQUENTIAL')
}

async function crashAfterWriting(server: TestServer): Promise<Awaited<ReturnType<typeof dumpTree>>> {
  const client = await connectNzk(server.connectString)
  await writeWorkload(client)
  const before = await dumpTree(client)
  // The session stays open: its ephemeral must survive the crash (the session outlives its server).
  await server.kill9()
  client.raw.close()
  return before
}

async function readBack(server: TestServer): Promise<Awaited<ReturnType<typeof dumpTree>>> {
  const client = await connectNzk(server.connectString)
  try {
    return await dumpTree(client)
  } finally {
    await client.close()
  }
}

describe('dataDir interchange with Apache ZooKeeper 3.8', () => {
  it('ZooDesk starts on a dataDir written by Apache and serves every node with identical stats', async () => {
    const apache = await startApache({ name: 'writer' })
    started.push(apache)
    const written = await crashAfterWriting(apache)
    const zoodesk = await startZooDesk({ name: 'reader', config: { dataDir: apache.dataDir } })
    started.push(zoodesk)
    expect(await readBack(zoodesk)).toEqual(written)
  })

  it('Apache starts on a dataDir written by ZooDesk and serves every node with identical stats', async () => {
    const zoodesk = await startZooDesk({ name: 'writer' })
    started.push(zoodesk)
    const written = await crashAfterWriting(zoodesk)
    const apache = await startApache({ name: 'reader', config: { dataDir: zoodesk.dataDir } })
    started.push(apache)
    expect(await readBack(apache)).toEqual(written)
  })
})
