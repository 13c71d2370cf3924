import { type Socket, connect } from 'node:net'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZooKeeperClient } from '../../../engine/client'
import { JuteWriter } from '../../../engine/jute'
import {
  ConnectRequest,
  CreateRequest,
  DeleteRequest,
  GetDataRequest,
  MultiHeader,
  OPEN_ACL_UNSAFE,
  OpCode,
  RequestHeader,
  SetDataRequest,
  SetWatches,
  AuthPacket,
} from '../../../engine/proto'
import { type TestServer, fourLetter, startZooDesk } from '../../compat/harness/servers'

// Acceptance: many thousands of random and mutated frames on many connections; the server never crashes, its
// memory stays bounded, and a well-behaved session running beside it sees no error and loses no data.

const CONNECTIONS = 1500
const PARALLEL = 24
const FRAMES_PER_CONNECTION = 40
const seed = Number(process.env['ZOODESK_FUZZ_SEED'] ?? Date.now() % 1_000_000)

let state = seed || 1
function rand(): number {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) / 0x1_0000_0000
}
const randInt = (n: number): number => Math.floor(rand() * n)

function frame(build: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter()
  w.int(0)
  build(w)
  w.intAt(0, w.offset - 4)
  return w.toBuffer()
}

const handshake = frame((w) =>
  ConnectRequest.write(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 4000, sessionId: 0n, passwd: Buffer.alloc(16) }),
)

/** Valid requests of many kinds: the seeds that mutation starts from. */
const corpus: Buffer[] = [
  frame((w) => {
    RequestHeader.write(w, { xid: 1, type: OpCode.create })
    CreateRequest.write(w, { path: '/fuzz', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags: 0 })
  }),
  frame((w) => {
    RequestHeader.write(w, { xid: 2, type: OpCode.getData })
    GetDataRequest.write(w, { path: '/fuzz', watch: true })
  }),
  frame((w) => {
    RequestHeader.write(w, { xid: 3, type: OpCode.setData })
    SetDataRequest.write(w, { path: '/fuzz', data: Buffer.alloc(64, 7), version: -1 })
  }),
  frame((w) => {
    RequestHeader.write(w, { xid: 4, type: OpCode.delete })
    DeleteRequest.write(w, { path: '/fuzz', version: -1 })
  }),
  frame((w) => {
    RequestHeader.write(w, { xid: 5, type: OpCode.multi })
    MultiHeader.write(w, { type: OpCode.create, done: false, err: -1 })
    CreateRequest.write(w, { path: '/fuzz-m', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 2 })
    MultiHeader.write(w, { type: OpCode.delete, done: false, err: -1 })
    DeleteRequest.write(w, { path: '/fuzz-m', version: 0 })
    MultiHeader.write(w, { type: -1, done: true, err: -1 })
  }),
  frame((w) => {
    RequestHeader.write(w, { xid: -8, type: OpCode.setWatches })
    SetWatches.write(w, { relativeZxid: 0n, dataWatches: ['/a', '/b'], existWatches: ['/c'], childWatches: ['/'] })
  }),
  frame((w) => {
    RequestHeader.write(w, { xid: -4, type: OpCode.auth })
    AuthPacket.write(w, { type: 0, scheme: 'digest', auth: Buffer.from('user:pw') })
  }),
  frame((w) => RequestHeader.write(w, { xid: -2, type: OpCode.ping })),
]

function mutate(seedFrame: Buffer): Buffer {
  const bytes = Buffer.from(seedFrame)
  switch (randInt(7)) {
    case 0: // flip some bytes
      for (let i = 0, n = 1 + randInt(6); i < n; i++) bytes[randInt(bytes.length)] = randInt(256)
      return bytes
    case 1: // truncate the body but keep the declared length
      return bytes.subarray(0, 4 + randInt(bytes.length - 4))
    case 2: // a length beyond jute.maxbuffer, or negative
      bytes.writeInt32BE([0x7fffffff, -1, -100, 0x100000, 0xfffff + 1][randInt(5)]!, 0)
      return bytes
    case 3: // a random opcode
      bytes.writeInt32BE([randInt(200) - 20, 0x7fffffff, -0x80000000][randInt(3)]!, 8)
      return bytes
    case 4: // a vector or string length inside the body blown up
      if (bytes.length > 16) bytes.writeInt32BE([0x7fffffff, -2, 0x10000000][randInt(3)]!, 12 + randInt(bytes.length - 16))
      return bytes
    case 5: // pure noise with a plausible length
      return frame((w) => w.raw(Buffer.from(Array.from({ length: randInt(64) }, () => randInt(256)))))
    default: // valid
      return bytes
  }
}

function fuzzConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1')
    const finish = (): void => {
      socket.destroy()
      resolve()
    }
    socket.on('error', finish)
    socket.on('close', finish)
    socket.on('data', () => undefined)
    socket.on('connect', () => {
      const parts: Buffer[] = []
      if (rand() < 0.75) parts.push(handshake)
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) parts.push(mutate(corpus[randInt(corpus.length)]!))
      // Sometimes all at once, sometimes cut at random points, as a hostile network would deliver them.
      const bytes = Buffer.concat(parts)
      let offset = 0
      while (offset < bytes.length) {
        const size = rand() < 0.5 ? bytes.length : 1 + randInt(64)
        socket.write(bytes.subarray(offset, offset + size))
        offset += size
      }
      setTimeout(finish, 20 + randInt(60))
    })
  })
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1]
  return Number(kb) * 1024
}

let server: TestServer
beforeAll(async () => {
  server = await startZooDesk({ name: 'fuzz', config: { maxClientCnxns: 0 } })
})
afterAll(async () => {
  await server?.stop()
})

describe('fuzzed frames', () => {
  it(`leave the server, its data and a well-behaved session untouched (seed ${seed})`, async () => {
    const good = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10_000 })
    const states: string[] = []
    good.on('state', (event) => states.push(String(event)))
    await good.create('/good', 'v0')
    const rssBefore = rssBytes(server.pid!)

    const errors: unknown[] = []
    let version = 0
    let stopGood = false
    const goodLoop = (async () => {
      while (!stopGood) {
        try {
          const stat = await good.setData('/good', `v${version + 1}`, version)
          version = stat.version
          const { data } = await good.getData('/good')
          if (data?.toString() !== `v${version}`) errors.push(new Error(`read ${String(data)} after writing v${version}`))
        } catch (error) {
          errors.push(error)
        }
      }
    })()

    let launched = 0
    const lane = async (): Promise<void> => {
      while (launched < CONNECTIONS) {
        launched++
        await fuzzConnection(server.port)
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, lane))
    stopGood = true
    await goodLoop

    expect(server.isRunning()).toBe(true)
    expect(await fourLetter(server.host, server.port, 'ruok')).toBe('imok')
    expect(errors).toEqual([])
    expect(states).toEqual([])
    expect(version).toBeGreaterThan(20)
    const { data } = await good.getData('/good')
    expect(data?.toString()).toBe(`v${version}`)
    await good.close()

    const rssAfter = rssBytes(server.pid!)
    console.log(`fuzz: ${CONNECTIONS} connections, ${CONNECTIONS * FRAMES_PER_CONNECTION} frames; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB; good session made ${version} writes`)
    expect(rssAfter - rssBefore).toBeLessThan(200 * 2 ** 20)
  })
})
