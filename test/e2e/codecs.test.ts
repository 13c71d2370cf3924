// The codec pipeline end to end: browser mode in Debian Chromium on its default local cluster (ZooDesk). Another
// client (our engine's client, its own session) stores a gzip'd JSON node, a protobuf node and a msgpack node; the
// data editor shows "gzip → JSON" and saves it gzip'd again (checked on the bytes), shows the protobuf raw-field tree
// read-only, edits it as hex, remembers that view for the node, and starts fresh when the node is recreated.
import { gunzipSync, gzipSync } from 'fflate'
import { encode as msgpackEncode } from '@msgpack/msgpack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZooKeeperClient } from '../../engine/client'
import { protobufSample } from '../fixtures/codecs/protobuf-sample'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const ui = useBrowserApp({ width: 1400, height: 900, failurePrefix: 'failed-codecs' })
const { byTest, openPath, typeInMonaco, editorText } = ui
let other: ZooKeeperClient

beforeAll(async () => {
  other = await connectZooKeeper(ui.connectString)
  await other.create('/codecs', null)
  await other.create('/codecs/gz', Buffer.from(gzipSync(new TextEncoder().encode('{"service":"billing","replicas":3}'))))
  await other.create('/codecs/pb', Buffer.from(protobufSample))
  await other.create('/codecs/mp', Buffer.from(msgpackEncode({ name: 'svc', port: 8080 })))
})

afterAll(async () => {
  await other?.close().catch(() => {})
})

describe('Codec pipeline in the data editor', () => {
  it('shows gzip → JSON with the decompressed size, and saving keeps the node gzip’d', async () => {
    await openPath('/codecs/gz')
    await expect.poll(() => byTest('data-pipeline').textContent()).toContain('gzip → JSON')
    expect(await byTest('data-inner-size').textContent()).toContain('34 B')
    await expect.poll(editorText).toContain('"service":"billing"')
    await screenshot(ui.page, 'codecs-01-gzip-json')
    await typeInMonaco('{"service":"billing","replicas":5}')
    await byTest('data-dirty').waitFor()
    await byTest('data-save').click()
    await byTest('data-dirty').waitFor({ state: 'detached' })
    const { data, stat } = await other.getData('/codecs/gz')
    expect([data?.[0], data?.[1]]).toEqual([0x1f, 0x8b])
    expect(new TextDecoder().decode(gunzipSync(new Uint8Array(data!)))).toBe('{"service":"billing","replicas":5}')
    expect(stat.version).toBe(1)
  }, 90_000)

  it('shows another client’s protobuf as a raw-field tree, edits it as hex, remembers the view until the node is recreated', async () => {
    await openPath('/codecs/pb')
    await expect.poll(() => byTest('data-view').inputValue()).toBe('protobuf')
    const tree = byTest('codec-tree')
    await expect.poll(() => tree.textContent()).toContain('"testing"')
    expect(await tree.textContent()).toContain('"inner"')
    expect(await byTest('data-save').isDisabled()).toBe(true)
    await byTest('data-codec-readonly').waitFor()
    await screenshot(ui.page, 'codecs-02-protobuf-tree')
    // Field 1 becomes 151 (0x97 0x01); the rest is the same message.
    await byTest('data-view').selectOption('hex')
    const hex = Array.from(protobufSample, (byte) => byte.toString(16).padStart(2, '0'))
    hex[1] = '97'
    await typeInMonaco(hex.join(' '))
    await byTest('data-dirty').waitFor()
    await byTest('data-save').click()
    await byTest('data-dirty').waitFor({ state: 'detached' })
    const { data } = await other.getData('/codecs/pb')
    expect(Array.from(data!)).toEqual([0x08, 0x97, ...Array.from(protobufSample.subarray(2))])
    // Away and back: hex is remembered for this node.
    await openPath('/codecs/gz')
    await openPath('/codecs/pb')
    await expect.poll(() => byTest('data-view').inputValue()).toBe('hex')
    // After a reload of the page too (localStorage).
    await ui.page.reload()
    await openPath('/codecs/pb')
    await expect.poll(() => byTest('data-view').inputValue()).toBe('hex')
    // Recreated by the other client (new czxid): detection starts fresh.
    await other.delete('/codecs/pb')
    await other.create('/codecs/pb', Buffer.from(protobufSample))
    await openPath('/codecs/gz')
    await openPath('/codecs/pb')
    await expect.poll(() => byTest('data-view').inputValue()).toBe('protobuf')
  }, 120_000)

  it('shows msgpack as JSON and saves an edit as msgpack', async () => {
    await openPath('/codecs/mp')
    await expect.poll(() => byTest('data-view').inputValue()).toBe('msgpack')
    await expect.poll(editorText).toContain('"port": 8080')
    await typeInMonaco('{"name":"svc","port":9090}')
    await byTest('data-dirty').waitFor()
    await byTest('data-save').click()
    await byTest('data-dirty').waitFor({ state: 'detached' })
    const { data } = await other.getData('/codecs/mp')
    expect(Array.from(data!)).toEqual(Array.from(msgpackEncode({ name: 'svc', port: 9090 })))
    await screenshot(ui.page, 'codecs-03-msgpack')
    expect(ui.browser.errors).toEqual([])
  }, 90_000)
})
