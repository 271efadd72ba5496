import { ensureDashboardBuild } from '../../src/dashboard/dashboard-build.ts';

/**
 * vitest globalSetup: the server tests that load `/` need the current dashboard build. A broken
 * dashboard must not stop the server tests from running: it is reported here, and the tests that
 * load the dashboard fail on their own.
 */
export default async function buildDashboard(): Promise<void> {
  try {
    await ensureDashboardBuild();
  } catch (error) {
    console.error(`the dashboard did not build; tests that load it will fail:\n${(error as Error).message}`);
  }
}
