import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KeyFileSecretBox } from '../../../main/services/secrets/keyfile-secret-box'

const dirs: string[] = []
function tempKeyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zoodesk-box-'))
  dirs.push(dir)
  return join(dir, 'nested', 'secret.key')
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('KeyFileSecretBox', () => {
  it('creates a user-only key and seals secrets so that they are not readable and differ each time', () => {
    const file = tempKeyFile()
    const box = new KeyFileSecretBox(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const a = box.seal('hunter2')
    const b = box.seal('hunter2')
    expect(a).not.toBe(b)
    expect(a).not.toContain('hunter2')
    expect(box.open(a)).toBe('hunter2')
    expect(new KeyFileSecretBox(file).open(b)).toBe('hunter2')
    expect(box.open(box.seal(''))).toBe('')
    expect(box.open(box.seal('päss wörd ✓'))).toBe('päss wörd ✓')
  })

  it('refuses tampered or foreign values', () => {
    const box = new KeyFileSecretBox(tempKeyFile())
    const sealed = box.seal('secret')
    const raw = Buffer.from(sealed.slice(3), 'base64')
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1
    expect(() => box.open(`k1:${raw.toString('base64')}`)).toThrow()
    expect(() => box.open('s1:abcd')).toThrow(/not a secret sealed with the key file/)
    expect(() => new KeyFileSecretBox(tempKeyFile()).open(sealed)).toThrow()
  })

  it('narrows a key file whose permissions were widened', () => {
    const file = tempKeyFile()
    const box = new KeyFileSecretBox(file)
    chmodSync(file, 0o644)
    const again = new KeyFileSecretBox(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(again.open(box.seal('x'))).toBe('x')
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/)
  })
})
