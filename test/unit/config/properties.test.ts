import { describe, expect, it } from 'vitest'
import { PropertiesSyntaxError, parseProperties } from '../../../engine/node/properties'

// Expected values follow java.util.Properties.load (its LineReader + loadConvert).
const cases: Array<{ name: string; text: string; expected: Array<[string, string, number]> }> = [
  { name: 'key=value', text: 'tickTime=2000', expected: [['tickTime', '2000', 1]] },
  { name: 'key: value', text: 'tickTime: 2000', expected: [['tickTime', '2000', 1]] },
  { name: 'key value (blank separator)', text: 'tickTime 2000', expected: [['tickTime', '2000', 1]] },
  { name: 'blanks around the separator', text: '  tickTime \t =  2000', expected: [['tickTime', '2000', 1]] },
  { name: 'only one separator is eaten', text: 'a==b', expected: [['a', '=b', 1]] },
  { name: 'blank then separator', text: 'a : b', expected: [['a', 'b', 1]] },
  { name: 'trailing blanks stay in the value', text: 'a=b  ', expected: [['a', 'b  ', 1]] },
  { name: 'key alone', text: 'flag', expected: [['flag', '', 1]] },
  { name: 'empty value', text: 'a=', expected: [['a', '', 1]] },
  { name: '# and ! comments, blank lines', text: '# c\n! c\n\n   \n  # indented\na=1', expected: [['a', '1', 6]] },
  { name: 'a # later on the line is part of the value', text: 'a=1 # not a comment', expected: [['a', '1 # not a comment', 1]] },
  { name: 'CRLF and CR line ends', text: 'a=1\r\nb=2\rc=3', expected: [['a', '1', 1], ['b', '2', 2], ['c', '3', 3]] },
  {
    name: 'continuation drops the backslash and the next line’s leading blanks',
    text: 'servers=a,\\\n    b,\\\n\tc\nnext=1',
    expected: [['servers', 'a,b,c', 1], ['next', '1', 4]],
  },
  { name: 'an even number of backslashes does not continue', text: 'a=x\\\\\nb=y', expected: [['a', 'x\\', 1], ['b', 'y', 2]] },
  { name: 'a comment ending in a backslash does not continue', text: '# c \\\na=1', expected: [['a', '1', 2]] },
  { name: 'a continued line starting with # is not a comment', text: 'a=1\\\n# 2', expected: [['a', '1# 2', 1]] },
  { name: 'a blank continuation line ends the value', text: 'a=1\\\n\nb=2', expected: [['a', '1', 1], ['b', '2', 3]] },
  { name: 'backslash at the very end', text: 'a=1\\', expected: [['a', '1', 1]] },
  { name: 'escapes \\t \\n \\r \\f and others', text: 'a=x\\ty\\nz\\r\\f\\q\\\\', expected: [['a', 'x\ty\nz\r\fq\\', 1]] },
  { name: 'unicode escape', text: 'a=\\u00e9t\\u00C9', expected: [['a', 'étÉ', 1]] },
  { name: 'escaped separators in keys', text: 'a\\=b\\:c\\ d=v', expected: [['a=b:c d', 'v', 1]] },
  { name: 'Windows path with escaped backslashes', text: 'dataDir=C:\\\\zk\\\\data', expected: [['dataDir', 'C:\\zk\\data', 1]] },
  { name: 'unescaped backslashes vanish (a classic zoo.cfg pitfall)', text: 'dataDir=C:\\zk\\data', expected: [['dataDir', 'C:zkdata', 1]] },
  { name: 'duplicates are all returned in order', text: 'a=1\na=2', expected: [['a', '1', 1], ['a', '2', 2]] },
  { name: 'form feed is a blank', text: '\fa\f=\fb', expected: [['a', 'b', 1]] },
]

describe('parseProperties (java.util.Properties rules)', () => {
  it.each(cases)('$name', ({ text, expected }) => {
    expect(parseProperties(text).map((e) => [e.key, e.value, e.line])).toEqual(expected)
  })

  it('rejects a malformed \\u escape with its line', () => {
    let caught: unknown
    try {
      parseProperties('a=1\nb=\\u12x4')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(PropertiesSyntaxError)
    expect((caught as PropertiesSyntaxError).line).toBe(2)
  })
})
