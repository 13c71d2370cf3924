#!/usr/bin/env node
// `npm run sim -- --seeds N [--first S]`: long runs of the deterministic simulator (test/sim) outside vitest.
// Bundles test/sim/run-seeds.ts into out/sim/sim.cjs (the engine is TypeScript with bundler resolution, so plain
// Node cannot load it), then runs it in a child process with the same arguments. `--seed S` replays one seed.
'use strict'
const { spawnSync } = require('node:child_process')
const { builtinModules } = require('node:module')
const { join } = require('node:path')

const root = join(__dirname, '..')
const outDir = join(root, 'out', 'sim')

async function bundle() {
  const { build } = await import('vite')
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: true,
      target: 'node20',
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap: true,
      rolldownOptions: {
        input: { sim: join(root, 'test', 'sim', 'run-seeds.ts') },
        external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  })
}

bundle().then(
  () => {
    const nodeFlags = process.env.SIM_NODE_FLAGS ? process.env.SIM_NODE_FLAGS.split(' ').filter(Boolean) : []
    const result = spawnSync(process.execPath, ['--enable-source-maps', ...nodeFlags, join(outDir, 'sim.cjs'), ...process.argv.slice(2)], { stdio: 'inherit' })
    process.exit(result.status ?? 1)
  },
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
