import { type Codec, JuteReader, JuteWriter } from '../../../engine/jute'
import {
  type ACL, AddWatchRequest, CheckVersionRequest, Create2Response, CreateRequest, CreateResponse, CreateTTLRequest, DeleteRequest,
  ErrorResponse, GetACLResponse, GetAllChildrenNumberResponse, GetChildren2Response, GetChildrenResponse, GetDataResponse,
  GetEphemeralsRequest, GetEphemeralsResponse, MultiHeader, OpCode, PathRequest, PathWatchRequest, ReconfigRequest, SetACLRequest,
  SetDataRequest, SetWatches, SetWatches2, Stat, StatResponse, WatchesRequest, WatcherEvent, WhoAmIResponse, AuthPacket,
  OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, CREATOR_ALL_ACL, SyncResponse,
} from '../../../engine/proto'
import { RawClient } from './harness'

export class Normalizer {
  zxids = new Map<bigint, string>()
  sessions = new Map<bigint, string>()
  zx(z: bigint): string {
    if (z === 0n || z === -1n) return String(z)
    let s = this.zxids.get(z)
    if (s === undefined) { s = `Z${this.zxids.size}`; this.zxids.set(z, s) }
    return s
  }
  sid(s: bigint): string {
    if (s === 0n) return '0'
    let v = this.sessions.get(s)
    if (v === undefined) { v = `S${this.sessions.size}`; this.sessions.set(s, v) }
    return v
  }
  stat(st: Stat): string {
    return `{cz=${this.zx(st.czxid)} mz=${this.zx(st.mzxid)} pz=${this.zx(st.pzxid)} v=${st.version} cv=${st.cversion} av=${st.aversion} eo=${this.sid(st.ephemeralOwner)} dl=${st.dataLength} nc=${st.numChildren} tsEq=${st.ctime === st.mtime}}`
  }
}

type Decoder = (r: JuteReader, n: Normalizer) => string
const d = {
  none: (() => '') as Decoder,
  stat: ((r, n) => n.stat(StatResponse.read(r).stat)) as Decoder,
  create: ((r) => CreateResponse.read(r).path) as Decoder,
  create2: ((r, n) => { const c = Create2Response.read(r); return `${c.path} ${n.stat(c.stat)}` }) as Decoder,
  getData: ((r, n) => { const g = GetDataResponse.read(r); return `${g.data === null ? 'null' : JSON.stringify(g.data.toString('latin1'))} ${n.stat(g.stat)}` }) as Decoder,
  children: ((r) => JSON.stringify(GetChildrenResponse.read(r).children.sort())) as Decoder,
  children2: ((r, n) => { const g = GetChildren2Response.read(r); return `${JSON.stringify(g.children.sort())} ${n.stat(g.stat)}` }) as Decoder,
  acl: ((r, n) => { const g = GetACLResponse.read(r); return `${JSON.stringify(g.acl)} ${n.stat(g.stat)}` }) as Decoder,
  count: ((r) => String(GetAllChildrenNumberResponse.read(r).totalNumber)) as Decoder,
  ephemerals: ((r) => JSON.stringify(GetEphemeralsResponse.read(r).ephemerals.sort())) as Decoder,
  whoami: ((r) => JSON.stringify(WhoAmIResponse.read(r).clientInfo)) as Decoder,
  errorResponse: ((r) => String(ErrorResponse.read(r).err)) as Decoder,
  sync: ((r) => SyncResponse.read(r).path) as Decoder,
  multi: ((r, n) => {
    const parts: string[] = []
    for (;;) {
      const h = MultiHeader.read(r)
      if (h.done) { parts.push(`end(${h.type},${h.err})`); break }
      switch (h.type) {
        case OpCode.create: parts.push(`create:${CreateResponse.read(r).path}`); break
        case OpCode.create2: { const c = Create2Response.read(r); parts.push(`create2:${c.path} ${n.stat(c.stat)}`); break }
        case OpCode.delete: parts.push('delete'); break
        case OpCode.check: parts.push('check'); break
        case OpCode.setData: parts.push(`setData:${n.stat(StatResponse.read(r).stat)}`); break
        case OpCode.getData: { const g = GetDataResponse.read(r); parts.push(`getData:${g.data?.toString('latin1')} ${n.stat(g.stat)}`); break }
        case OpCode.getChildren: parts.push(`getChildren:${JSON.stringify(GetChildrenResponse.read(r).children.sort())}`); break
        case OpCode.error: parts.push(`error(${h.err}):${ErrorResponse.read(r).err}`); break
        default: parts.push(`?${h.type}`)
      }
    }
    return parts.join(' | ')
  }) as Decoder,
}

export interface Op { type: number; body: Buffer }
export function op<T>(type: number, codec: Codec<T> | undefined, record: T | undefined): Op {
  const w = new JuteWriter()
  if (codec && record !== undefined) codec.write(w, record)
  return { type, body: w.toBuffer() }
}
/** One multi sub-op: its type and its already-typed record writer. */
export interface MultiOp {
  type: number
  write(w: JuteWriter): void
}
export function sub<T>(type: number, codec: Codec<T>, record: T): MultiOp {
  return { type, write: (w) => codec.write(w, record) }
}
export function multi(ops: MultiOp[]): Buffer {
  const w = new JuteWriter()
  for (const o of ops) { MultiHeader.write(w, { type: o.type, done: false, err: -1 }); o.write(w) }
  MultiHeader.write(w, { type: -1, done: true, err: -1 })
  return w.toBuffer()
}

export class Transcript {
  lines: string[] = []
  n = new Normalizer()
  xid = 1
  async call(label: string, c: RawClient, o: Op, dec: Decoder = d.none): Promise<void> {
    const xid = this.xid++
    c.sendBody(xid, o.type, o.body)
    const events: Array<{ type: number; path: string }> = []
    let line: string
    try {
      const reply = await c.replyFor(xid, events)
      const body = (reply.err === 0 || o.type === OpCode.multi) && reply.body.length > 0 ? dec(new JuteReader(reply.body), this.n) : reply.body.length === 0 ? '' : `BODY:${reply.body.toString('hex')}`
      line = `${label}: err=${reply.err} zxid=${this.n.zx(reply.zxid)} ${body}`
    } catch (e) {
      line = `${label}: ${(e as Error).message}`
    }
    for (const ev of events) this.lines.push(`  event ${ev.type} ${ev.path}`)
    this.lines.push(line)
  }
  async events(label: string, c: RawClient, waitMs = 300): Promise<void> {
    // drain notifications with a ping round trip
    const xid = this.xid++
    c.send(-2, OpCode.ping)
    const evs: Array<{ type: number; path: string }> = []
    for (;;) {
      const reply = await c.reply()
      if (reply.xid === -1) { const e = WatcherEvent.read(new JuteReader(reply.body)); evs.push({ type: e.type, path: e.path }); continue }
      break
    }
    void xid; void waitMs
    this.lines.push(`${label}: events ${JSON.stringify(evs)}`)
  }
}

const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } })
const OPEN = [...OPEN_ACL_UNSAFE]

export async function scenarioCore(port: number, root: string): Promise<string[]> {
  const t = new Transcript()
  const c = await RawClient.session(port, { readOnly: false })
  const c2 = await RawClient.session(port, { readOnly: false })
  const cr = (path: string, flags = 0, data: Buffer | null = Buffer.from('d'), a: ACL[] = OPEN) => op(OpCode.create, CreateRequest, { path, data, acl: a, flags })
  const cr2 = (path: string, flags = 0, data: Buffer | null = Buffer.from('d'), a: ACL[] = OPEN) => op(OpCode.create2, CreateRequest, { path, data, acl: a, flags })
  await t.call('root', c, cr(root, 0, null), d.create)
  await t.call('root-again', c, cr(root), d.create)
  await t.call('flags7', c, cr(`${root}/x`, 7), d.create)
  await t.call('flags-1', c, cr(`${root}/x`, -1), d.create)
  await t.call('noslash', c, cr('x'), d.create)
  await t.call('nul', c, cr(`${root}/a\u0000b`), d.create)
  await t.call('trailing-slash-missing-parent', c, cr(`${root}/nope/`), d.create)
  await t.call('trailing-slash', c, cr(`${root}/`), d.create)
  await t.call('dot', c, cr(`${root}/.`), d.create)
  await t.call('dotdot-missing', c, cr(`${root}/x/..`), d.create)
  await t.call('double-slash', c, cr(`${root}//x`), d.create)
  await t.call('empty-acl+missing-parent', c, cr(`${root}/nope/x`, 0, null, []), d.create)
  await t.call('bad-scheme-acl', c, cr(`${root}/x`, 0, null, [acl(31, 'foo', 'bar')]), d.create)
  await t.call('world-other', c, cr(`${root}/x`, 0, null, [acl(31, 'world', 'other')]), d.create)
  await t.call('auth-acl-unauthenticated', c, cr(`${root}/x`, 0, null, [...CREATOR_ALL_ACL]), d.create)
  await t.call('ip-acl-bad', c, cr(`${root}/x`, 0, null, [acl(31, 'ip', '1.2.3')]), d.create)
  await t.call('digest-acl-bad', c, cr(`${root}/x`, 0, null, [acl(31, 'digest', 'nocolon')]), d.create)
  await t.call('readonly-node', c, cr2(`${root}/ro`, 0, Buffer.from('r'), [...READ_ACL_UNSAFE]), d.create2)
  await t.call('create-under-readonly', c, cr(`${root}/ro/x`), d.create)
  await t.call('create-existing-under-readonly', c, cr(`${root}/ro`), d.create)
  await t.call('eph', c, cr2(`${root}/eph`, 1), d.create2)
  await t.call('under-eph-exists', c, cr(`${root}/eph`), d.create)
  await t.call('under-eph', c, cr(`${root}/eph/x`), d.create)
  await t.call('seq1', c, cr(`${root}/s-`, 2), d.create)
  await t.call('seq2', c, cr2(`${root}/s-`, 3), d.create2)
  await t.call('seq-slash', c, cr(`${root}/`, 2), d.create)
  await t.call('del-seq1', c, op(OpCode.delete, DeleteRequest, { path: `${root}/s-0000000003`, version: -1 }))
  await t.call('seq3', c, cr(`${root}/s-`, 2), d.create)
  await t.call('stat-root', c, op(OpCode.exists, PathWatchRequest, { path: root, watch: false }), d.stat)
  await t.call('container', c, op(OpCode.createContainer, CreateRequest, { path: `${root}/cont`, data: null, acl: OPEN, flags: 4 }), d.create2)
  await t.call('container-flag0', c, op(OpCode.createContainer, CreateRequest, { path: `${root}/cont0`, data: null, acl: OPEN, flags: 0 }), d.create2)
  await t.call('create2-container-flag', c, cr2(`${root}/cont2`, 4), d.create2)
  await t.call('ttl', c, op(OpCode.createTTL, CreateTTLRequest, { path: `${root}/ttl`, data: null, acl: OPEN, flags: 5, ttl: 100000n }), d.create2)
  await t.call('ttl-zero', c, op(OpCode.createTTL, CreateTTLRequest, { path: `${root}/ttl0`, data: null, acl: OPEN, flags: 5, ttl: 0n }), d.create2)
  await t.call('ttl-huge', c, op(OpCode.createTTL, CreateTTLRequest, { path: `${root}/ttl0`, data: null, acl: OPEN, flags: 6, ttl: 0x10000000000n }), d.create2)
  await t.call('ttl-nonttl-flag', c, op(OpCode.createTTL, CreateTTLRequest, { path: `${root}/ttl0`, data: null, acl: OPEN, flags: 0, ttl: 5n }), d.create2)
  await t.call('create-ttl-flag-no-ttl', c, cr(`${root}/ttl1`, 5), d.create)
  await t.call('ttl-seq', c, op(OpCode.createTTL, CreateTTLRequest, { path: `${root}/ttl-`, data: null, acl: OPEN, flags: 6, ttl: 100000n }), d.create2)
  await t.call('ttl-bad-flag', c, op(OpCode.createTTL, CreateTTLRequest, { path: `${root}/ttl0`, data: null, acl: OPEN, flags: 9, ttl: 5n }), d.create2)
  // delete
  await t.call('del-root', c, op(OpCode.delete, DeleteRequest, { path: '/', version: -1 }))
  await t.call('del-zk', c, op(OpCode.delete, DeleteRequest, { path: '/zookeeper', version: -1 }))
  await t.call('del-quota', c, op(OpCode.delete, DeleteRequest, { path: '/zookeeper/quota', version: -1 }))
  await t.call('del-noslash', c, op(OpCode.delete, DeleteRequest, { path: 'abc', version: -1 }))
  await t.call('del-missing-parent', c, op(OpCode.delete, DeleteRequest, { path: `${root}/nope/x`, version: -1 }))
  await t.call('del-missing', c, op(OpCode.delete, DeleteRequest, { path: `${root}/nope`, version: -1 }))
  await t.call('del-badversion+children', c, op(OpCode.delete, DeleteRequest, { path: root, version: 99 }))
  await t.call('del-children', c, op(OpCode.delete, DeleteRequest, { path: root, version: -1 }))
  await t.call('del-under-readonly-missing', c, op(OpCode.delete, DeleteRequest, { path: `${root}/ro/zz`, version: -1 }))
  await t.call('del-trailing', c, op(OpCode.delete, DeleteRequest, { path: `${root}/`, version: -1 }))
  // setData
  await t.call('set-noslash', c, op(OpCode.setData, SetDataRequest, { path: 'abc', data: null, version: -1 }), d.stat)
  await t.call('set-trailing', c, op(OpCode.setData, SetDataRequest, { path: `${root}/`, data: null, version: -1 }), d.stat)
  await t.call('set-missing', c, op(OpCode.setData, SetDataRequest, { path: `${root}/nope`, data: null, version: -1 }), d.stat)
  await t.call('set-readonly', c, op(OpCode.setData, SetDataRequest, { path: `${root}/ro`, data: null, version: 5 }), d.stat)
  await t.call('set-badversion', c, op(OpCode.setData, SetDataRequest, { path: `${root}/eph`, data: null, version: 5 }), d.stat)
  await t.call('set-ok', c, op(OpCode.setData, SetDataRequest, { path: `${root}/eph`, data: Buffer.from('new'), version: 0 }), d.stat)
  await t.call('set-null', c, op(OpCode.setData, SetDataRequest, { path: `${root}/eph`, data: null, version: -1 }), d.stat)
  await t.call('get-null', c, op(OpCode.getData, PathWatchRequest, { path: `${root}/eph`, watch: false }), d.getData)
  await t.call('set-root', c, op(OpCode.setData, SetDataRequest, { path: '/', data: Buffer.from('r'), version: -1 }), d.stat)
  await t.call('set-root-back', c, op(OpCode.setData, SetDataRequest, { path: '/', data: Buffer.alloc(0), version: -1 }), d.stat)
  // setACL
  await t.call('setacl-empty', c, op(OpCode.setACL, SetACLRequest, { path: `${root}/nope`, acl: [], version: -1 }), d.stat)
  await t.call('setacl-missing', c, op(OpCode.setACL, SetACLRequest, { path: `${root}/nope`, acl: OPEN, version: -1 }), d.stat)
  await t.call('setacl-badpath', c, op(OpCode.setACL, SetACLRequest, { path: 'x', acl: [], version: -1 }), d.stat)
  await t.call('setacl-noadmin', c, op(OpCode.setACL, SetACLRequest, { path: `${root}/ro`, acl: OPEN, version: 3 }), d.stat)
  await t.call('setacl-badversion', c, op(OpCode.setACL, SetACLRequest, { path: `${root}/eph`, acl: OPEN, version: 3 }), d.stat)
  await t.call('setacl-ok', c, op(OpCode.setACL, SetACLRequest, { path: `${root}/eph`, acl: [acl(31, 'world', 'anyone'), acl(31, 'world', 'anyone'), acl(1, 'ip', '127.0.0.1/8')], version: 0 }), d.stat)
  await t.call('getacl', c, op(OpCode.getACL, PathRequest, { path: `${root}/eph` }), d.acl)
  await t.call('getacl-config', c, op(OpCode.getACL, PathRequest, { path: '/zookeeper/config' }), d.acl)
  await t.call('getacl-root', c, op(OpCode.getACL, PathRequest, { path: '/' }), d.acl)
  await t.call('getacl-missing', c, op(OpCode.getACL, PathRequest, { path: `${root}/nope` }), d.acl)
  // reads
  await t.call('exists-missing', c, op(OpCode.exists, PathWatchRequest, { path: `${root}/nope`, watch: false }), d.stat)
  await t.call('exists-badpath', c, op(OpCode.exists, PathWatchRequest, { path: 'garbage', watch: false }), d.stat)
  await t.call('get-missing', c, op(OpCode.getData, PathWatchRequest, { path: `${root}/nope`, watch: true }), d.getData)
  await t.call('get-zk', c, op(OpCode.getData, PathWatchRequest, { path: '/zookeeper', watch: false }), d.getData)
  await t.call('get-config', c, op(OpCode.getData, PathWatchRequest, { path: '/zookeeper/config', watch: false }), d.getData)
  await t.call('get-root', c, op(OpCode.getData, PathWatchRequest, { path: '/', watch: false }), d.getData)
  await t.call('children', c, op(OpCode.getChildren, PathWatchRequest, { path: root, watch: false }), d.children)
  await t.call('children2', c, op(OpCode.getChildren2, PathWatchRequest, { path: root, watch: false }), d.children2)
  await t.call('children2-zk', c, op(OpCode.getChildren2, PathWatchRequest, { path: '/zookeeper', watch: false }), d.children2)
  await t.call('children-missing', c, op(OpCode.getChildren, PathWatchRequest, { path: `${root}/nope`, watch: true }), d.children)
  await t.call('allchildren', c, op(OpCode.getAllChildrenNumber, PathRequest, { path: root }), d.count)
  await t.call('allchildren-missing', c, op(OpCode.getAllChildrenNumber, PathRequest, { path: `${root}/nope` }), d.count)
  await t.call('ephemerals', c, op(OpCode.getEphemerals, GetEphemeralsRequest, { prefixPath: root }), d.ephemerals)
  await t.call('ephemerals-prefix', c, op(OpCode.getEphemerals, GetEphemeralsRequest, { prefixPath: `${root}/e` }), d.ephemerals)
  await t.call('ephemerals-other', c2, op(OpCode.getEphemerals, GetEphemeralsRequest, { prefixPath: '/' }), d.ephemerals)
  await t.call('sync', c, op(OpCode.sync, PathRequest, { path: 'whatever' }), d.sync)
  await t.call('whoami', c, op(OpCode.whoAmI, undefined, undefined), d.whoami)
  await t.call('reconfig', c, op(OpCode.reconfig, ReconfigRequest, { joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n }), d.getData)
  // multi
  await t.call('multi-ok', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m1`, data: null, acl: OPEN, flags: 0 }),
    sub(OpCode.create2, CreateRequest, { path: `${root}/m1/c-`, data: null, acl: OPEN, flags: 2 }),
    sub(OpCode.createContainer, CreateRequest, { path: `${root}/m1/cont`, data: null, acl: OPEN, flags: 4 }),
    sub(OpCode.check, CheckVersionRequest, { path: `${root}/m1`, version: 0 }),
    sub(OpCode.setData, SetDataRequest, { path: `${root}/m1`, data: Buffer.from('z'), version: 0 }),
    sub(OpCode.delete, DeleteRequest, { path: `${root}/m1/cont`, version: -1 }),
    sub(OpCode.createTTL, CreateTTLRequest, { path: `${root}/m1/t`, data: null, acl: OPEN, flags: 5, ttl: 5000n }),
    sub(OpCode.createTTL, CreateTTLRequest, { path: `${root}/m1/t0`, data: null, acl: OPEN, flags: 0, ttl: -1n }),
  ]) }, d.multi)
  await t.call('multi-fail', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m2`, data: null, acl: OPEN, flags: 0 }),
    sub(OpCode.create, CreateRequest, { path: `${root}/m2/s-`, data: null, acl: OPEN, flags: 2 }),
    sub(OpCode.check, CheckVersionRequest, { path: `${root}/m1`, version: 0 }),
    sub(OpCode.delete, DeleteRequest, { path: `${root}/m1`, version: -1 }),
  ]) }, d.multi)
  await t.call('after-multi-fail-exists', c, op(OpCode.exists, PathWatchRequest, { path: `${root}/m2`, watch: false }), d.stat)
  await t.call('multi-seq-after-rollback', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m1/c-`, data: null, acl: OPEN, flags: 2 }),
  ]) }, d.multi)
  await t.call('multi-empty', c, { type: OpCode.multi, body: multi([]) }, d.multi)
  await t.call('multi-mixed', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m3`, data: null, acl: OPEN, flags: 0 }),
    sub(OpCode.getData, PathWatchRequest, { path: root, watch: false }),
  ]) }, d.multi)
  await t.call('multi-reads-only', c, { type: OpCode.multi, body: multi([
    sub(OpCode.getData, PathWatchRequest, { path: root, watch: false }),
  ]) }, d.multi)
  await t.call('multi-badflag', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m3`, data: null, acl: OPEN, flags: 9 }),
  ]) }, d.multi)
  await t.call('multi-ttlflag-on-create', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m3`, data: null, acl: OPEN, flags: 5 }),
  ]) }, d.multi)
  await t.call('multi-containerflag-on-create', c, { type: OpCode.multi, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m4`, data: null, acl: OPEN, flags: 4 }),
  ]) }, d.multi)
  await t.call('multi-createttl-badflag', c, { type: OpCode.multi, body: multi([
    sub(OpCode.createTTL, CreateTTLRequest, { path: `${root}/m5`, data: null, acl: OPEN, flags: 9, ttl: 5n }),
  ]) }, d.multi)
  await t.call('multi-delete-then-create', c, { type: OpCode.multi, body: multi([
    sub(OpCode.delete, DeleteRequest, { path: `${root}/m4`, version: -1 }),
    sub(OpCode.create, CreateRequest, { path: `${root}/m4`, data: Buffer.from('again'), acl: OPEN, flags: 0 }),
    sub(OpCode.create, CreateRequest, { path: `${root}/m4`, data: null, acl: OPEN, flags: 0 }),
  ]) }, d.multi)
  await t.call('multiread', c, { type: OpCode.multiRead, body: multi([
    sub(OpCode.getData, PathWatchRequest, { path: `${root}/m1`, watch: true }),
    sub(OpCode.getChildren, PathWatchRequest, { path: `${root}/m1`, watch: true }),
    sub(OpCode.getData, PathWatchRequest, { path: `${root}/nope`, watch: false }),
    sub(OpCode.getChildren, PathWatchRequest, { path: `${root}/ro`, watch: false }),
  ]) }, d.multi)
  await t.call('multiread-with-write', c, { type: OpCode.multiRead, body: multi([
    sub(OpCode.create, CreateRequest, { path: `${root}/m3`, data: null, acl: OPEN, flags: 0 }),
  ]) }, d.multi)
  await t.call('multiread-empty', c, { type: OpCode.multiRead, body: multi([]) }, d.multi)
  // watches
  await t.call('exists-watch-missing', c2, op(OpCode.exists, PathWatchRequest, { path: `${root}/w`, watch: true }), d.stat)
  await t.call('children-watch', c2, op(OpCode.getChildren, PathWatchRequest, { path: root, watch: true }), d.children)
  await t.call('create-w', c, cr(`${root}/w`), d.create)
  await t.events('c2 after create', c2)
  await t.call('get-watch', c2, op(OpCode.getData, PathWatchRequest, { path: `${root}/w`, watch: true }), d.getData)
  await t.call('set-w', c, op(OpCode.setData, SetDataRequest, { path: `${root}/w`, data: Buffer.from('2'), version: -1 }), d.stat)
  await t.events('c2 after set', c2)
  await t.call('addwatch-rec', c2, op(OpCode.addWatch, AddWatchRequest, { path: root, mode: 1 }), d.errorResponse)
  await t.call('addwatch-bad', c2, op(OpCode.addWatch, AddWatchRequest, { path: root, mode: 2 }), d.errorResponse)
  await t.call('create-w2', c, cr(`${root}/w/x`), d.create)
  await t.call('delete-w2', c, op(OpCode.delete, DeleteRequest, { path: `${root}/w/x`, version: -1 }))
  await t.events('c2 after recursive', c2)
  await t.call('checkwatches-data', c2, op(OpCode.checkWatches, WatchesRequest, { path: root, type: 2 }))
  await t.call('checkwatches-missing', c2, op(OpCode.checkWatches, WatchesRequest, { path: `${root}/zzz`, type: 3 }))
  await t.call('checkwatches-badtype', c2, op(OpCode.checkWatches, WatchesRequest, { path: root, type: 0 }))
  await t.call('removewatches-any', c2, op(OpCode.removeWatches, WatchesRequest, { path: root, type: 3 }))
  await t.call('removewatches-again', c2, op(OpCode.removeWatches, WatchesRequest, { path: root, type: 3 }))
  await t.call('setwatches', c2, op(OpCode.setWatches, SetWatches, { relativeZxid: 1n, dataWatches: [`${root}/w`, `${root}/gone`], existWatches: [`${root}/eph`, `${root}/nothere`], childWatches: [root] }))
  await t.call('setwatches2', c2, op(OpCode.setWatches2, SetWatches2, { relativeZxid: 0x7fffffffffffffffn, dataWatches: [`${root}/w`], existWatches: [`${root}/nothere2`], childWatches: [root], persistentWatches: [`${root}/p`], persistentRecursiveWatches: [`${root}/w`] }))
  await t.call('create-nothere2', c, cr(`${root}/nothere2`), d.create)
  await t.events('c2 after setwatches2', c2)
  // auth
  c2.send(-4, OpCode.auth, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('bob:secret') })
  const authReply = await c2.reply()
  t.lines.push(`auth: xid=${authReply.xid} err=${authReply.err} zxid=${authReply.zxid}`)
  await t.call('whoami-digest', c2, op(OpCode.whoAmI, undefined, undefined), d.whoami)
  await t.call('create-auth-acl', c2, cr2(`${root}/bob`, 0, null, [...CREATOR_ALL_ACL, acl(1, 'world', 'anyone')]), d.create2)
  await t.call('getacl-bob-by-other', c, op(OpCode.getACL, PathRequest, { path: `${root}/bob` }), d.acl)
  await t.call('getacl-bob-by-bob', c2, op(OpCode.getACL, PathRequest, { path: `${root}/bob` }), d.acl)
  await t.call('set-bob-by-other', c, op(OpCode.setData, SetDataRequest, { path: `${root}/bob`, data: null, version: -1 }), d.stat)
  await t.call('admin-only', c2, cr2(`${root}/adm`, 0, null, [acl(16, 'world', 'anyone')]), d.create2)
  await t.call('getacl-admin-only', c, op(OpCode.getACL, PathRequest, { path: `${root}/adm` }), d.acl)
  await t.call('get-admin-only', c, op(OpCode.getData, PathWatchRequest, { path: `${root}/adm`, watch: false }), d.getData)
  await t.call('exists-admin-only', c, op(OpCode.exists, PathWatchRequest, { path: `${root}/adm`, watch: false }), d.stat)
  await t.call('children-admin-only', c, op(OpCode.getChildren, PathWatchRequest, { path: `${root}/adm`, watch: false }), d.children)
  await t.call('count-admin-only', c, op(OpCode.getAllChildrenNumber, PathRequest, { path: `${root}/adm` }), d.count)
  await t.call('delete-under-admin-only', c, op(OpCode.delete, DeleteRequest, { path: `${root}/adm/x`, version: -1 }))
  // close session 1: ephemerals go
  await t.call('close-c', c, op(OpCode.closeSession, undefined, undefined))
  await t.call('eph-gone', c2, op(OpCode.exists, PathWatchRequest, { path: `${root}/eph`, watch: false }), d.stat)
  c2.close()
  return t.lines
}
