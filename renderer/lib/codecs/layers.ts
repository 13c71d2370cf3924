// Compression layers: gzip (RFC 1952) and zlib (RFC 1950) through fflate. They are undone before the view is chosen
// and redone on save, so a gzip'd node stays gzip'd.
import { gunzipSync, gzipSync, unzlibSync, zlibSync } from 'fflate'
import type { LayerCodec } from './types'

function fail(codec: string, error: unknown): never {
  const reason = error instanceof Error ? error.message : String(error)
  throw new Error(`${codec}: cannot decompress (${reason})`)
}

export const gzipLayer: LayerCodec = {
  kind: 'layer',
  name: 'gzip',
  // Magic 1f 8b and method 8 (deflate): three fixed bytes, so a match is almost surely gzip.
  detect: (bytes) => (bytes.length >= 10 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08 ? 0.95 : 0),
  decode(bytes) {
    try {
      return gunzipSync(bytes)
    } catch (error) {
      fail('gzip', error)
    }
  },
  encode: (bytes) => gzipSync(bytes),
}

export const zlibLayer: LayerCodec = {
  kind: 'layer',
  name: 'zlib',
  // CMF: deflate with a window ≤ 32K; FLG: header check divisible by 31, no preset dictionary. Two bytes can be text
  // by chance ("x^"), so the confidence is low and a failed inflate means "not zlib", not an error.
  detect(bytes) {
    const cmf = bytes[0]
    const flg = bytes[1]
    if (bytes.length < 6 || cmf === undefined || flg === undefined) return 0
    if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (flg & 0x20) !== 0 || ((cmf << 8) | flg) % 31 !== 0) return 0
    return 0.6
  },
  decode(bytes) {
    try {
      return unzlibSync(bytes)
    } catch (error) {
      fail('zlib', error)
    }
  },
  encode: (bytes) => zlibSync(bytes),
}
