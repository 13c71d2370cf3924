/**
 * zkCli's command-line splitting (ZooKeeperMain.MyCommandOptions.parseCommand): words are runs of non-space
 * characters, or text in double or single quotes, which lose their quotes. Its quirks are kept on purpose, since
 * scripts written for zkCli rely on them: a quote inside a word is literal (`a"b c"d` is `a"b` and `c"d`), an
 * unmatched quote is dropped, and a line of blanks is one word made of a blank.
 */

// Java's \s is [ \t\n\x0B\f\r] (without UNICODE_CHARACTER_CLASS), narrower than JavaScript's.
const WORD = /[ \t\n\x0B\f\r]*([^"'][^ \t\n\x0B\f\r]*|"[^"]*"|'[^']*')[ \t\n\x0B\f\r]*/g
const QUOTED = /^(['"])(.*)\1$/

export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  for (const match of line.matchAll(WORD)) {
    const word = match[1]!
    words.push(QUOTED.test(word) ? word.slice(1, -1) : word)
  }
  return words
}
