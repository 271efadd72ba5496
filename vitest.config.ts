import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          // Test files of one worker share its PGlite instance (~3 s and ~0.9 GB to start), each in its
          // own schema; see test/harness/database.ts.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
          // Builds the server (dist/) and the dashboard once, before any worker starts, when stale.
          globalSetup: ['test/harness/build.ts'],
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dashboard',
          root: 'dashboard',
          include: ['src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['src/test/setup.ts'],
          testTimeout: 15_000,
        },
      },
    ],
  },
});
