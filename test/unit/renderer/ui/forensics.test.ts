// @vitest-environment happy-dom
// The Data dir view's logic against a scripted main: opening by typed path (with the operation's id), the problems of
// damaged files, the tree built on open and browsed lazily, the txn filter as main receives it, a txn decoded with
// its data shown through the data views. The real main and real data dirs are exercised by test/e2e/forensics.test.ts.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { ForensicDataDirView, ForensicTxnDetail, ForensicTxnRow } from '../../../../main/contract/model'
import ForensicsView from '../../../../renderer/components/forensics/ForensicsView.vue'
import { i18n } from '../../../../renderer/i18n'
import { filterArgs } from '../../../../renderer/stores/forensics'
import { stat } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

const global = { plugins: [i18n] }

const dataDir: ForensicDataDirView = {
  dataDirId: 'd1',
  path: '/srv/zk',
  snapDir: '/srv/zk/version-2',
  logDir: '/srv/zk/version-2',
  snapshots: [
    { name: 'snapshot.0', path: '/srv/zk/version-2/snapshot.0', zxid: '0x0', sizeBytes: 400, valid: true, nodeCount: 4, sessionCount: 0, problem: null },
    { name: 'snapshot.9', path: '/srv/zk/version-2/snapshot.9', zxid: '0x9', sizeBytes: 900, valid: true, nodeCount: 8, sessionCount: 1, problem: null },
  ],
  logs: [
    { name: 'log.1', path: '/srv/zk/version-2/log.1', zxid: '0x1', sizeBytes: 67108864, txnCount: 9, firstZxid: '0x1', lastZxid: '0x9', firstTime: 1000, lastTime: 2000, problem: null },
    {
      name: 'log.a',
      path: '/srv/zk/version-2/log.a',
      zxid: '0xa',
      sizeBytes: 67108864,
      txnCount: 3,
      firstZxid: '0xa',
      lastZxid: '0xc',
      firstTime: 3000,
      lastTime: 4000,
      problem: { file: '/srv/zk/version-2/log.a', kind: 'corrupt', offset: 393, lastGoodZxid: '0xc', readable: 3, lastGoodPath: null, message: 'checksum 1 does not match 2 (CRC check failed)' },
    },
  ],
  txnCount: 12,
  firstZxid: '0x1',
  lastZxid: '0xc',
  firstTime: 1000,
  lastTime: 4000,
  indexMs: 12,
  indexBytes: 2048,
  logBytes: 4096,
  problems: [{ file: '/srv/zk/version-2/log.a', kind: 'corrupt', offset: 393, lastGoodZxid: '0xc', readable: 3, lastGoodPath: null, message: 'checksum 1 does not match 2 (CRC check failed)' }],
}

const row: ForensicTxnRow = { row: 10, zxid: '0xb', time: 3500, type: 'setData', sessionId: '0x1000', paths: ['/app/config'], fileName: 'log.a' }
const detail: ForensicTxnDetail = {
  ...row,
  cxid: 7,
  filePath: '/srv/zk/version-2/log.a',
  offset: 300,
  digest: { version: 2, treeDigest: '0xabc' },
  body: { type: 'setData', path: '/app/config', data: btoa('{"a":1}'), version: 3 },
}

describe('ForensicsView', () => {
  it('opens a typed path, shows damaged files, builds the tree at the last zxid and browses it', async () => {
    const main = scriptedMain({
      'forensics.open': () => dataDir,
      'forensics.txns': (args) => ({ total: 1, offset: args.offset ?? 0, rows: [row] }),
      'forensics.tree': (args) => ({
        dataDirId: 'd1',
        target: args.at,
        snapshotFile: '/srv/zk/version-2/snapshot.9',
        snapshotZxid: '0x9',
        txnsReplayed: 3,
        reachedZxid: '0xc',
        nodeCount: 5,
        sessions: [{ sessionId: '0x1000', timeoutMs: 30000 }],
        problems: [],
      }),
      'forensics.children': (args) => ({
        path: args.path,
        total: args.path === '/' ? 1 : 0,
        offset: 0,
        children: args.path === '/' ? [{ name: 'app', path: '/app', kind: 'persistent', stat: stat({ numChildren: 1 }) }] : [],
      }),
      'forensics.node': (args) => ({ path: args.path, kind: 'persistent', ttlMs: null, data: null, acl: [{ perms: 31, scheme: 'world', id: 'anyone' }], stat: stat() }),
    })
    const wrapper = mount(ForensicsView, { global, attachTo: document.body })
    expect(wrapper.find('[data-test="forensics-intro"]').exists()).toBe(true)
    await wrapper.find('[data-test="forensics-path"]').setValue('  /srv/zk ')
    await wrapper.find('form').trigger('submit')
    await settle()
    const [openArgs] = main.callsOf('forensics.open')
    expect(openArgs).toMatchObject({ path: '/srv/zk' })
    expect(openArgs?.operationId).toMatch(/^ui-/)
    expect(main.callsOf('forensics.tree')[0]).toMatchObject({ dataDirId: 'd1', at: { kind: 'zxid', zxid: '0xc' } })
    const problem = wrapper.find('[data-test="forensics-problem"]')
    expect(problem.text()).toContain('Corrupt')
    expect(problem.text()).toContain('log.a')
    expect(problem.text()).toContain('at byte 393')
    expect(problem.text()).toContain('last good zxid 0xc')
    expect(problem.text()).toContain('3 txns readable before')
    expect(wrapper.findAll('[data-test="forensics-snapshot"]')).toHaveLength(2)
    expect(wrapper.find('[data-test="forensics-log"][data-name="log.a"] .badge').text()).toBe('Corrupt')
    expect(wrapper.find('[data-test="forensics-tree-info"]').text()).toContain('As of 0xc: snapshot 0x9 + 3 txns replayed')
    expect(wrapper.findAll('[data-test="forensics-tree-row"]').map((one) => one.attributes('data-path'))).toEqual(['/', '/app'])

    // A snapshot's own tree.
    await wrapper.findAll('[data-test="forensics-open-snapshot"]')[0]!.trigger('click')
    await settle()
    expect(main.callsOf('forensics.tree')[1]).toMatchObject({ at: { kind: 'snapshot', zxid: '0x0' } })
    wrapper.unmount()
  })

  it('sends the txn filter as main wants it and shows a txn decoded', async () => {
    const main = scriptedMain({
      'forensics.open': () => ({ ...dataDir, problems: [], lastZxid: null, snapshots: [] }),
      'forensics.txns': (args) => ({ total: 1, offset: args.offset ?? 0, rows: [row] }),
      'forensics.txn': () => detail,
    })
    const wrapper = mount(ForensicsView, { global, attachTo: document.body })
    await wrapper.find('[data-test="forensics-path"]').setValue('/srv/zk')
    await wrapper.find('form').trigger('submit')
    await settle()
    await wrapper.find('[data-test="forensics-tab-txns"]').trigger('click')
    await wrapper.find('[data-test="forensics-filter-path"]').setValue('/app')
    await wrapper.find('[data-test="forensics-filter-session"]').setValue('1000')
    await wrapper.find('[data-test="forensics-type-setData"]').setValue(true)
    await wrapper.find('[data-test="forensics-txns"] form').trigger('submit')
    await settle()
    expect(main.callsOf('forensics.txns').at(-1)).toEqual({ dataDirId: 'd1', filter: { pathPrefix: '/app', sessionId: '0x1000', types: ['setData'] }, offset: 0, limit: 200 })
    expect(wrapper.find('[data-test="forensics-txn-total"]').text()).toBe('1 txns')
    await wrapper.find('[data-test="forensics-txn-row"]').trigger('click')
    await settle()
    expect(main.callsOf('forensics.txn')).toEqual([{ dataDirId: 'd1', row: 10 }])
    expect(wrapper.find('[data-test="forensics-txn-zxid"]').text()).toBe('0xb')
    expect((wrapper.find('[data-test="forensics-data-view"]').element as HTMLSelectElement).value).toBe('json')
    expect(wrapper.find('[data-test="forensics-data-text"]').text()).toBe('{\n  "a": 1\n}')
    wrapper.unmount()
  })
})

describe('filterArgs', () => {
  it('leaves empty fields out, normalises the session id and takes whole minutes for the time range', () => {
    expect(filterArgs({ pathPrefix: ' ', sessionId: '', types: [], from: '', to: '' })).toEqual({})
    const args = filterArgs({ pathPrefix: '/a ', sessionId: '0X1F', types: ['create', 'multi'], from: '2026-01-02T03:04', to: '2026-01-02T03:05' })
    expect(args).toMatchObject({ pathPrefix: '/a', sessionId: '0x1f', types: ['create', 'multi'] })
    expect(args.toTime! - args.fromTime!).toBe(60_000 + 59_999)
  })
})
