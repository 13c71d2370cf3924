// Members never outlive the process that owns their cluster, even when it dies by SIGKILL and runs no exit code:
// a small parent script starts clusters, is killed with kill -9, and every member process (and watchdog) must go.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ParentFixture, killParentAndExpectNoMemberLeft } from './parent-process'
import { removeBuiltBundle, zoodeskBundle } from './support'

let bundle: string
const parents = new ParentFixture()

beforeAll(async () => {
  bundle = await zoodeskBundle()
  await parents.prepare()
})
afterEach(() => parents.cleanUp())
afterAll(() => {
  parents.dispose()
  removeBuiltBundle()
})

describe('members of a cluster whose owner is SIGKILLed', () => {
  it('die, ZooDesk and Apache alike (default guards: IPC channel and, on Linux, the kernel parent-death signal)', async () => {
    const parent = await parents.start([
      { voters: 1, zoodeskScript: bundle, tickTimeMs: 500 },
      { voters: 1, kind: 'apache', tickTimeMs: 500 },
    ])
    expect(parent.pids).toHaveLength(2)
    await killParentAndExpectNoMemberLeft(parent)
  })

  it('die through the watchdog alone for Apache members (no kernel parent-death signal, as on macOS or Windows)', async () => {
    const parent = await parents.start([{ voters: 1, kind: 'apache', tickTimeMs: 500, kernelParentDeathSignal: false }])
    await killParentAndExpectNoMemberLeft(parent)
  })
})
