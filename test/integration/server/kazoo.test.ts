import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from './harness'

const run = promisify(execFile)

describe('kazoo (Python client) against our server', () => {
  let running: RunningServer
  beforeAll(async () => {
    running = await startServer()
  })
  afterAll(async () => {
    await running.close()
  })

  it('runs a full session: CRUD, sequence, ephemeral, watches, transaction, digest ACL', async () => {
    const script = join(__dirname, 'clients', 'kazoo_flow.py')
    const { stdout } = await run('/usr/bin/python3', [script, `127.0.0.1:${running.port}`], { timeout: 30_000 })
    const out = JSON.parse(stdout) as Record<string, unknown>
    expect(out).toMatchObject({
      connected: true,
      get: ['v1', 0, 2],
      set_version: 1,
      bad_version: true,
      node_exists: true,
      no_node: true,
      sequence: ['/k/s-0000000000', '/k/s-0000000001', '/k/s-0000000002'],
      ephemeral_owner_is_session: true,
      not_empty: true,
      events: [
        ['CHANGED', '/k'],
        ['CHILD', '/k'],
        ['CREATED', '/later'],
      ],
      transaction: ['str', 'ZnodeStat', 'bool'],
      secret_read_by_owner: 's',
      secret_denied: true,
      acl_denied: true,
      acl_masked: 'alice:x',
      children: ['c', 'e', 's-0000000000', 's-0000000001', 's-0000000002'],
    })
    expect(out['server_version_reply']).toMatch(/^Zookeeper version: 3\.8\.\d+-zoodesk, built on /)
  })
})
