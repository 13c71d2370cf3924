// Codec plug-ins end to end: browser mode in Debian Chromium on its default local cluster (ZooDesk). Plug-in modules
// are written into the app's data dir (`<data dir>/codecs/`): an editable ROT13 view, a module with a syntax error,
// and one whose decode always throws. Another client stores matching bytes; the data editor picks the plug-in's
// view by detection, shows its decoding, and saves an edit through the plug-in's encode (checked on the stored
// bytes). The view picker's "Plug-ins…" panel shows the loaded plug-ins and the broken one with its error. A layer
// plug-in written while the page is open is picked up without a reload (folder watch) and joins gzip in the
// pipeline; the stored (compressed) bytes are shown as hex with both sizes. The throwing decoder's error shows above
// the editor and in the panel, and the built-in views still work.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import type { ZooKeeperClient } from '../../engine/client'
import { useBrowserApp } from './support/browser-app'
import { screenshot } from './support/browser-mode'
import { connectZooKeeper } from './support/second-client'

const ROT13 = `// A test plug-in: "rot13:" + the text, rotated.
const rotate = (s) => s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c <= 'Z' ? 65 : 97)))
export default {
  apiVersion: 1,
  id: 'rot13',
  name: { en: 'ROT13 (plug-in)', 'zh-CN': 'ROT13（插件）' },
  detect: (bytes) => new TextDecoder().decode(bytes.subarray(0, 6)) === 'rot13:',
  decode: (bytes) => ({ text: rotate(new TextDecoder().decode(bytes).slice(6)), language: 'plaintext' }),
  encode: (text) => new TextEncoder().encode('rot13:' + rotate(text)),
}
`
const BROKEN = `export default { id: 'broken', name: 'Broken', decode( }\n`
const ENV1 = `const MAGIC = [0x45, 0x4e, 0x56, 0x31] // "ENV1"
export default {
  kind: 'layer',
  id: 'env1',
  name: 'ENV1 envelope',
  detect: (b) => MAGIC.every((m, i) => b[i] === m),
  decode: (b) => b.slice(4),
  encode: (b) => { const out = new Uint8Array(b.length + 4); out.set(MAGIC); out.set(b, 4); return out },
}
`
const GRUMPY = `export default {
  id: 'grumpy',
  name: 'Grumpy',
  detect: (b) => new TextDecoder().decode(b.subarray(0, 7)) === 'grumpy:',
  decode: () => { throw new Error('grumpy cannot read this') },
}
`
const ENVELOPED_JSON = '{"service":"ledger","shards":8}'

let other: ZooKeeperClient
let pluginFolder: string
const ui = useBrowserApp({
  width: 1400,
  height: 900,
  failurePrefix: 'failed-codec-plugins',
  // The plug-ins and the nodes are there before the page opens: the app loads its plug-ins at start.
  async beforeBrowser(app) {
    pluginFolder = join(app.web.dataDir, 'codecs')
    mkdirSync(pluginFolder, { recursive: true })
    writeFileSync(join(pluginFolder, 'rot13.js'), ROT13)
    writeFileSync(join(pluginFolder, 'broken.js'), BROKEN)
    writeFileSync(join(pluginFolder, 'grumpy.js'), GRUMPY)
    other = await connectZooKeeper(app.connectString)
    await other.create('/plugins', null)
    await other.create('/plugins/secret', Buffer.from('rot13:uryyb jbeyq'))
    await other.create('/plugins/grumpy', Buffer.from('grumpy: some data'))
    await other.create('/plugins/env', Buffer.from([0x45, 0x4e, 0x56, 0x31, ...gzipSync(new TextEncoder().encode(ENVELOPED_JSON))]))
  },
})
const { byTest, openPath, typeInMonaco, editorText } = ui

afterAll(async () => {
  await other?.close().catch(() => {})
})

describe('Codec plug-ins from the data dir', () => {
  it('detects and decodes with a plug-in from <data dir>/codecs, and saves through its encode', async () => {
    const started = Date.now()
    await openPath('/plugins/secret')
    await expect.poll(() => byTest('data-view').inputValue(), { timeout: 20_000 }).toBe('rot13')
    console.log(`plug-in view chosen ${Date.now() - started} ms after opening the node (plug-ins load beside the app)`)
    await expect.poll(editorText).toContain('hello world')
    await screenshot(ui.page, 'codec-plugins-01-rot13-view')
    await typeInMonaco('hello zoodesk')
    await byTest('data-dirty').waitFor()
    await byTest('data-save').click()
    await byTest('data-dirty').waitFor({ state: 'detached' })
    const { data, stat } = await other.getData('/plugins/secret')
    expect(data?.toString()).toBe('rot13:uryyb mbbqrfx')
    expect(stat.version).toBe(1)
  }, 120_000)

  it('lists the plug-ins behind “Plug-ins…”: the loaded one and the broken one with its error', async () => {
    await openPath('/plugins/secret')
    expect(await byTest('data-view-plugins').textContent()).toContain('1 with errors')
    expect(await byTest('data-view').locator('optgroup option').allTextContents()).toEqual(['Grumpy', 'ROT13 (plug-in)'])
    await byTest('data-view').selectOption(':plugins')
    const panel = byTest('codec-plugins')
    await panel.waitFor()
    expect(await byTest('data-view').inputValue()).toBe('rot13')
    expect(await byTest('codec-plugins-folder').textContent()).toBe(pluginFolder)
    const broken = byTest('codec-plugin-broken.js')
    expect(await broken.locator('[data-test="codec-plugin-error"]').textContent()).toMatch(/syntax|unexpected|token/i)
    expect(await byTest('codec-plugin-rot13.js').textContent()).toContain('ROT13 (plug-in)')
    expect(await byTest('codec-plugin-rot13.js').textContent()).toContain('loaded')
    // Browser mode cannot open a folder on the user's desktop: the panel shows the path and says where to put files.
    expect(await byTest('codec-plugins-open').count()).toBe(0)
    await byTest('codec-plugins-hint').waitFor()
    await screenshot(ui.page, 'codec-plugins-02-panel')
    await byTest('modal-close').click()
    await panel.waitFor({ state: 'detached' })
    // The built-in views still work beside the broken plug-in.
    await byTest('data-view').selectOption('hex')
    await expect.poll(editorText).toContain('72 6f 74 31 33 3a')
  }, 90_000)

  it('picks up a layer plug-in written while the page is open, and shows the stored bytes with both sizes', async () => {
    writeFileSync(join(pluginFolder, 'env1.js'), ENV1)
    await openPath('/plugins/env')
    await expect.poll(() => byTest('data-pipeline').textContent(), { timeout: 20_000 }).toContain('env1 → gzip → JSON')
    await expect.poll(editorText).toContain('"service":"ledger"')
    const { data: stored } = await other.getData('/plugins/env')
    await byTest('data-stored-toggle').click()
    expect(await byTest('data-stored-sizes').textContent()).toContain(`As stored: ${stored!.length} B (env1 → gzip) · decompressed: ${ENVELOPED_JSON.length} B`)
    await expect.poll(editorText).toContain('45 4e 56 31 1f 8b 08')
    await screenshot(ui.page, 'codec-plugins-03-stored-bytes')
    await byTest('data-stored-toggle').click()
    await expect.poll(editorText).toContain('"service":"ledger"')
    // Saving redoes both layers.
    await typeInMonaco('{"service":"ledger","shards":16}')
    await byTest('data-dirty').waitFor()
    await byTest('data-save').click()
    await byTest('data-dirty').waitFor({ state: 'detached' })
    const { data } = await other.getData('/plugins/env')
    expect(Array.from(data!.subarray(0, 6))).toEqual([0x45, 0x4e, 0x56, 0x31, 0x1f, 0x8b])
    expect(new TextDecoder().decode(gunzipSync(new Uint8Array(data!.subarray(4))))).toBe('{"service":"ledger","shards":16}')
  }, 120_000)

  it('a plug-in whose decode throws: the error is shown above the editor and in the panel, other views still work', async () => {
    await openPath('/plugins/grumpy')
    await expect.poll(() => byTest('data-view').inputValue()).toBe('grumpy')
    await expect.poll(() => byTest('data-problem').textContent()).toContain('grumpy cannot read this')
    expect(await byTest('data-save').isDisabled()).toBe(true)
    await byTest('data-view').selectOption(':plugins')
    await expect.poll(() => byTest('codec-plugin-grumpy.js').locator('[data-test="codec-plugin-runtime-error"]').textContent()).toContain('decode: grumpy cannot read this')
    await screenshot(ui.page, 'codec-plugins-04-runtime-error')
    await byTest('modal-close').click()
    await byTest('data-view').selectOption('text')
    await expect.poll(editorText).toContain('grumpy: some data')
    expect(await byTest('data-problem').count()).toBe(0)
    // Nothing but the broken plug-in's own failure reached the page's error log.
    expect(ui.browser.errors.filter((error) => !error.includes('broken.js'))).toEqual([])
  }, 90_000)
})
