// zkCli's line splitting and commons-cli option parsing, whose quirks scripts written for zkCli rely on.
import { describe, expect, it } from 'vitest'
import { CliError } from '../../../engine/shell/errors'
import { type OptionsSpec, option, parseOptions } from '../../../engine/shell/options'
import { splitCommandLine } from '../../../engine/shell/tokenize'

describe('splitCommandLine (ZooKeeperMain.parseCommand)', () => {
  it.each([
    ['ls /', ['ls', '/']],
    ['  ls    /a  ', ['ls', '/a']],
    ['create /a "two words" \'and more\'', ['create', '/a', 'two words', 'and more']],
    ['create /a a"b c"d', ['create', '/a', 'a"b', 'c"d']],
    ['create /a "unterminated', ['create', '/a', 'unterminated']],
    ['create /a "x"y', ['create', '/a', 'x', 'y']],
    ['set /a ""', ['set', '/a', '']],
    ['   ', [' ']],
    ['\tget\t/a', ['get', '/a']],
    ['"', []],
  ])('%j → %j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words)
  })

  it('splits on Java whitespace only (a no-break space is part of a word)', () => {
    expect(splitCommandLine('create /a\u00a0b')).toEqual(['create', '/a\u00a0b'])
  })
})

const SET: OptionsSpec = { options: [option('s', false, 'stats'), option('v', true, 'version'), option('b', false, 'base64')] }
const QUOTA: OptionsSpec = {
  options: [option('n', true, 'num soft quota'), option('b', true, 'bytes soft quota'), option('N', true, 'num hard quota'), option('B', true, 'bytes hard quota')],
  group: ['n', 'b', 'N', 'B'],
  groupRequired: true,
}
const RECONFIG: OptionsSpec = { options: [option('s', false, 'stats'), option('v', true, 'v'), option('file', true, 'f'), option('members', true, 'm')] }

function parseError(spec: OptionsSpec, words: string[]): string {
  try {
    parseOptions(spec, words)
  } catch (error) {
    if (error instanceof CliError) return error.message
    throw error
  }
  throw new Error('parsed without error')
}

describe('parseOptions (commons-cli DefaultParser)', () => {
  it('takes options anywhere among the arguments', () => {
    const parsed = parseOptions(SET, ['set', '/a', 'data', '-s', '-v', '3'])
    expect(parsed.args).toEqual(['set', '/a', 'data'])
    expect(parsed.has('s')).toBe(true)
    expect(parsed.value('v')).toBe('3')
  })

  it('bundles flags, glues values, and takes negative numbers as values', () => {
    expect(parseOptions(SET, ['set', '-sv', '-1', '/a', 'x']).value('v')).toBe('-1')
    expect(parseOptions(SET, ['set', '-v5', '/a', 'x']).value('v')).toBe('5')
    expect(parseOptions(SET, ['set', '-v=7', '/a', 'x']).value('v')).toBe('7')
    expect(parseOptions(SET, ['set', '-v', '"9"', '/a', 'x']).value('v')).toBe('9')
    expect(parseOptions(SET, ['set', '-v', '-1e3', '/a', 'x']).value('v')).toBe('-1e3')
    const bundled = parseOptions(SET, ['set', '-sb', '/a', 'x'])
    expect([bundled.has('s'), bundled.has('b'), bundled.has('v')]).toEqual([true, true, false])
  })

  it('stops at --, and takes a lone - as an argument', () => {
    expect(parseOptions(SET, ['set', '/a', '--', '-v', '-s']).args).toEqual(['set', '/a', '-v', '-s'])
    expect(parseOptions(SET, ['set', '/a', '-']).args).toEqual(['set', '/a', '-'])
  })

  it('knows multi-letter short options (reconfig)', () => {
    const parsed = parseOptions(RECONFIG, ['reconfig', '-file', '/tmp/x', '-s'])
    expect(parsed.value('file')).toBe('/tmp/x')
    expect(parsed.has('s')).toBe(true)
  })

  it('reports errors with commons-cli exception texts', () => {
    expect(parseError(SET, ['set', '-x', '/a'])).toBe('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x')
    expect(parseError(SET, ['set', '-sx', '/a'])).toBe('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx')
    expect(parseError(SET, ['set', '--v', '/a'])).toBe('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: --v')
    expect(parseError(SET, ['set', '-s=1', '/a'])).toBe('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -s=1')
    expect(parseError(SET, ['set', '/a', 'x', '-v'])).toBe('org.apache.commons.cli.MissingArgumentException: Missing argument for option: v')
    expect(parseError(SET, ['set', '-v', '-s', '/a'])).toBe('org.apache.commons.cli.MissingArgumentException: Missing argument for option: v')
    expect(parseError(QUOTA, ['setquota', '/a'])).toBe(
      'org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]',
    )
    expect(parseError(QUOTA, ['setquota', '-n', '1', '-B', '2', '/a'])).toBe(
      "org.apache.commons.cli.AlreadySelectedException: The option 'B' was specified but an option from this group has already been selected: 'n'",
    )
  })

  it('lets the same group option repeat; the first value wins', () => {
    expect(parseOptions(QUOTA, ['setquota', '-n', '1', '-n', '2', '/a']).value('n')).toBe('1')
  })
})
