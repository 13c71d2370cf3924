// zkCli.sh, Apache's own shell and Java client, against both servers: batched scripts whose
// output (modulo zxids, times and session ids) must be identical. Quotas live here too, since
// zkCli is the client that manages them; hard quotas are enforced (zookeeper.enforceQuota).
import { describe } from 'vitest'
import { pairTest, useServerPair } from '../harness/pair'
import { zkCliLines, zkCliScript } from '../harness/zkcli'
import type { TestServer } from '../harness/servers'

/**
 * zkCli prints watch events from its event thread while the main thread prints command
 * output, so the two interleave by timing: events are recorded as their own list, in order.
 */
async function scriptWithEvents(server: TestServer, commands: string[]): Promise<{ output: string[]; events: string[] }> {
  const result = await zkCliScript(server.connectString, commands)
  const lines = result.output.split('\n')
  return {
    output: lines.filter((l) => l !== '' && !l.startsWith('WatchedEvent ')),
    events: lines.filter((l) => l.startsWith('WatchedEvent ')),
  }
}

describe('zkCli.sh', () => {
  const pair = useServerPair('zkcli', { systemProperties: { 'zookeeper.enforceQuota': true } })

  pairTest(pair, 'nodes: create, ls, get, set, stat, delete, deleteall, sync (one script)', async (server) => [
    await zkCliLines(server.connectString, [
        'create /cli',
        'create /cli/a adata',
        'create -e /cli/eph edata',
        'create -s /cli/seq- s',
        'create -e -s /cli/eseq- es',
        'create /cli/a again',
        'create /cli/none/x',
        'create -e /cli/eph/child',
        'ls /cli',
        'ls -s /cli',
        'ls -R /cli',
        'ls /cli/none',
        'get /cli/a',
        'get -s /cli/a',
        'get /cli/none',
        'set /cli/a newdata',
        'set -s /cli/a newer',
        'set -v 1 /cli/a stale',
        'set /cli/none x',
        'stat /cli/a',
        'stat /cli/none',
        'delete /cli',
        'delete -v 5 /cli/a',
        'delete /cli/a',
        'delete /cli/none',
        'create /cli/d1',
        'create /cli/d1/d2',
        'create /cli/d1/d2/d3',
        'deleteall /cli/d1',
        'deleteall /cli/none',
        'ls /cli',
        'sync /cli',
        'sync /cli/none',
        'getEphemerals /cli',
        'getEphemerals',
        'getAllChildrenNumber /cli',
        'getAllChildrenNumber /',
        'ls /',
      ])
    ,
  ])

  pairTest(pair, 'ACLs and auth: getAcl, setAcl (-s, -v, -R), addauth, whoami, config', async (server) => [
    await zkCliLines(server.connectString, [
        'create /cliacl',
        'create /cliacl/kid',
        'getAcl /cliacl',
        'getAcl -s /cliacl',
        'setAcl /cliacl world:anyone:cdrwa',
        'setAcl -s /cliacl world:anyone:cdrw',
        'setAcl -v 0 /cliacl world:anyone:cdrwa',
        'setAcl -R /cliacl ip:127.0.0.1:cdrwa,world:anyone:r',
        'getAcl /cliacl/kid',
        'setAcl /cliacl world:nobody:cdrwa',
        'setAcl /cliacl/none world:anyone:cdrwa',
        'addauth digest u1:p1',
        'create /cliacl/mine data auth::cdrwa',
        'getAcl /cliacl/mine',
        'create /cliacl/digest data digest:u2:o9NxcCGDPOlcV7JVhmKHOf5ctVE=:r',
        'get /cliacl/digest',
        'getAcl /cliacl/digest',
        'whoami',
        'addauth digest u2:p2',
        'whoami',
        'get /cliacl/digest',
        'setAcl /cliacl/digest world:anyone:cdrwa',
        'config',
        'config -s',
      ])
    ,
  ])

  pairTest(pair, 'watches: get -w, ls -w, stat -w, addWatch, removewatches, printwatches', async (server) => [
    await scriptWithEvents(server, [
      'create /cliw',
      'get -w /cliw',
      'set /cliw 1',
      'ls -w /cliw',
      'create /cliw/c',
      'stat -w /cliw/none',
      'create /cliw/none',
      'addWatch /cliw',
      'set /cliw 2',
      'create /cliw/c2',
      'addWatch -m PERSISTENT_RECURSIVE /cliw/c2',
      'create /cliw/c2/deep',
      'set /cliw/c2/deep d',
      'get -w /cliw/c',
      'removewatches /cliw/c -d',
      'removewatches /cliw/c -c',
      'removewatches /cliw -a',
      'removewatches /cliw/c2 -a',
      'removewatches /cliw/none -a',
      'set /cliw 3',
      'set /cliw/c2/deep e',
      'printwatches off',
      'get -w /cliw',
      'set /cliw 4',
      // The event thread checks the flag when it prints: let it see `off` before the main thread turns it back on.
      'sync /cliw',
      'ls /cliw',
      'ls /cliw',
      'printwatches on',
      'ls -w /cliw',
      'delete /cliw/c',
      // zkCli prints events from its event thread: give the last ones time to print before `quit` ends the JVM.
      'sync /cliw',
      'ls /cliw',
      'ls /cliw',
    ]),
  ])

  pairTest(pair, 'quotas: setquota, listquota, delquota, the /zookeeper/quota nodes, hard limits enforced', async (server) => [
    await zkCliLines(server.connectString, [
        'create /cliq',
        'setquota -n 3 /cliq',
        'listquota /cliq',
        'setquota -b 10 /cliq',
        'listquota /cliq',
        'create /cliq/a',
        'create /cliq/b 12345678901',
        'create /cliq/c',
        'listquota /cliq',
        'ls -R /zookeeper/quota',
        'get -s /zookeeper/quota/cliq/zookeeper_limits',
        'get /zookeeper/quota/cliq/zookeeper_stats',
        'setquota -n 5 /cliq/a',
        'setquota -n 5 /',
        'setquota -n 5 /zookeeper',
        'setquota -n 5 /cliq/none',
        'delquota -n /cliq',
        'listquota /cliq',
        'delquota -b /cliq',
        'listquota /cliq',
        'delquota /cliq',
        'listquota /cliq',
        'delquota /cliq',
        'create /cliqh',
        'setquota -N 2 /cliqh',
        'create /cliqh/a',
        'create /cliqh/b',
        'setquota -B 5 /cliqh',
        'listquota /cliqh',
        'set /cliqh 123',
        'set /cliqh 123456',
        'get /cliqh',
        'get /zookeeper/quota/cliqh/zookeeper_limits',
        'get /zookeeper/quota/cliqh/zookeeper_stats',
        'delete /cliqh/a',
        'create /cliqh/c',
        'delquota /cliqh',
        'create /cliqh/d',
        'listquota /cliqh',
        'ls /zookeeper/quota',
      ])
    ,
  ])
})
