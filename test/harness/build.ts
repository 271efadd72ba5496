import { ensureBuild } from '../../scripts/build.mjs';

/**
 * vitest globalSetup: the tests that start bin/akked run the compiled server, and those that load
 * `/` need the dashboard; both are rebuilt here, once, before any worker starts, when their sources
 * changed. A broken build must not stop the other tests: it is reported here, and the tests that
 * need it fail on their own.
 */
export default async function build(): Promise<void> {
  try {
    await ensureBuild({ report: (line) => console.log(line) });
  } catch (error) {
    console.error(`the build failed; tests that need it will fail:\n${(error as Error).message}`);
  }
}
