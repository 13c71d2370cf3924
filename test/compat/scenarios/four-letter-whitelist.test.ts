// The 4lw whitelist as Apache ships it (no 4lw.commands.whitelist key: only srvr runs): every
// other known word answers one line saying it is not whitelisted, and bytes that are no word
// are taken as a frame length, as on any client connection.
import { describe } from 'vitest'
import { pairTest, useServerPair } from '../harness/pair'
import { fourLetter } from '../harness/servers'

const WORDS = ['ruok', 'srvr', 'stat', 'mntr', 'conf', 'cons', 'crst', 'srst', 'envi', 'wchs', 'wchc', 'wchp', 'dump', 'isro', 'dirs', 'gtmk', 'stmk', 'hash']

describe('four-letter words with the default whitelist', () => {
  const pair = useServerPair('4lw-whitelist', { config: { '4lw.commands.whitelist': null } })

  pairTest(pair, 'only srvr runs; the others say they are not whitelisted', async (server) => {
    const out: unknown[] = []
    for (const cmd of WORDS) {
      const payload = cmd === 'stmk' ? Buffer.alloc(8) : undefined
      const text = await fourLetter(server.host, server.port, cmd, payload === undefined ? {} : { payload })
      out.push({ cmd, text: cmd === 'srvr' ? text.split('\n').map((l) => l.replace(/: .*$/, ': <value>')) : text })
    }
    return out
  })

  pairTest(pair, 'bytes that are no word: a frame length, then whatever a client connection does with it', async (server) => {
    const out: unknown[] = []
    for (const cmd of ['xyzw', 'RUOK', '\u0000\u0000\u0000\u0004']) {
      out.push({ cmd: Buffer.from(cmd, 'latin1').toString('hex'), result: await fourLetter(server.host, server.port, cmd, { timeoutMs: 1500 }).catch((e: unknown) => `error: ${String(e).replace(/\d+\.\d+\.\d+\.\d+:\d+/, '<addr>').replace(/\(got .*\)$/, '')}`) })
    }
    return out
  })
})
