import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateRequest, OPEN_ACL_UNSAFE, OpCode, PathWatchRequest } from '../../../engine/proto'
import { MNTR_KEYS } from '../../../engine/server/monitor'
import { RawClient, type RunningServer, startServer } from './harness'

describe('AdminServer', () => {
  let running: RunningServer
  let client: RawClient
  let base: string
  beforeAll(async () => {
    running = await startServer({ adminEnableServer: true, configText: 'tickTime=2000\n' })
    base = `http://127.0.0.1:${running.adminPort}/commands`
    client = await RawClient.session(running.port, { timeoutMs: 10000 })
    await client.call(1, OpCode.create, CreateRequest, { path: '/e', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 1 })
    await client.call(2, OpCode.getData, PathWatchRequest, { path: '/e', watch: true })
  })
  afterAll(async () => {
    client.close()
    await running.close()
  })

  async function get(path: string): Promise<{ status: number; type: string | null; text: string }> {
    const response = await fetch(`${base}${path}`)
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
  }

  it('answers ruok with Jackson-formatted JSON', async () => {
    const response = await get('/ruok')
    expect(response.status).toBe(200)
    expect(response.type).toBe('application/json')
    expect(response.text).toBe('{\n  "command" : "ruok",\n  "error" : null\n}')
  })

  it('names an unknown command in its error, and reports the primary name for aliases', async () => {
    expect((await get('/nosuch')).text).toBe('{\n  "command" : "nosuch",\n  "error" : "Unknown command: nosuch"\n}')
    expect(JSON.parse((await get('/cons')).text)).toMatchObject({ command: 'connections', error: null })
    expect((await get('/leader')).text).toBe('{\n  "error" : "server is not initialized",\n  "command" : "leader"\n}')
    expect((await get('/set_trace_mask')).text).toBe(
      '{\n  "error" : "setTraceMask requires long traceMask argument",\n  "command" : "set_trace_mask"\n}',
    )
    expect(JSON.parse((await get('/stmk?traceMask=99')).text)).toEqual({ tracemask: 99, command: 'set_trace_mask', error: null })
  })

  it('lists every command as links', async () => {
    const response = await get('')
    expect(response.text.split('\n')[0]).toBe('<a href="/commands/configuration">configuration</a>')
    expect(response.text).toContain('<a href="/commands/zabstate">zabstate</a>\n<br/>\n')
  })

  it('monitor has every mntr key, typed', async () => {
    const monitor = JSON.parse((await get('/monitor')).text) as Record<string, unknown>
    // The per-namespace summaries follow Apache's fixed keys: reads of /e (the getData), then writes (its create).
    const perNamespace = (set: string) => ['avg', 'min', 'max', 'cnt', 'sum'].map((stat) => `${stat}_e_${set}_per_namespace`)
    expect(Object.keys(monitor)).toEqual([
      'version', 'server_state', ...MNTR_KEYS.map((key) => key.name), ...perNamespace('read'), ...perNamespace('write'), 'command', 'error',
    ])
    expect(monitor['avg_e_read_per_namespace']).toBe(70) // 2 + 0 bytes + 68 of stat
    expect((await get('/monitor')).text).toContain('"avg_e_read_per_namespace" : 70.0,')
    expect(monitor['znode_count']).toBe(6)
    expect(monitor['server_state']).toBe('standalone')
    expect((await get('/monitor')).text).toContain('"connection_drop_probability" : 0.0,')
  })

  it('connections, dump, watches in Apache\'s shapes', async () => {
    const cons = JSON.parse((await get('/connections')).text) as { connections: Array<Record<string, unknown>> }
    expect(Object.keys(cons.connections[0]!)).toEqual([
      'remote_socket_address', 'interest_ops', 'outstanding_requests', 'packets_received', 'packets_sent', 'session_id',
      'last_operation', 'established', 'session_timeout', 'last_cxid', 'last_zxid', 'last_response_time', 'last_latency',
      'min_latency', 'avg_latency', 'max_latency',
    ])
    expect(cons.connections[0]).toMatchObject({ interest_ops: 1, last_operation: 'GETD', session_timeout: 10000, last_cxid: 2 })
    expect(cons.connections[0]!['remote_socket_address']).toMatch(/^127\.0\.0\.1:\d+$/)
    const sessionId = client.sessionId.toString()
    const dumpText = (await get('/dump')).text
    expect(dumpText).toContain(`"session_id_to_ephemeral_paths" : {\n    "${sessionId}" : [ "/e" ]\n  }`)
    expect((await get('/watches')).text).toContain(`"${sessionId}" : [ "/e" ]`)
    expect((await get('/watches_by_path')).text).toContain(`"/e" : [ ${sessionId} ]`)
    expect(JSON.parse((await get('/wchs')).text)).toEqual({ num_connections: 1, num_paths: 1, num_total_watches: 1, command: 'watch_summary', error: null })
  })

  it('server_stats and configuration', async () => {
    const stats = JSON.parse((await get('/srvr')).text) as Record<string, unknown>
    expect(Object.keys(stats)).toEqual(['version', 'read_only', 'server_stats', 'client_response', 'node_count', 'command', 'error'])
    expect(stats['node_count']).toBe(6)
    expect((await get('/srvr')).text).toMatch(/"avg_latency" : \d+\.\d+/)
    expect(JSON.parse((await get('/conf')).text)).toEqual({
      client_port: running.port,
      data_dir: '/tmp/zoodesk-test/version-2',
      data_log_dir: '/tmp/zoodesk-test/version-2',
      tick_time: 2000,
      max_client_cnxns: 60,
      min_session_timeout: 4000,
      max_session_timeout: 40000,
      server_id: 0,
      client_port_listen_backlog: -1,
      command: 'configuration',
      error: null,
    })
    expect(JSON.parse((await get('/icfg')).text)).toEqual({ initial_configuration: 'tickTime=2000\n', command: 'initial_configuration', error: null })
    expect(JSON.parse((await get('/zabstate')).text)).toEqual({ voting: false, zabstate: '', command: 'zabstate', error: null })
  })

  it('serves GET only and nothing outside the command URL', async () => {
    expect((await fetch(`${base}/ruok`, { method: 'POST' })).status).toBe(405)
    expect((await fetch(`http://127.0.0.1:${running.adminPort}/elsewhere`)).status).toBe(404)
  })
})
