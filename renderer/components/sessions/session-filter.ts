// The session lens's filter: one text box matched against everything a row shows (id, member, client address,
// last operation, ephemeral and watched paths), case-insensitively; several words must all match.
import type { LiveSessionView } from '../../../main/contract/model'

export function sessionMatches(session: LiveSessionView, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word !== '')
  if (words.length === 0) return true
  const haystack = [
    session.sessionId,
    ...session.connections.flatMap((connection) => [connection.member, connection.clientAddress, connection.lastOperation ?? '', connection.memberId === null ? '' : `#${connection.memberId}`]),
    ...session.ephemerals,
    ...session.watches,
  ]
    .join('\n')
    .toLowerCase()
  return words.every((word) => haystack.includes(word))
}

export function filterSessions(sessions: readonly LiveSessionView[], query: string): LiveSessionView[] {
  return sessions.filter((session) => sessionMatches(session, query))
}
