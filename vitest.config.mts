import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Servers under test are real processes and real sockets; keep files in parallel but bounded (2 cores).
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
})
