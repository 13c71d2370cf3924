// An example ZooDesk codec plug-in (docs/codec-plugins.md): HBase's znode envelope, read-only.
//
// HBase writes its znodes (/hbase/master, /hbase/meta-region-server, …) as
//   0xFF · 4-byte big-endian length n · n bytes of the writer's id · "PBUF" · a protobuf message
// (ZKMetadata.appendMetaData + ProtobufUtil.prependPBMagic). This view shows the envelope as a tree: who wrote it,
// and the protobuf payload's raw fields (field number, wire type, value), so a person can read the node without
// the .proto files. To use it, copy this file into `<ZooDesk data dir>/codecs/`.

const PBUF = [0x50, 0x42, 0x55, 0x46] // "PBUF"

/** Where the protobuf starts, or -1 when the bytes are not an HBase envelope. */
function payloadStart(bytes) {
  if (bytes.length < 9 || bytes[0] !== 0xff) return -1
  const idLength = ((bytes[1] << 24) | (bytes[2] << 16) | (bytes[3] << 8) | bytes[4]) >>> 0
  const magicAt = 5 + idLength
  if (idLength > 65536 || magicAt + 4 > bytes.length) return -1
  return PBUF.every((byte, i) => bytes[magicAt + i] === byte) ? magicAt + 4 : -1
}

function varint(bytes, at) {
  let value = 0n
  for (let shift = 0n; shift < 70n; shift += 7n) {
    const byte = bytes[at.offset++]
    if (byte === undefined) throw new Error('truncated varint')
    value |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return value
  }
  throw new Error('varint longer than 10 bytes')
}

const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ')
const printable = (bytes) => {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : hex(bytes)
}

/** One level of raw protobuf fields (nested messages are shown as bytes: this is an example, not protoc). */
function rawFields(bytes) {
  const at = { offset: 0 }
  const fields = []
  while (at.offset < bytes.length) {
    const key = Number(varint(bytes, at))
    const number = key >>> 3
    const wireType = key & 7
    if (wireType === 0) fields.push({ label: String(number), detail: 'varint', value: varint(bytes, at).toString() })
    else if (wireType === 2) {
      const length = Number(varint(bytes, at))
      if (at.offset + length > bytes.length) throw new Error(`field ${number} runs past the end`)
      fields.push({ label: String(number), detail: `len ${length}`, value: printable(bytes.subarray(at.offset, at.offset + length)) })
      at.offset += length
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4
      fields.push({ label: String(number), detail: wireType === 1 ? 'fixed64' : 'fixed32', value: hex(bytes.subarray(at.offset, at.offset + size)) })
      at.offset += size
    } else throw new Error(`wire type ${wireType} at field ${number} is not supported by this example`)
  }
  return fields
}

export default {
  apiVersion: 1,
  id: 'hbase-pbuf',
  name: { en: 'HBase envelope', 'zh-CN': 'HBase 信封' },
  // Four fixed bytes after a length that must land exactly on them: if it matches, it is HBase.
  detect: (bytes) => (payloadStart(bytes) > 0 ? 0.9 : 0),
  decode(bytes) {
    const start = payloadStart(bytes)
    if (start < 0) throw new Error('not an HBase znode (0xFF, id length, id, "PBUF", protobuf)')
    const id = bytes.subarray(5, start - 4)
    const payload = bytes.subarray(start)
    return {
      tree: [
        { label: 'writer id', detail: `${id.length} bytes`, value: printable(id) },
        { label: 'payload', detail: `protobuf, ${payload.length} bytes`, children: rawFields(payload) },
      ],
    }
  },
  // No encode: without HBase's .proto files there is no way back, so the view is read-only.
}
