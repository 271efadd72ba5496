import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/** The dashboard's sources (dashboard/) and its build (dashboard/dist), beside this package's src/. */
export const DASHBOARD_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard');
export const DASHBOARD_BUILD_DIRECTORY = path.join(DASHBOARD_DIRECTORY, 'dist');
const STAMP_FILE = '.build-stamp';

const SOURCE_ENTRIES = ['index.html', 'vite.config.ts', 'src'];
const isBuildInput = (file: string) => !/\.test\.tsx?$/.test(file) && !file.includes(`${path.sep}test${path.sep}`);

const listFiles = async (entry: string): Promise<string[]> => {
  const full = path.join(DASHBOARD_DIRECTORY, entry);
  if (!existsSync(full)) return [];
  const found = await readdir(full, { recursive: true, withFileTypes: true }).catch(() => null);
  if (found === null) return [entry];

  return found
    .filter((dirent) => dirent.isFile())
    .map((dirent) => path.relative(DASHBOARD_DIRECTORY, path.join(dirent.parentPath, dirent.name)))
    .filter(isBuildInput);
};

/** A hash of everything the build reads: sources, HTML, Vite config and the locked dependencies. */
export const dashboardSourceHash = async (): Promise<string> => {
  // Bumped when the way the dashboard is built changes, so existing builds are rebuilt.
  const hash = createHash('sha256').update('build-format-2\0');
  const files = (await Promise.all(SOURCE_ENTRIES.map(listFiles))).flat().sort();
  for (const file of files) {
    hash.update(file).update('\0').update(await readFile(path.join(DASHBOARD_DIRECTORY, file))).update('\0');
  }
  const lockFile = path.join(DASHBOARD_DIRECTORY, '..', 'package-lock.json');
  if (existsSync(lockFile)) hash.update(await readFile(lockFile));

  return hash.digest('hex');
};

const readStamp = async (): Promise<string | null> =>
  readFile(path.join(DASHBOARD_BUILD_DIRECTORY, STAMP_FILE), 'utf8').then((text) => text.trim(), () => null);

export type DashboardBuildState = 'fresh' | 'built' | 'prebuilt';

/**
 * Builds the dashboard when its build is missing or older than its sources, so `npm start` never
 * serves a stale or missing page. An installation without the sources serves the build it has.
 * The build goes to a temporary folder and replaces dist/ in one rename, so a server reading dist/
 * never sees half a build.
 */
export const ensureDashboardBuild = async (logger?: Logger): Promise<DashboardBuildState> => {
  if (!existsSync(path.join(DASHBOARD_DIRECTORY, 'src'))) {
    if (!existsSync(path.join(DASHBOARD_BUILD_DIRECTORY, 'index.html'))) {
      throw new Error(`the dashboard is neither built nor buildable: ${DASHBOARD_DIRECTORY} has no src/ and no dist/`);
    }
    return 'prebuilt';
  }
  const sourceHash = await dashboardSourceHash();
  if ((await readStamp()) === sourceHash && existsSync(path.join(DASHBOARD_BUILD_DIRECTORY, 'index.html'))) return 'fresh';

  logger?.info('building the dashboard (its sources changed since the last build)');
  const started = Date.now();
  const { build } = await import('vite');
  const temporary = path.join(DASHBOARD_DIRECTORY, `.dist-${process.pid}-${Date.now()}`);
  // Vite picks React's development build when NODE_ENV says so (vitest sets "test"): the served
  // dashboard is always the production build, whoever builds it.
  const nodeEnvironment = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(DASHBOARD_DIRECTORY, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: temporary, emptyOutDir: true },
    });
    await writeFile(path.join(temporary, STAMP_FILE), `${sourceHash}\n`);
    // Another process may have finished the same build meanwhile: keep whichever is there if it matches.
    if ((await readStamp()) === sourceHash) return 'fresh';
    const previous = `${DASHBOARD_BUILD_DIRECTORY}.old-${process.pid}`;
    try {
      if (existsSync(DASHBOARD_BUILD_DIRECTORY)) await rename(DASHBOARD_BUILD_DIRECTORY, previous);
      await mkdir(path.dirname(DASHBOARD_BUILD_DIRECTORY), { recursive: true });
      await rename(temporary, DASHBOARD_BUILD_DIRECTORY);
    } catch (error) {
      // Lost a race with another process swapping in the same build: fine if what is there matches.
      if ((await readStamp()) !== sourceHash) throw error;
    } finally {
      await rm(previous, { recursive: true, force: true });
    }
  } finally {
    if (nodeEnvironment === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnvironment;
    await rm(temporary, { recursive: true, force: true });
  }
  logger?.info({ milliseconds: Date.now() - started }, 'dashboard built');

  return 'built';
};
