import { describe, expect, it } from 'vitest'
import { parseEnsembleConfig, previewReconfig, quorumOf } from '../../../main/services/reconfig/ensemble-config'

// /zookeeper/config as Apache 3.8 writes it (QuorumVerifier.toString).
const CONFIG = [
  'server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181',
  'server.2=127.0.0.1:2889:3889:participant;0.0.0.0:2182',
  'server.3=127.0.0.1:2890:3890:participant;0.0.0.0:2183',
  'server.4=127.0.0.1:2891:3891:observer;0.0.0.0:2184',
  'version=100000000',
].join('\n')

describe('ensemble config', () => {
  it('parses members, roles, client addresses and the version', () => {
    const config = parseEnsembleConfig(CONFIG)
    expect(config.version).toBe('100000000')
    expect(config.members.map((member) => [member.id, member.role, member.clientAddress])).toEqual([
      [1, 'participant', '0.0.0.0:2181'],
      [2, 'participant', '0.0.0.0:2182'],
      [3, 'participant', '0.0.0.0:2183'],
      [4, 'observer', '0.0.0.0:2184'],
    ])
    expect(config.members[0]).toMatchObject({ host: '127.0.0.1', quorumPort: 2888, electionPort: 3888, spec: '127.0.0.1:2888:3888:participant;0.0.0.0:2181' })
    expect(parseEnsembleConfig('')).toEqual({ version: null, members: [] })
  })

  it('counts the quorum: majority of voters, observers never count', () => {
    expect(quorumOf(parseEnsembleConfig(CONFIG).members)).toEqual({ voters: 3, observers: 1, majority: 2, tolerated: 1 })
    const roles = (voters: number) => Array.from({ length: voters }, () => ({ role: 'participant' as const }))
    expect([1, 2, 4, 5, 6].map((voters) => quorumOf(roles(voters)).tolerated)).toEqual([0, 0, 1, 2, 2])
    expect(quorumOf([])).toEqual({ voters: 0, observers: 0, majority: 0, tolerated: 0 })
  })

  it('previews an observer leaving and a voter joining', () => {
    const config = parseEnsembleConfig(CONFIG)
    const preview = previewReconfig(config, ['server.5=127.0.0.1:2892:3892:participant;2185'], [4])
    expect(preview.problems).toEqual([])
    expect(preview.members.map((member) => [member.id, member.change])).toEqual([
      [1, 'kept'],
      [2, 'kept'],
      [3, 'kept'],
      [4, 'leaving'],
      [5, 'joining'],
    ])
    expect(preview.before).toEqual({ voters: 3, observers: 1, majority: 2, tolerated: 1 })
    expect(preview.after).toEqual({ voters: 4, observers: 0, majority: 3, tolerated: 1 })
    expect(preview).toMatchObject({ joining: 'server.5=127.0.0.1:2892:3892:participant;2185', leaving: '4' })
  })

  it('a joining id already present changes its role; removing a voter shrinks the majority', () => {
    const config = parseEnsembleConfig(CONFIG)
    const promote = previewReconfig(config, ['4=127.0.0.1:2891:3891:participant;0.0.0.0:2184'], [])
    expect(promote.members.find((member) => member.id === 4)).toMatchObject({ change: 'changed', role: 'participant' })
    expect(promote.after).toEqual({ voters: 4, observers: 0, majority: 3, tolerated: 1 })
    expect(promote.joining).toBe('server.4=127.0.0.1:2891:3891:participant;0.0.0.0:2184')
    const shrink = previewReconfig(config, [], ['3'])
    expect(shrink.after).toEqual({ voters: 2, observers: 1, majority: 2, tolerated: 0 })
  })

  it('names the problems the server would refuse', () => {
    const config = parseEnsembleConfig(CONFIG)
    const codes = (joining: string[], leaving: (number | string)[]) => previewReconfig(config, joining, leaving).problems
    expect(codes([], [])).toEqual([{ code: 'empty', subject: '' }])
    expect(codes(['server.6=nonsense'], [])).toEqual([{ code: 'badJoining', subject: 'server.6=nonsense' }])
    expect(codes([], [9])).toEqual([{ code: 'unknownLeaving', subject: '9' }])
    expect(codes(['server.4=127.0.0.1:1:2;3'], [4])).toEqual([{ code: 'joinAndLeave', subject: '4' }])
    expect(codes([], [1, 2, 3])).toEqual([{ code: 'noVoters', subject: '' }])
    expect(codes(['server.7=h:1:2;3', 'server.7=h:4:5;6'], [])).toEqual([{ code: 'duplicateJoining', subject: '7' }])
  })
})
