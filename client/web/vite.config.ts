import { defineConfig } from 'vite';

// Static files with relative paths: `dist/` works from any directory or server, and nothing is
// fetched from a CDN at run time (everything is bundled).
export default defineConfig({
  base: './',
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 2048 },
});
