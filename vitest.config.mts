import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

/**
 * The differential scenarios run once more per ensemble role: the client talks to the leader, to a follower and to
 * an observer of a 3-voter + 1-observer Apache ensemble and of a ZooDesk one (test/compat/harness/ensemble.ts).
 */
const ENSEMBLE_ROLES = ['leader', 'follower', 'observer'] as const

export default defineConfig({
  plugins: [vue()],
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Servers under test are real processes and real sockets; keep files in parallel but bounded (2 cores).
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      ...ENSEMBLE_ROLES.map((role) => ({
        extends: true as const,
        test: {
          name: `compat-${role}`,
          include: ['test/compat/scenarios/*.test.ts'],
          env: { ZOODESK_COMPAT_TOPOLOGY: role },
          // After everything else: scenario files mostly wait (expiry, reaping, quiet periods), so four ensemble
          // pairs at a time cost little CPU and keep the added wall time down.
          sequence: { groupOrder: 1 },
          maxWorkers: 4,
        },
      })),
    ],
  },
})
