import { ensureDashboardBuild } from '../../src/dashboard/dashboard-build.ts';

/** vitest globalSetup: the server tests that load `/` need the current dashboard build. */
export default async function buildDashboard(): Promise<void> {
  await ensureDashboardBuild();
}
