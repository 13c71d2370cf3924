// Runs a plan against the target: one multi per batch (all or nothing), each setACL alone; a failed batch is
// reported with the culprit's code and path and the next batches still run.
import { type CreateOp, CreateMode, type DeleteOp, isKeeperException, Op, type SetDataOp, type ZooKeeperClient } from '../../../engine/client'
import type { DiffBatchReport, NodeKind } from '../../contract/model'
import type { Operation } from '../operations'
import { fromAclEntries } from '../znodes/convert'
import type { PlannedWrite } from './diff-plan'

function createModeOf(kind: NodeKind | null): number {
  if (kind === 'container') return CreateMode.CONTAINER
  if (kind === 'ttl') return CreateMode.PERSISTENT_WITH_TTL
  return CreateMode.PERSISTENT
}

function toOp(write: PlannedWrite): CreateOp | DeleteOp | SetDataOp {
  switch (write.op) {
    case 'create':
      return Op.create(write.path, write.data, {
        mode: createModeOf(write.kind),
        ...(write.acl === null ? {} : { acl: fromAclEntries(write.acl) }),
        ...(write.kind === 'ttl' && write.ttlMs !== null ? { ttlMs: write.ttlMs } : {}),
      })
    case 'setData':
      return Op.setData(write.path, write.data, write.version ?? -1)
    case 'delete':
      return Op.delete(write.path, write.version ?? -1)
    case 'setACL':
      throw new Error('setACL cannot be part of a multi')
  }
}

export interface ApplyOutcome {
  applied: number
  aborted: number
  batches: DiffBatchReport[]
}

export async function applyPlan(client: ZooKeeperClient, ops: readonly PlannedWrite[], batchCount: number, operation: Operation): Promise<ApplyOutcome> {
  const byBatch: PlannedWrite[][] = Array.from({ length: batchCount }, () => [])
  for (const op of ops) byBatch[op.batch]?.push(op)
  const outcome: ApplyOutcome = { applied: 0, aborted: 0, batches: [] }
  let done = 0
  for (const [index, batch] of byBatch.entries()) {
    if (operation.signal.aborted) {
      // Cancelled between batches: what ran stays, the rest is reported as not run.
      outcome.batches.push({ batch: index, ops: batch.length, status: 'notRun', keeperCode: null, failedPath: null })
      continue
    }
    try {
      const only = batch[0]
      if (batch.length === 1 && only !== undefined && only.op === 'setACL') {
        await client.setACL(only.path, fromAclEntries(only.acl ?? []), only.version ?? -1)
      } else {
        await client.multi(batch.map(toOp))
      }
      outcome.applied += batch.length
      outcome.batches.push({ batch: index, ops: batch.length, status: 'applied', keeperCode: null, failedPath: null })
    } catch (error) {
      if (!isKeeperException(error)) throw error
      outcome.aborted += batch.length
      outcome.batches.push({ batch: index, ops: batch.length, status: 'aborted', keeperCode: error.codeName, failedPath: error.path ?? null })
    }
    done += batch.length
    operation.progress('writing', done, ops.length)
  }
  return outcome
}
