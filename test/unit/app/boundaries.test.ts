import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The renderer sees main only through the contract's types (plus the transport constants in channels.ts), and the
// sandboxed preload may load nothing but electron and those constants.
const ROOT = join(__dirname, '..', '..', '..')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.(ts|vue)$/.test(name) ? [path] : []
  })
}

/** Value (non-type) imports of a file: `import x from`, `import { a }` (not `import type`), side-effect imports. */
function valueImports(source: string): string[] {
  const found: string[] = []
  for (const match of source.matchAll(/^\s*import\s+(?!type\b)([^'"]*?)\s*from\s*['"]([^'"]+)['"]/gm)) {
    const clause = match[1] ?? ''
    const names = /^\{([^}]*)\}$/.exec(clause.trim())
    // `import { type A, type B }` brings in no values either.
    if (names !== null && (names[1] ?? '').split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '))) continue
    found.push(match[2] ?? '')
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(match[1] ?? '')
  return found
}

describe('app boundaries', () => {
  it('renderer code imports from main/ only types, the channel constants and the path rules, and nothing from engine/', () => {
    const offenders = files(join(ROOT, 'renderer')).flatMap((file) =>
      valueImports(readFileSync(file, 'utf8'))
        .filter((specifier) => /(^|\/)(main|engine)\//.test(specifier) && !/main\/contract\/(channels|zk-path)$/.test(specifier))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    )
    expect(offenders).toEqual([])
  })

  it('the preload loads only electron and the channel constants', () => {
    const imports = valueImports(readFileSync(join(ROOT, 'main', 'preload', 'index.ts'), 'utf8'))
    expect(imports.sort()).toEqual(['../contract/channels', 'electron'])
  })

  it('only main/electron and main/index.ts import electron', () => {
    const offenders = files(join(ROOT, 'main'))
      .filter((file) => !file.includes(`${join('main', 'electron')}`) && !file.endsWith(join('main', 'index.ts')) && !file.endsWith(join('preload', 'index.ts')))
      .filter((file) => valueImports(readFileSync(file, 'utf8')).includes('electron'))
      .map((file) => relative(ROOT, file))
    expect(offenders).toEqual([])
  })
})
