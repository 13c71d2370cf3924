import type { ACL } from '../proto'
import { Perms } from '../proto'
import { javaSplit } from './java-format'

const PERM_BITS: ReadonlyMap<string, number> = new Map([
  ['r', Perms.READ],
  ['w', Perms.WRITE],
  ['c', Perms.CREATE],
  ['d', Perms.DELETE],
  ['a', Perms.ADMIN],
])

/**
 * zkCli's AclParser: `scheme:id:perms[,…]`, where the id is everything between the first and the last colon (so
 * `digest:user:hash:cdrwa` works). Like Java it warns on stderr and goes on: an entry without two colons is skipped
 * (an empty list then fails as InvalidACL), an unknown permission letter is ignored.
 */
export function parseAcl(text: string, warn: (line: string) => void): ACL[] {
  const acl: ACL[] = []
  for (const entry of javaSplit(text, ',')) {
    const first = entry.indexOf(':')
    const last = entry.lastIndexOf(':')
    if (first === -1 || first === last) {
      warn(`${entry} does not have the form scheme:id:perm`)
      continue
    }
    let perms = 0
    for (const letter of entry.slice(last + 1)) {
      const bit = PERM_BITS.get(letter)
      if (bit === undefined) warn(`Unknown perm type: ${letter}`)
      else perms |= bit
    }
    acl.push({ perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } })
  }
  return acl
}
