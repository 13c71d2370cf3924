// Both languages have the same messages, and every message key the renderer names exists: a missing key would show
// as its raw name in the UI.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EVENT_NAMES, METHOD_NAMES } from '../../../../main/contract/contract'
import en from '../../../../renderer/i18n/en'
import zhCN from '../../../../renderer/i18n/zh-CN'

const RENDERER = join(__dirname, '..', '..', '..', '..', 'renderer')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'i18n' || name === 'api' ? [] : files(path)
    return /\.(ts|vue)$/.test(name) ? [path] : []
  })
}

function keys(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) => (typeof value === 'object' && value !== null ? keys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`]))
}

function lookup(messages: object, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), messages)
}

const NAMESPACES = Object.keys(en).join('|')
/** Contract method and stream names look like keys ('health.watch') but are not. */
const CONTRACT_NAMES = new Set<string>([...METHOD_NAMES, ...EVENT_NAMES])

describe('renderer messages', () => {
  it('en and zh-CN have exactly the same keys, and every zh-CN message is filled in', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort())
    for (const key of keys(zhCN)) expect(String(lookup(zhCN, key)).trim(), key).not.toBe('')
  })

  it('no message uses vue-i18n syntax by accident (| plural, @ linked)', () => {
    for (const messages of [en, zhCN]) for (const key of keys(messages)) expect(String(lookup(messages, key)), key).not.toMatch(/[|@]/)
  })

  it('every key the renderer names exists', () => {
    const missing: string[] = []
    // Keys are written in single quotes (script and template expressions alike); ids such as a shortcut's are not keys.
    const pattern = new RegExp(`(?<!id: )'((?:${NAMESPACES})\\.[A-Za-z0-9_.-]+)'`, 'g')
    for (const file of files(RENDERER)) {
      const source = readFileSync(file, 'utf8')
      for (const match of source.matchAll(pattern)) {
        const key = match[1]!
        if (key.endsWith('.') || CONTRACT_NAMES.has(key)) continue
        if (typeof lookup(en, key) !== 'string') missing.push(`${relative(RENDERER, file)}: ${key}`)
      }
    }
    expect(missing).toEqual([])
  })
})
