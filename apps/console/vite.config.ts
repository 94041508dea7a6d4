// Bundles the console into dist/apps/console, which the API serves at /ui (apps/api/src/console).
// Everything the page needs is in the bundle: no CDN, it works offline.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/ui/',
  // Preact's JSX runtime through esbuild: no framework plugin needed for a production build.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The build prints each file's raw and gzip size: the README's bundle figures come from it.
    reportCompressedSize: true,
  },
});
