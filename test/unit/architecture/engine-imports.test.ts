import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The engine must run in plain Node (CLI, cluster members, tests): it may never import the app's UI stack.
const FORBIDDEN = /^(electron|vue|pinia|monaco-editor|@vue\/|@vitejs\/)/
const ROOT = join(__dirname, '..', '..', '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|cts|js|vue)$/.test(name) ? [path] : []
  })
}

function importedModules(source: string): string[] {
  const specifiers: string[] = []
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]/g, /\brequire\s*\(\s*['"]([^'"]+)['"]/g, /^\s*import\s+['"]([^'"]+)['"]/gm]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1]!)
  return specifiers
}

describe('engine/ boundary', () => {
  const files = sourceFiles(join(ROOT, 'engine'))

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10)
  })

  it('never imports electron, vue or other UI packages', () => {
    const offenders = files.flatMap((file) =>
      importedModules(readFileSync(file, 'utf8'))
        .filter((specifier) => FORBIDDEN.test(specifier))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    )
    expect(offenders).toEqual([])
  })

  it('never reaches into main/ or renderer/', () => {
    const offenders = files.flatMap((file) =>
      importedModules(readFileSync(file, 'utf8'))
        .filter((specifier) => /(^|\/)(main|renderer)\//.test(specifier) && specifier.startsWith('.'))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    )
    expect(offenders).toEqual([])
  })

  it('detects a forbidden import when one is present', () => {
    expect(importedModules(`import { app } from 'electron'\nconst v = require("vue")`).filter((s) => FORBIDDEN.test(s))).toEqual(['electron', 'vue'])
  })
})
