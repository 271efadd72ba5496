import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Test files of one worker share its PGlite instance (~3 s and ~0.9 GB to start), each in its
    // own schema; see test/harness/database.ts.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
