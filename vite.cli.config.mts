// Builds the `zoodesk` command (engine/cli) into one CommonJS file for plain Node.
// The engine is bundled; Node built-ins and runtime dependencies stay external.
import { builtinModules } from 'node:module'
import { defineConfig } from 'vite'

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/cli',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      input: { zoodesk: 'engine/cli/main.ts' },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'ws'],
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
})
