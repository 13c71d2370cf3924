import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

// One entry per section (see shared/toolchain.md: two main entries made rolldown share a chunk that started servers).
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(__dirname, 'main/index.ts') },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(__dirname, 'main/preload/index.ts') },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue()],
    // vue-i18n's esm-bundler flags: composition API only, no devtools hooks in builds.
    define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // pluginTimings: Monaco's worker transform is slow by nature; the notice is noise in every `npm start`.
      rolldownOptions: { input: resolve(__dirname, 'renderer/index.html'), checks: { pluginTimings: false } },
    },
  },
})
