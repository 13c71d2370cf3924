import { JuteDecodeError } from '../../jute'

/** The ustring that follows the snapshot body on the quorum port (LearnerHandler / Learner.syncWithLeader). */
export const SNAPSHOT_SIGNATURE = 'BenWasHere'
const SIGNATURE_BYTES = Buffer.from(SNAPSHOT_SIGNATURE, 'latin1')

/** `long aclId` + StatPersisted (4 longs, 3 ints, 2 longs): the fixed part of a node after its data. */
const NODE_FIXED_BYTES = 8 + 60
const SESSION_BYTES = 8 + 4
const SLASH = 0x2f

type Step =
  | 'sessionCount'
  | 'aclCount'
  | 'aclEntry' // long id + int vector length
  | 'aclItem' // int perms + int scheme length
  | 'aclIdLength'
  | 'pathLength'
  | 'pathByte'
  | 'dataLength'
  | 'signatureLength'
  | 'signatureText'
  | 'done'

/**
 * Finds where the snapshot that follows a SNAP packet ends, reading only lengths, chunk by chunk, in O(bytes):
 *
 *   int sessionCount; { long id; int timeout }*                    SerializeUtils.serializeSnapshot
 *   int aclCount; { long id; vector<ACL { int perms; ustring scheme; ustring id }> }*   ReferenceCountedACLCache
 *   { ustring path; buffer data; long acl; StatPersisted }* ustring "/"                  DataTree.serializeNodes
 *   ustring "BenWasHere"
 *
 * Counts and nulls are read as Apache's BinaryInputArchive reads them (a negative count means none; a null ACL
 * vector or node path is an error), so the bytes handed to the body parser are exactly what Apache's learner would
 * have consumed. The body itself is not decoded here: that is the host's parser, given the exact bytes once.
 */
export class SnapshotScanner {
  private step: Step = 'sessionCount'
  private readonly field = Buffer.alloc(12)
  private fieldWanted = 4
  private fieldHave = 0
  private skipBytes = 0
  private aclEntriesLeft = 0
  private aclItemsLeft = 0
  /** Bytes consumed before the current `push`, then after it. */
  consumedBytes = 0
  /** Length of the body (everything before the signature), known once done. */
  bodyBytes = -1

  constructor(private readonly maxFieldBytes = 2 * 0xfffff) {}

  get done(): boolean {
    return this.step === 'done'
  }

  /**
   * Consumes `chunk`. Returns how many of its bytes belong to the snapshot when the signature ended inside it, or
   * null when all of it was consumed and more is needed. Throws JuteDecodeError on bytes Apache's learner would
   * refuse (bad lengths, a null path, a missing signature).
   */
  push(chunk: Buffer): number | null {
    let offset = 0
    while (offset < chunk.length && this.step !== 'done') {
      if (this.skipBytes > 0) {
        const skipped = Math.min(this.skipBytes, chunk.length - offset)
        this.skipBytes -= skipped
        offset += skipped
        continue
      }
      const copied = Math.min(this.fieldWanted - this.fieldHave, chunk.length - offset)
      chunk.copy(this.field, this.fieldHave, offset, offset + copied)
      this.fieldHave += copied
      offset += copied
      if (this.fieldHave < this.fieldWanted) break
      this.fieldHave = 0
      this.onField(this.consumedBytes + offset)
    }
    this.consumedBytes += offset
    return this.step === 'done' ? offset : null
  }

  /** A complete field for the current step; `position` is the stream offset right after it. */
  private onField(position: number): void {
    const f = this.field
    switch (this.step) {
      case 'sessionCount':
        this.skipBytes = Math.max(0, f.readInt32BE(0)) * SESSION_BYTES
        return this.want('aclCount', 4)
      case 'aclCount':
        this.aclEntriesLeft = f.readInt32BE(0)
        return this.nextAclEntry()
      case 'aclEntry': {
        const items = f.readInt32BE(8)
        if (items === -1) throw new JuteDecodeError('Incorrect format of InputArchive when deserialize DataTree - missing acls')
        this.aclEntriesLeft--
        this.aclItemsLeft = Math.max(0, items)
        return this.nextAclItem()
      }
      case 'aclItem':
        this.skipString(f.readInt32BE(4), 'ACL scheme')
        return this.want('aclIdLength', 4)
      case 'aclIdLength':
        this.skipString(f.readInt32BE(0), 'ACL id')
        this.aclItemsLeft--
        return this.nextAclItem()
      case 'pathLength': {
        const length = f.readInt32BE(0)
        if (length === -1) throw new JuteDecodeError('null node path in snapshot')
        if (length === 1) return this.want('pathByte', 1)
        this.skipString(length, 'node path')
        return this.want('dataLength', 4)
      }
      case 'pathByte':
        if (f[0] === SLASH) {
          this.bodyBytes = position
          return this.want('signatureLength', 4)
        }
        return this.want('dataLength', 4)
      case 'dataLength':
        this.skipString(f.readInt32BE(0), 'node data')
        this.skipBytes += NODE_FIXED_BYTES
        return this.want('pathLength', 4)
      case 'signatureLength': {
        const length = f.readInt32BE(0)
        if (length !== SIGNATURE_BYTES.length) throw new JuteDecodeError(`Missing signature: string of ${length} bytes after the snapshot`)
        return this.want('signatureText', SIGNATURE_BYTES.length)
      }
      case 'signatureText':
        if (!f.subarray(0, SIGNATURE_BYTES.length).equals(SIGNATURE_BYTES)) {
          throw new JuteDecodeError(`Missing signature. Got ${f.toString('utf8', 0, SIGNATURE_BYTES.length)}`)
        }
        this.step = 'done'
        return
      case 'done':
        return
    }
  }

  private want(step: Step, bytes: number): void {
    this.step = step
    this.fieldWanted = bytes
  }

  private nextAclEntry(): void {
    if (this.aclEntriesLeft > 0) this.want('aclEntry', 12)
    else this.want('pathLength', 4)
  }

  private nextAclItem(): void {
    if (this.aclItemsLeft > 0) this.want('aclItem', 8)
    else this.nextAclEntry()
  }

  /** A ustring or buffer body: -1 is null, other negatives and lengths over the limit are refused (checkLength). */
  private skipString(length: number, what: string): void {
    if (length === -1) return
    if (length < 0 || length > this.maxFieldBytes) throw new JuteDecodeError(`Unreasonable length = ${length} for ${what} in snapshot`)
    this.skipBytes += length
  }
}
