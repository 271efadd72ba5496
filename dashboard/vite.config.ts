import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const dashboardDirectory = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: dashboardDirectory,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(dashboardDirectory, 'dist'),
    emptyOutDir: true,
    // Fonts, icons and charts are bundled from npm: nothing is ever fetched from another origin.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev:dashboard` proxies the API to a running `akked serve`.
    proxy: { '/api': 'http://127.0.0.1:3000', '/hooks': 'http://127.0.0.1:3000' },
  },
});
