// Builds browser mode's host (main/web/web-host.ts: the app's services + WebSocket server) into one CommonJS file
// that `zoodesk web` loads at run time (the engine's CLI may not import main/). Runs after vite.cli.config.mts.
import { builtinModules } from 'node:module'
import { defineConfig } from 'vite'

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/web',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      input: { 'zoodesk-web': 'main/web/web-host.ts' },
      // Runtime dependencies with optional native parts stay in node_modules.
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'ws', 'ssh2'],
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
})
