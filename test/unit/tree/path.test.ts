import { describe, expect, it } from 'vitest'
import { ErrorCode, KeeperError } from '../../../engine/proto/errors'
import { lastSegment, parentPath, pathProblem, validatePath } from '../../../engine/tree/path'

describe('validatePath (PathUtils.validatePath)', () => {
  const valid = [
    '/',
    '/a',
    '/a/b',
    '/zookeeper',
    '/a.',
    '/.a',
    '/a..',
    '/...',
    '/a/.../b',
    '/节点',
    '/a b',
    '/\u00a0',
    '/\uf900',
    '/\uffef',
    '/-_=+!@#$%^&*()',
  ]
  const invalid: Array<[string, string]> = [
    ['', 'empty'],
    ['a', 'no leading slash'],
    ['a/b', 'no leading slash'],
    ['/a/', 'trailing slash'],
    ['//', 'trailing slash'],
    ['//a', 'empty segment'],
    ['/a//b', 'empty segment'],
    ['/.', 'dot segment'],
    ['/..', 'dot-dot segment'],
    ['/a/./b', 'dot segment'],
    ['/a/../b', 'dot-dot segment'],
    ['/a/.', 'dot segment at end'],
    ['/a\u0000b', 'NUL'],
    ['/a\u0001', 'control character'],
    ['/a\u001f', 'control character'],
    ['/a\u007f', 'DEL'],
    ['/a\u0085', 'C1 control'],
    ['/a\u009f', 'C1 control'],
    ['/a\ud800', 'lone surrogate'],
    ['/a😀', 'non-BMP character (surrogate pair)'],
    ['/a\ue000', 'private use'],
    ['/a\uf8ff', 'private use'],
    ['/a\ufff0', 'specials'],
    ['/a\uffff', 'specials'],
  ]

  it.each(valid)('accepts %j', (path) => {
    expect(pathProblem(path)).toBeUndefined()
    expect(() => validatePath(path)).not.toThrow()
  })

  it.each(invalid)('rejects %j (%s) with BadArguments', (path) => {
    expect(pathProblem(path)).toBeDefined()
    try {
      validatePath(path)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(KeeperError)
      expect((error as KeeperError).code).toBe(ErrorCode.BADARGUMENTS)
    }
  })

  it('lets a sequential create end in a slash (the suffix follows)', () => {
    expect(() => validatePath('/q/', true)).not.toThrow()
    expect(() => validatePath('/q/', false)).toThrow(KeeperError)
    expect(() => validatePath('/q//', true)).toThrow(KeeperError)
    // "/." becomes "/.1" once the suffix is accounted for, which is legal.
    expect(() => validatePath('/.', true)).not.toThrow()
  })

  it('gives Apache reason texts with the offending index', () => {
    expect(pathProblem('/a//b')).toBe('empty node name specified @3')
    expect(pathProblem('/a/..')).toBe('relative paths not allowed @4')
    expect(pathProblem('/ab\u0000')).toBe('null character not allowed @3')
    expect(pathProblem('/a\u0007')).toBe('invalid character @2')
  })
})

describe('parentPath / lastSegment', () => {
  it('splits at the last slash, with the root as parent of top-level nodes', () => {
    expect(parentPath('/a/b/c')).toBe('/a/b')
    expect(parentPath('/a')).toBe('/')
    expect(parentPath('/')).toBe('')
    expect(lastSegment('/a/b/c')).toBe('c')
    expect(lastSegment('/a')).toBe('a')
    expect(lastSegment('/')).toBe('')
    expect(lastSegment('/q/')).toBe('')
  })
})
