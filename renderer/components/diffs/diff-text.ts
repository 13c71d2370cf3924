// Pure helpers of the Diff view: data as text for Monaco, a guess of its language, ACLs and kinds as short text.
import type { AclEntry, DiffEntry, DiffSide } from '../../../main/contract/model'

/** base64 → UTF-8 text for the diff editor; bytes that are not text are shown as a hex dump instead. */
export function dataText(base64: string | null): string {
  if (base64 === null) return ''
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  if (!decoded.includes('\uFFFD') && !/[\u0000-\u0008\u000e-\u001f]/.test(decoded)) return decoded
  const lines: string[] = []
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = Array.from(bytes.subarray(offset, offset + 16), (byte) => byte.toString(16).padStart(2, '0')).join(' ')
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${row}`)
  }
  return lines.join('\n')
}

export function guessLanguage(text: string): string {
  const trimmed = text.trim()
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) return 'json'
  if (trimmed.startsWith('<') && trimmed.endsWith('>')) return 'xml'
  return 'plaintext'
}

const PERM_LETTERS: [number, string][] = [
  [1, 'r'],
  [2, 'w'],
  [4, 'c'],
  [8, 'd'],
  [16, 'a'],
]

/** zkCli's getAcl short form: `world:anyone:cdrwa`. */
export function aclText(acl: readonly AclEntry[]): string {
  return acl.map((entry) => `${entry.scheme}:${entry.id}:${PERM_LETTERS.filter(([bit]) => (entry.perms & bit) !== 0).map(([, letter]) => letter).join('')}`).join(', ')
}

export function sideVersion(side: DiffSide | null): string {
  return side === null ? '—' : `v${side.version} / a${side.aversion}`
}

export function displayPath(root: string, entry: Pick<DiffEntry, 'path'>): string {
  if (entry.path === '') return root
  return root === '/' ? `/${entry.path}` : `${root}/${entry.path}`
}
